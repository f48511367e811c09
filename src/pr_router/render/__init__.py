"""Render plans, summaries and reports as text, Markdown and HTML (pure functions)."""
