"""Contracts and plumbing every doorstroom service uses."""
