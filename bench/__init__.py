"""`python -m bench`: the benchmarks behind `make bench` (see README, "Benchmarks")."""
