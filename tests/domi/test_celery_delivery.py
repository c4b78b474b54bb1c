"""At-least-once delivery as configured, and one run per due slot however many beats are running."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery.signals import before_task_publish, task_prerun
from django.core.cache import cache
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from domi.beat import SingleRunScheduler, beat_slot_key, beat_slot_seconds
from domi.celery import app

ROOT = Path(__file__).resolve().parents[2]
JOB = "notifications.sweep_deliveries"


def test_tasks_are_acknowledged_after_they_run_and_requeued_when_the_worker_dies():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_every_project_task_acks_late_and_ends_before_its_message_is_handed_out_again():
    app.loader.import_default_modules()
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"agents.analyze", "agents.sweep", "notifications.deliver", JOB} <= set(ours)
    for name, task in ours.items():
        assert task.acks_late, name
        assert task.reject_on_worker_lost in (None, True), name
        longest = task.time_limit or app.conf.task_time_limit
        assert longest < visibility, name


def _settings_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **overrides}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"CELERY_TASK_TIME_LIMIT": "600", "CELERY_VISIBILITY_TIMEOUT": "600"}, "CELERY_VISIBILITY_TIMEOUT"),
        ({"CELERY_TASK_TIME_LIMIT": "60", "CELERY_TASK_SOFT_TIME_LIMIT": "60"}, "CELERY_TASK_SOFT_TIME_LIMIT"),
    ],
    ids=["visibility-not-above-time-limit", "soft-limit-not-below-hard"],
)
def test_settings_refuse_a_visibility_timeout_a_task_could_outlast(overrides, complaint):
    result = _settings_check(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


def test_shorter_limits_with_a_visibility_timeout_above_them_are_accepted():
    result = _settings_check(
        CELERY_TASK_TIME_LIMIT="60", CELERY_TASK_SOFT_TIME_LIMIT="50", CELERY_VISIBILITY_TIMEOUT="90"
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def sends():
    """Names of the jobs beat hands on: published to the broker, or run in-process on the defaults."""
    seen: list[str] = []

    def published(sender=None, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sender)

    def ran(sender=None, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("task") is not None and kwargs["task"].request.is_eager:
            seen.append(sender.name)

    before_task_publish.connect(published, weak=False)
    task_prerun.connect(ran, weak=False)
    yield seen
    before_task_publish.disconnect(published)
    task_prerun.disconnect(ran)
    if not app.conf.task_always_eager:
        app.control.purge()


@pytest.fixture
def periodic_job(db):
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    job = PeriodicTask.objects.create(name="test: held deliveries", task=JOB, interval=every_minute)
    cache.delete(beat_slot_key(job.name))
    yield job
    cache.delete(beat_slot_key(job.name))


def _beat() -> SingleRunScheduler:
    return SingleRunScheduler(app=app, lazy=True)


@pytest.mark.django_db(transaction=True)
def test_two_beats_send_a_due_job_once(periodic_job, sends):
    first, second = _beat(), _beat()
    first.apply_entry(ModelEntry(periodic_job, app=app))
    second.apply_entry(ModelEntry(PeriodicTask.objects.get(pk=periodic_job.pk), app=app))
    first.apply_entry(ModelEntry(periodic_job, app=app))
    assert sends.count(JOB) == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_run_is_sent_once_the_slot_has_passed(periodic_job, sends):
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    periodic_job.interval = every_second
    periodic_job.save()
    first, second = _beat(), _beat()
    first.apply_entry(ModelEntry(periodic_job, app=app))
    second.apply_entry(ModelEntry(periodic_job, app=app))
    assert sends.count(JOB) == 1
    # The slot of a one-second job is held for one second: the next run is the other beat's to take.
    cache.delete(beat_slot_key(periodic_job.name))
    second.apply_entry(ModelEntry(periodic_job, app=app))
    assert sends.count(JOB) == 2


def test_a_slot_is_held_for_most_of_the_interval():
    now = timezone.now()
    entry_schedule = IntervalSchedule(every=60, period=IntervalSchedule.SECONDS).schedule
    assert 52 <= beat_slot_seconds(schedule=entry_schedule, now=now) <= 54
    hourly = IntervalSchedule(every=1, period=IntervalSchedule.HOURS).schedule
    held = beat_slot_seconds(schedule=hourly, now=now)
    assert timedelta(hours=1).total_seconds() * 0.85 <= held <= timedelta(hours=1).total_seconds() * 0.9
