"""Benchmarks: `make bench` (or `python -m bench`) runs them all; figures go in the README."""
