"""The properties app's part of a person's personal data: where they live or lived (kept on erasure:
the tenancy's dates are the landlord's record; the person in it is the anonymised account)."""

from __future__ import annotations

from typing import Any

from domi.accounts.models import User
from domi.accounts.personal_data import Erasure, PersonalDataSection

from .models import Tenancy


def _export(user: User) -> tuple[Any, list[tuple[str, str]]]:
    tenancies = [
        {
            "property": str(t.unit.property),
            "unit": t.unit.label,
            "start_date": t.start_date,
            "end_date": t.end_date,
        }
        for t in Tenancy.objects.filter(tenant=user).select_related("unit__property").order_by("start_date")
    ]
    return {"tenancies": tenancies}, []


def _erase(erasure: Erasure) -> None:
    pass


section = PersonalDataSection(name="properties", export=_export, erase=_erase)
