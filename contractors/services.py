"""Writes to the contractor roster."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from domi.accounts import services as accounts_services
from domi.accounts.models import Invitation, Organization, User
from domi.errors import Conflict

from .models import AvailabilityWindow, Contractor, ContractorInvitation, ServiceArea, Trade


@transaction.atomic
def contractor_create(
    *,
    organization: Organization,
    company_name: str,
    trades: Iterable[str],
    postal_prefixes: Iterable[str] = (),
    user: User | None = None,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    hourly_rate: Decimal = Decimal("0"),
    call_out_fee: Decimal = Decimal("0"),
    emergency_24_7: bool = False,
    insurance_expires_on: date | None = None,
    licence_number: str = "",
    rating: Decimal | None = None,
    is_active: bool = True,
) -> Contractor:
    if user is not None and (user.role != User.Role.CONTRACTOR or user.organization_id != organization.pk):
        raise ValidationError({"user": "The login must be a contractor of the same organization."})
    trade_codes = list(dict.fromkeys(trades))
    trade_objects = list(Trade.objects.filter(code__in=trade_codes))
    if len(trade_objects) != len(trade_codes) or not trade_codes:
        raise ValidationError({"trades": "Give one or more trades from the taxonomy."})
    contractor = Contractor(
        organization=organization,
        user=user,
        company_name=company_name,
        contact_name=contact_name,
        email=email,
        phone=phone,
        hourly_rate=hourly_rate,
        call_out_fee=call_out_fee,
        emergency_24_7=emergency_24_7,
        insurance_expires_on=insurance_expires_on,
        licence_number=licence_number,
        rating=rating,
        is_active=is_active,
    )
    contractor.full_clean()
    contractor.save()
    contractor.trades.set(trade_objects)
    for prefix in dict.fromkeys(postal_prefixes):
        area = ServiceArea(contractor=contractor, postal_prefix=prefix)
        area.full_clean()
        area.save()
    return contractor


@transaction.atomic
def contractor_record_job_score(*, contractor_id: int, score: Decimal) -> Contractor:
    """Fold one job's quality score (0-5) into the contractor's running average."""
    if not Decimal(0) <= score <= Decimal(5):
        raise ValidationError({"score": "A score is between 0 and 5."})
    contractor = Contractor.objects.select_for_update().get(pk=contractor_id)
    count = contractor.jobs_scored
    current = contractor.rating if contractor.rating is not None else score
    contractor.rating = ((current * count + score) / (count + 1)).quantize(Decimal("0.01"))
    contractor.jobs_scored = count + 1
    contractor.full_clean()
    contractor.save(update_fields=["rating", "jobs_scored"])
    return contractor


CONTRACTOR_EDITABLE = frozenset(
    {
        "company_name",
        "contact_name",
        "email",
        "phone",
        "hourly_rate",
        "call_out_fee",
        "emergency_24_7",
        "insurance_expires_on",
        "licence_number",
        "is_active",
    }
)


@transaction.atomic
def contractor_update(
    *,
    contractor: Contractor,
    trades: Iterable[str] | None = None,
    postal_prefixes: Iterable[str] | None = None,
    **changes: Any,
) -> Contractor:
    """Staff edit a roster entry; trades and service areas, when given, replace the ones it had.

    The rating is quality control's (contractor_record_job_score), not an edit.
    """
    unknown = set(changes) - CONTRACTOR_EDITABLE
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} of a contractor.")
    for name, value in changes.items():
        setattr(contractor, name, value)
    if changes:
        contractor.full_clean()
        contractor.save(update_fields=sorted(changes))
    if trades is not None:
        trade_codes = list(dict.fromkeys(trades))
        trade_objects = list(Trade.objects.filter(code__in=trade_codes))
        if len(trade_objects) != len(trade_codes) or not trade_codes:
            raise ValidationError({"trades": "Give one or more trades from the taxonomy."})
        contractor.trades.set(trade_objects)
    if postal_prefixes is not None:
        wanted = list(dict.fromkeys(postal_prefixes))
        contractor.service_areas.exclude(postal_prefix__in=wanted).delete()
        have = set(contractor.service_areas.values_list("postal_prefix", flat=True))
        for prefix in wanted:
            if prefix not in have:
                area = ServiceArea(contractor=contractor, postal_prefix=prefix)
                area.full_clean()
                area.save()
    return contractor


@transaction.atomic
def contractor_set_weekly_availability(
    *, contractor: Contractor, windows: Iterable[tuple[int, time, time]]
) -> list[AvailabilityWindow]:
    """Replace the contractor's weekly windows with these (weekday 0=Monday, local start and end times)."""
    contractor.availability_windows.all().delete()
    created = []
    for weekday, start, end in windows:
        window = AvailabilityWindow(contractor=contractor, weekday=weekday, start_time=start, end_time=end)
        window.full_clean()
        window.save()
        created.append(window)
    return created


@transaction.atomic
def contractor_invitation_create(
    *, contractor: Contractor, invited_by: User, email: str = "", first_name: str = "", last_name: str = ""
) -> Invitation:
    """Staff invite a roster entry's person by e-mail (the contractor's address unless another is given);
    accepting makes their account and links it to the entry as its login."""
    contractor = Contractor.objects.select_for_update().select_related("organization").get(pk=contractor.pk)
    if contractor.user_id is not None:
        raise Conflict("This contractor already has a login.", code="contractor_has_login")
    open_ones = ContractorInvitation.objects.filter(contractor=contractor, invitation__status=Invitation.Status.PENDING)
    if open_ones.exists():
        raise Conflict(
            "This contractor already has an invitation that is not accepted: resend or revoke it.",
            code="invitation_pending",
        )
    email = email or contractor.email
    if not email:
        raise ValidationError({"email": "The contractor has no e-mail address on file: give one."})
    invitation = accounts_services.invitation_create(
        organization=contractor.organization,
        role=Invitation.Role.CONTRACTOR,
        email=email,
        invited_by=invited_by,
        first_name=first_name,
        last_name=last_name,
        summary=f"Login for {contractor.company_name}",
    )
    offer = ContractorInvitation(invitation=invitation, contractor=contractor)
    offer.full_clean()
    offer.save()
    return invitation


def contractor_invitation_fulfil(*, invitation: Invitation, user: User) -> Contractor:
    """On acceptance (inside its transaction): the new account becomes the contractor's login."""
    offer = ContractorInvitation.objects.get(invitation=invitation)
    contractor = Contractor.objects.select_for_update().get(pk=offer.contractor_id)
    if contractor.user_id is not None:
        raise Conflict("This contractor got a login meanwhile.", code="contractor_has_login")
    contractor.user = user
    contractor.full_clean()
    contractor.save(update_fields=["user"])
    return contractor
