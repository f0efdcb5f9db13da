"""The organisation and what is said about it, as values: the Org, findings and their rules,
input problems, policy values, rounding, text as people see it. No I/O, no YAML, no
terminal.
"""
