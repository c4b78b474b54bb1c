"""The periodic sweep of direct uploads never completed, editable in the admin under Periodic tasks."""

from django.db import migrations

NAME = "Maintenance: expire direct uploads"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "maintenance.expire_direct_uploads",
            "interval": interval,
            "description": "Expires direct-to-S3 uploads that were never completed and deletes what was posted "
            "for them, and any other object left in the bucket's incoming/ area.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0007_direct_upload"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
