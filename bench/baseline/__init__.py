"""The baseline: the smallest Django + DRF + PostgreSQL list there is, served like the API.

Its own settings, URL and one two-field model; it imports nothing of the project's apps. Under the same
gunicorn settings it shows what this machine and this stack can do at best, the ceiling the API's list
is compared with.
"""
