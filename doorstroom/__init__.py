"""The `doorstroom` command line: run the chain locally, walk a cohort through it."""
