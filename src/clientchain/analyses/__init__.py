"""What is computed from an Org: the analysis (closeness, provenance, inversions, findings),
and the money chain of one role.
"""
