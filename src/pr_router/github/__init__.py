"""GitHub: events, API client, publishing and the sticky state."""
