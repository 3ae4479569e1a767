"""Test doubles of AWS services used by this repository's tests and benchmarks; not shipped in any wheel."""
