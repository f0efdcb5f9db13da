"""One analysis as text: the table, JSON, SARIF, GitHub and GitLab annotations, Markdown, the
money chain.
"""
