"""Benchmark harness: the nightly refresh against its floor, a peer, and its own parts.

`python -m bench` (or `make bench`) generates the tiers with the project's generator,
then measures every tier in fresh subprocesses; docs/benchmark.md says what each
measurement is and how to read the results in bench/results/.
"""
