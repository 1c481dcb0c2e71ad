"""Benchmarks (not part of the installed packages)."""
