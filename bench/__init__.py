"""`make bench` (bench/bench.py) and its helpers: the PostgreSQL server (postgres.py) and the
client that drives the real server (web.py), which tests/reviewtracker/test_concurrency.py
uses too."""
