"""The money graph and the hierarchy as flat arrays, and the sweeps that solve closeness and
traced share exactly (loops included).
"""
