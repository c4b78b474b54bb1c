from django.db import migrations

CODES = [
    "plumbing",
    "electrical",
    "hvac",
    "appliance",
    "structural",
    "doors_windows",
    "pest",
    "safety",
    "exterior",
    "general",
]


def add_trades(apps, schema_editor):
    Trade = apps.get_model("contractors", "Trade")
    for code in CODES:
        Trade.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("contractors", "0001_initial")]

    operations = [migrations.RunPython(add_trades, migrations.RunPython.noop)]
