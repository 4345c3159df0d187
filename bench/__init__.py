"""Reproducible benchmarks: submission throughput through the real server, and report
latency after a national-scale bulk load. Run with ``./bench/run``."""
