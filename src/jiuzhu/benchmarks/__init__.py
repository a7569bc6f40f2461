"""Benchmarks behind `jiuzhu bench NAME`: each returns the benchmark JSON dict of interfaces.md."""
