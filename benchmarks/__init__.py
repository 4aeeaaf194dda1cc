"""Benchmarks and peer comparisons; never part of `make test`."""
