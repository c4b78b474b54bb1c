"""Settings modules: local (the default), test and production, chosen by DJANGO_ENV.

See domi.environment.select_settings, which manage.py, WSGI and Celery call.
"""
