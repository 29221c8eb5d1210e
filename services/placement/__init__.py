"""Placement (work company): from accepted match to a job that lasts."""
