"""Create the baseline's table and its 50 rows (idempotent)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.baseline.models import Item

    call_command("migrate", run_syncdb=True, verbosity=0)
    if not Item.objects.exists():
        Item.objects.bulk_create(Item(name=f"item {i}", value=i * 7) for i in range(50))


if __name__ == "__main__":
    main()
