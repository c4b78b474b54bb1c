"""Writes to properties, units and tenancies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from domi.accounts import services as accounts_services
from domi.accounts.models import Invitation, Organization, User

from .models import Property, Tenancy, TenancyInvitation, Unit


@transaction.atomic
def property_create(
    *,
    organization: Organization,
    name: str,
    address_line1: str,
    city: str,
    postal_code: str,
    country: str = "US",
    address_line2: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    approval_limit: Decimal = Decimal("500.00"),
) -> Property:
    prop = Property(
        organization=organization,
        name=name,
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        postal_code=postal_code,
        country=country,
        latitude=latitude,
        longitude=longitude,
        approval_limit=approval_limit,
    )
    prop.full_clean()
    prop.save()
    return prop


@transaction.atomic
def unit_create(*, property: Property, label: str, floor: int | None = None, bedrooms: int | None = None) -> Unit:
    unit = Unit(property=property, label=label, floor=floor, bedrooms=bedrooms)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def tenancy_create(*, tenant: User, unit: Unit, start_date: date, end_date: date | None = None) -> Tenancy:
    """A tenant moves into a unit; the tenant must belong to the unit's organization."""
    if tenant.role != User.Role.TENANT:
        raise ValidationError({"tenant": "Only a tenant can hold a tenancy."})
    if tenant.organization_id != unit.property.organization_id:
        raise ValidationError({"tenant": "The tenant belongs to another organization."})
    overlapping = Tenancy.objects.filter(tenant=tenant, unit=unit).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    if overlapping.exists():
        raise ValidationError({"start_date": "This tenant already has a tenancy of this unit in that period."})
    tenancy = Tenancy(tenant=tenant, unit=unit, start_date=start_date, end_date=end_date)
    tenancy.full_clean()
    tenancy.save()
    return tenancy


PROPERTY_EDITABLE = frozenset(
    {
        "name",
        "address_line1",
        "address_line2",
        "city",
        "postal_code",
        "country",
        "latitude",
        "longitude",
        "approval_limit",
    }
)
UNIT_EDITABLE = frozenset({"label", "floor", "bedrooms"})


def _apply(instance: Property | Unit | Tenancy, changes: dict[str, Any], editable: frozenset[str]) -> None:
    unknown = set(changes) - editable
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} of a {type(instance).__name__.lower()}.")
    for name, value in changes.items():
        setattr(instance, name, value)
    if changes:
        instance.full_clean()
        instance.save(update_fields=sorted(changes))


@transaction.atomic
def property_update(*, property: Property, **changes: Any) -> Property:
    """Staff correct a building's name, address or approval limit; it stays in its organization."""
    _apply(property, changes, PROPERTY_EDITABLE)
    return property


@transaction.atomic
def unit_update(*, unit: Unit, **changes: Any) -> Unit:
    """Staff relabel a unit or correct its floor and bedrooms; it stays in its building."""
    _apply(unit, changes, UNIT_EDITABLE)
    return unit


@transaction.atomic
def tenancy_end(*, tenancy: Tenancy, end_date: date | None) -> Tenancy:
    """Set (or clear) the day a tenancy ends: the tenant moves out."""
    if end_date is not None and end_date < tenancy.start_date:
        raise ValidationError({"end_date": "A tenancy cannot end before it starts."})
    _apply(tenancy, {"end_date": end_date}, frozenset({"end_date"}))
    return tenancy


@transaction.atomic
def tenancy_invitation_create(
    *,
    unit: Unit,
    email: str,
    invited_by: User,
    start_date: date | None = None,
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Staff invite a tenant to a unit by e-mail; accepting makes their account and the tenancy (from start_date,
    today unless given)."""
    start_date = start_date or timezone.localdate()
    invitation = accounts_services.invitation_create(
        organization=unit.property.organization,
        role=Invitation.Role.TENANT,
        email=email,
        invited_by=invited_by,
        first_name=first_name,
        last_name=last_name,
        summary=f"Tenancy of {unit} from {start_date.isoformat()}",
    )
    offer = TenancyInvitation(invitation=invitation, unit=unit, start_date=start_date)
    offer.full_clean()
    offer.save()
    return invitation


def tenancy_invitation_fulfil(*, invitation: Invitation, user: User) -> Tenancy:
    """On acceptance (inside its transaction): the new tenant gets the tenancy the invitation offered."""
    offer = TenancyInvitation.objects.select_related("unit__property").get(invitation=invitation)
    return tenancy_create(tenant=user, unit=offer.unit, start_date=offer.start_date)
