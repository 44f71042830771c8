"""Experiments and benchmarks run on the simulator (scripts, not library code)."""
