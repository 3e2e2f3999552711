"""Benchmarks that print tables (`python -m bench`); not pass/fail tests."""
