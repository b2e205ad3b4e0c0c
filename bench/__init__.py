"""Benchmarks: every ratio in quality.md, each baseline alternated with the product in one run.

Run all with `make bench` (`python -m bench`), one with `python -m bench <name>`.
Benchmarks report figures; they are never tests and assert nothing about time.
"""
