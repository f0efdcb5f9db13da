"""A diff as text: the table, JSON and Markdown."""
