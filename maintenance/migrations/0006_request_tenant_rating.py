import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0005_schedule_job_offer_sweep"),
    ]

    operations = [
        migrations.AddField(
            model_name="maintenancerequest",
            name="tenant_rating",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(5),
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="maintenancerequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("tenant_rating__isnull", True),
                    models.Q(("tenant_rating__gte", 1), ("tenant_rating__lte", 5)),
                    _connector="OR",
                ),
                name="request_tenant_rating_1_to_5",
            ),
        ),
    ]
