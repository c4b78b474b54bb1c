"""Seed the benchmark database: the demo data set (seed_demo), then bulk-created requests up to --requests.

Every extra request belongs to Demo Property Co. (so manager@demo.domi lists all of them), is reported by a
tenant of its unit, and has the timeline a real one would have: a "created" event and, past submitted, a
status event; a quarter have a comment. Rows are written with bulk_create in batches, without the domain
events, audit log or the state machine: this is data for reading, made fast.

Prints one JSON line for bench/run.sh: the ids and logins the benchmark uses.

    DJANGO_ENV=local DATABASE_URL=postgres://... .venv/bin/python bench/seed.py --requests 10000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 2000
# Status mix of the extra requests: mostly history, a working set of open ones.
STATUS_WEIGHTS = {
    "closed": 50,
    "cancelled": 6,
    "completed": 8,
    "in_progress": 4,
    "scheduled": 8,
    "assigned": 5,
    "awaiting_approval": 2,
    "triaged": 5,
    "needs_review": 3,
    "reopened": 2,
    "submitted": 7,
}
WITH_CONTRACTOR = {"assigned", "scheduled", "in_progress", "completed", "closed", "reopened"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="How many requests in all (default 10000).")
    args = parser.parse_args()

    from domi.environment import select_settings

    select_settings()
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("seed_demo", "--quiet")
    demo_seconds = time.monotonic() - started
    added = _bulk_requests(args.requests)
    print(json.dumps({**_targets(), "added": added, "demo_seconds": round(demo_seconds, 1),
                      "bulk_seconds": round(time.monotonic() - started - demo_seconds, 1)}))  # fmt: skip


def _bulk_requests(total: int) -> int:
    from django.db import transaction
    from django.utils import timezone

    from contractors.models import Contractor
    from domi.accounts.models import Organization, User
    from domi.taxonomy import RESPONSE_TIME, Priority
    from maintenance.demo.catalogue import PROBLEMS
    from maintenance.models import Comment, MaintenanceRequest, RequestEvent
    from properties.models import Tenancy

    missing = total - MaintenanceRequest.objects.count()
    if missing <= 0:
        return 0
    org = Organization.objects.get(name="Demo Property Co.")
    manager = User.objects.get(email="manager@demo.domi")
    tenancies = list(Tenancy.objects.filter(unit__property__organization=org).select_related("unit", "tenant"))
    by_trade: dict[str, list[Contractor]] = {}
    for contractor in Contractor.objects.filter(organization=org).prefetch_related("trades"):
        for trade in contractor.trades.all():
            by_trade.setdefault(trade.code, []).append(contractor)
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    rng = random.Random(10_000)
    now = timezone.now()

    with transaction.atomic():
        for start in range(0, missing, BATCH):
            requests = []
            for _ in range(min(BATCH, missing - start)):
                title, description, category, priority, (low, high) = rng.choice(PROBLEMS)
                tenancy = rng.choice(tenancies)
                status = rng.choices(statuses, weights)[0]
                created = now - timedelta(days=rng.uniform(0.05, 365))
                triaged = status not in ("submitted", "needs_review")
                requests.append(
                    MaintenanceRequest(
                        organization=org,
                        unit=tenancy.unit,
                        reporter=tenancy.tenant,
                        title=title,
                        description=description,
                        permission_to_enter=rng.random() < 0.6,
                        status=status,
                        category=category if triaged else "",
                        priority=priority if triaged else "",
                        estimated_cost_min=low if triaged else None,
                        estimated_cost_max=high if triaged else None,
                        assigned_contractor=rng.choice(by_trade[category]) if status in WITH_CONTRACTOR else None,
                        due_by=created + RESPONSE_TIME[Priority(priority)] if triaged else None,
                        created_at=created,
                        triaged_at=created + timedelta(minutes=2) if triaged else None,
                        completed_at=created + timedelta(days=2) if status in ("completed", "closed") else None,
                        closed_at=created + timedelta(days=3) if status == "closed" else None,
                    )
                )
            MaintenanceRequest.objects.bulk_create(requests)  # PostgreSQL returns the ids
            events, comments = [], []
            for request in requests:
                events.append(
                    RequestEvent(
                        request=request,
                        kind=RequestEvent.Kind.CREATED,
                        to_status="submitted",
                        actor_user=request.reporter,
                        created_at=request.created_at,
                    )
                )
                if request.status != "submitted":
                    events.append(
                        RequestEvent(
                            request=request,
                            kind=RequestEvent.Kind.STATUS,
                            from_status="submitted",
                            to_status=request.status,
                            actor_agent="analyzer",
                            created_at=request.created_at + timedelta(minutes=2),
                        )
                    )
                if rng.random() < 0.25:
                    comments.append(
                        Comment(
                            request=request,
                            author=manager,
                            body="We are on it.",
                            created_at=request.created_at + timedelta(hours=1),
                        )
                    )
            RequestEvent.objects.bulk_create(events)
            Comment.objects.bulk_create(comments)
    return missing


def _targets() -> dict:
    """What the benchmark asks for: a request to read, a unit the tenant may report in."""
    from maintenance.models import MaintenanceRequest
    from properties.models import Tenancy

    # A request that went through the state machine (offer, visit, timeline): a detail with everything in it.
    detail = (
        MaintenanceRequest.objects.filter(organization__name="Demo Property Co.", status="scheduled")
        .exclude(appointments=None)
        .order_by("id")
        .first()
    )
    tenancy = Tenancy.objects.active().filter(tenant__email="tenant@demo.domi").first()
    return {
        "requests": MaintenanceRequest.objects.count(),
        "detail_id": detail.pk,
        "tenant_unit_id": tenancy.unit_id,
        "staff": "manager@demo.domi",
        "tenant": "tenant@demo.domi",
        "password": "domi-demo",
    }


if __name__ == "__main__":
    main()
