"""Writes to the contractor roster."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from domi.accounts.models import Organization, User

from .models import Contractor, ServiceArea, Trade


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
