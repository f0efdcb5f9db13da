"""The CI gate: whether findings fail a run, and baselines of known findings."""
