"""The self-contained HTML report: its data, its page, its assets."""
