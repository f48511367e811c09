"""A local, wire-faithful emulator of the Anthropic, OpenAI and GitHub APIs pr-router uses."""
