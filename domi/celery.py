"""The Celery application. Tasks are found in each app's tasks.py."""

from celery import Celery

from domi.environment import select_settings

select_settings()

app = Celery("domi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
