"""`make bench`: the API's latency and capacity under gunicorn against PostgreSQL, and the stack's own ceiling."""
