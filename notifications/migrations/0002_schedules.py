"""The periodic jobs of notifications, editable (and pausable) in the admin under Periodic tasks.

Every job is safe to run twice and catches up after downtime: the deliveries' idempotency keys name
the occurrence (the appointment and its reminder, the due time, the day of the digest).
"""

from django.db import migrations

SCHEDULES = [
    (
        "Notifications: send held and stalled deliveries",
        "notifications.sweep_deliveries",
        5,
        "minutes",
        "Sends text messages held for quiet hours once they end, and deliveries whose task was lost.",
    ),
    (
        "Notifications: appointment reminders",
        "notifications.send_appointment_reminders",
        10,
        "minutes",
        "Reminds tenant and contractor 24 hours and 2 hours before a visit.",
    ),
    (
        "Notifications: due soon and overdue",
        "notifications.notify_due_and_overdue",
        15,
        "minutes",
        "Tells staff of requests about to be late; overdue ones go to the managers, then to the admins.",
    ),
    (
        "Notifications: insurance expiring",
        "notifications.notify_insurance_expiring",
        6,
        "hours",
        "Contractors whose insurance ends within 30 days, and their organization's staff.",
    ),
    (
        "Notifications: daily digest",
        "notifications.send_daily_digests",
        1,
        "hours",
        "One summary a day for each organization's staff, from 07:00 in the organization's time zone.",
    ),
]


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period, description in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "description": description}
        )


def unschedule(apps, schema_editor):
    names = [name for name, *_ in SCHEDULES]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
