"""Reading input: the precise YAML reader, org-chart and flow readers, the policy reader, git
revisions; `loading.fast` reads the flat YAML and CSV that generators write.
"""
