"""Subcommands of the ``pr-router`` CLI: each module has ``configure(parser)`` and ``run(args)``."""
