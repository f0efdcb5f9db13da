"""The fast path: flat YAML and plain CSV read column-wise from bytes, ids matched without
making strings. It vouches for an input or hands it to the precise reader.
"""
