"""Every list costs the same number of queries for a page of 5 as for a page of 50 (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from domi.accounts.models import User
from maintenance.models import Comment, Status
from notifications.events import Channel, Event
from notifications.models import Notification, NotificationPreference
from tests import factories

from .world import World, build_world

ROWS = 55


def _requests(world: World, **kwargs) -> None:
    for n in range(ROWS):
        contractor = factories.ContractorFactory(organization=world.org) if n % 3 == 0 else world.contractor
        factories.MaintenanceRequestFactory(
            unit=world.unit,
            reporter=world.tenant_owner,
            status=Status.ASSIGNED,
            category="plumbing",
            priority="high",
            assigned_contractor=kwargs.get("contractor", contractor),
            due_by=timezone.now() + timedelta(hours=n),
        )


def requests_for_staff(world: World) -> tuple[str, User]:
    _requests(world)
    return "/api/v1/requests/?ordering=priority", world.staff


def requests_for_tenant(world: World) -> tuple[str, User]:
    _requests(world)
    return "/api/v1/requests/", world.tenant_owner


def requests_for_contractor(world: World) -> tuple[str, User]:
    _requests(world, contractor=world.contractor)
    return "/api/v1/requests/?overdue=false", world.contractor.user


def comments(world: World) -> tuple[str, User]:
    authors = [world.staff, world.tenant_owner, world.contractor.user]
    Comment.objects.bulk_create(
        [Comment(request=world.request, author=authors[n % 3], body=f"c{n}") for n in range(ROWS)]
    )
    return f"/api/v1/requests/{world.request.pk}/comments/", world.staff


def properties(world: World) -> tuple[str, User]:
    for _ in range(ROWS):
        factories.PropertyFactory(organization=world.org)
    return "/api/v1/properties/", world.staff


def units(world: World) -> tuple[str, User]:
    for _ in range(ROWS):
        factories.UnitFactory(property=factories.PropertyFactory(organization=world.org))
    return "/api/v1/units/", world.staff


def units_for_tenant(world: World) -> tuple[str, User]:
    for _ in range(ROWS):
        factories.TenancyFactory(tenant=world.tenant_owner, unit=factories.UnitFactory(property=world.property))
    return "/api/v1/units/", world.tenant_owner


def tenancies(world: World) -> tuple[str, User]:
    for _ in range(ROWS):
        factories.TenancyFactory(unit=factories.UnitFactory(property=world.property))
    return "/api/v1/tenancies/?active=true", world.staff


def contractors(world: World) -> tuple[str, User]:
    for n in range(ROWS):
        contractor = factories.ContractorFactory(organization=world.org, trades=["plumbing", "hvac"])
        factories.ServiceAreaFactory(contractor=contractor, postal_prefix=f"9{n:02d}")
    return "/api/v1/contractors/", world.staff


def notifications(world: World) -> tuple[str, User]:
    Notification.objects.bulk_create(
        [Notification(recipient=world.tenant_owner, request=world.request, event="work_started", title=f"n{n}")
         for n in range(ROWS)]
    )  # fmt: skip
    return "/api/v1/notifications/?unread=true", world.tenant_owner


def preferences(world: World) -> tuple[str, User]:
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=world.staff, event=event, channel=channel, enabled=False)
         for event in Event.values for channel in Channel.values][:ROWS]
    )  # fmt: skip
    return "/api/v1/notifications/preferences/", world.staff


def invitations(world: World) -> tuple[str, User]:
    from domi.accounts.models import Invitation

    now = timezone.now()
    inviters = [world.staff, factories.StaffFactory(organization=world.org), None]
    Invitation.objects.bulk_create(
        [Invitation(organization=world.org, role="tenant", email=f"i{n}@example.com", key_digest=f"{n:064x}",
                    invited_by=inviters[n % 3], sent_at=now, expires_at=now + timedelta(days=n - 5))
         for n in range(ROWS)]
    )  # fmt: skip
    return "/api/v1/invitations/", world.staff


CASES: list[Callable[[World], tuple[str, User]]] = [
    requests_for_staff,
    requests_for_tenant,
    requests_for_contractor,
    comments,
    properties,
    units,
    units_for_tenant,
    tenancies,
    contractors,
    notifications,
    preferences,
    invitations,
]


def _page(api, url: str, size: int) -> tuple[int, list]:
    joiner = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{url}{joiner}page_size={size}")
    assert response.status_code == 200, response.content
    return len(queries), response.json()["results"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_a_list_costs_the_same_for_5_rows_as_for_50(api, case, django_assert_num_queries):
    world = build_world(status=Status.SCHEDULED)
    url, user = case(world)
    api.force_authenticate(user)

    small, rows = _page(api, url, 5)
    assert len(rows) == 5

    with django_assert_num_queries(small):
        response = api.get(f"{url}{'&' if '?' in url else '?'}page_size=50")
    assert len(response.json()["results"]) == 50


@pytest.mark.django_db
def test_a_requests_detail_costs_the_same_however_long_its_history(api):
    world = build_world(status=Status.SCHEDULED)
    api.force_authenticate(world.contractor.user)
    url = f"/api/v1/requests/{world.request.pk}/"
    with CaptureQueriesContext(connection) as short:
        api.get(url)

    for n in range(20):
        factories.RequestEventFactory(request=world.request, actor_agent="", actor_user=world.staff, note=f"e{n}")
        factories.CommentFactory(request=world.request, author=world.staff, body=f"c{n}")
        start = timezone.now() + timedelta(days=n + 1)  # visits of one contractor never overlap
        factories.AppointmentFactory(request=world.request, contractor=world.contractor, start=start)
        factories.AttachmentFactory(request=world.request)

    with CaptureQueriesContext(connection) as long:
        response = api.get(url)
    assert len(response.json()["timeline"]) == 20 and len(response.json()["comments"]) == 21
    assert len(long) == len(short)
