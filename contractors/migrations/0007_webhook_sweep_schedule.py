"""The periodic job that sends webhook deliveries that never reached a worker, editable in the admin."""

from django.db import migrations

NAME = "Contractors: send webhook deliveries whose task was lost"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "contractors.sweep_webhooks",
            "interval": interval,
            "description": "Webhook deliveries made while the broker was down, or whose message was lost.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contractors", "0006_webhook_attempt_reply_size_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
