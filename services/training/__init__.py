"""Training (work company): pre-release programmes that end in recognised certificates."""
