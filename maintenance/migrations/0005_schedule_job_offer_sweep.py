"""The periodic job-offer sweep (reminders, then expiry and re-offer), editable in the admin under Periodic tasks."""

from django.db import migrations

NAME = "Maintenance: remind and expire job offers"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "maintenance.sweep_job_offers",
            "interval": interval,
            "description": "Reminds contractors of unanswered job offers once, then expires them so the job is re-offered.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0004_appointment_no_overlap"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
