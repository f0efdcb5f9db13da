"""The command line: one module per command, the shared options, writing output files. The only
layer that prints or chooses exit codes.
"""
