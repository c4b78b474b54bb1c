"""A person's personal data (GDPR): an export of it (JSON and files, a zip) and its erasure.

Each app owns its part: at ready() it registers a `PersonalDataSection` here (accounts sits below every
app, so no app imports one above it). The export gathers every section's JSON and files; the erasure runs
every section's eraser (files deleted, rows that only concern the person removed, their words replaced),
then anonymises the account itself and finally sweeps every text and JSON column of every table for what
still names the person (their full name, first and last name, e-mail address and phone number: in a
contractor's invoice, an AI run's input, a message sent to someone else, an audit-log entry) and replaces
it with a placeholder. What the law keeps (invoices, the request history of a property) stays, with the
placeholder where the person was. The erasure itself is audited: one entry saying who erased whom, naming
nobody. Everything runs in one transaction; files are deleted after it commits.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from domi.errors import NotPermitted

from .models import User

PLACEHOLDER = "[erased person]"
REMOVED_TEXT = "[removed at the person's request]"


@dataclass
class Erasure:
    """What one erasure gathers while the sections run: files to delete after commit."""

    user: User
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalDataSection:
    name: str
    # (user) -> (JSON-able data, [(storage name, name in the archive)])
    export: Callable[[User], tuple[Any, list[tuple[str, str]]]]
    erase: Callable[[Erasure], None]


_sections: dict[str, PersonalDataSection] = {}


def personal_data_register(section: PersonalDataSection) -> None:
    _sections[section.name] = section


def _may_handle(by: User, user: User) -> bool:
    if by.pk == user.pk:
        return True
    if by.is_superuser:
        return True
    return by.is_org_staff and by.role == User.Role.ADMIN and by.organization_id == user.organization_id


def _profile(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "language": user.language,
        "role": user.role,
        "organization": user.organization.name if user.organization_id else None,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": list(user.emailaddress_set.values("email", "verified", "primary")),
    }


def personal_data_export(*, user: User, by: User) -> bytes:
    """A zip: personal-data.json (the profile and every app's section) and files/ (what the person uploaded)."""
    if not _may_handle(by, user):
        raise NotPermitted("Only the person or an organization admin exports a person's data.")
    data: dict[str, Any] = {"exported_at": timezone.now(), "profile": _profile(user)}
    files: list[tuple[str, str]] = []
    for name, section in sorted(_sections.items()):
        section_data, section_files = section.export(user)
        data[name] = section_data
        files.extend(section_files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for storage_name, archive_name in files:
            if default_storage.exists(storage_name):
                with default_storage.open(storage_name, "rb") as handle:
                    archive.writestr(f"files/{archive_name}", handle.read())
    return buffer.getvalue()


def _identifiers(user: User) -> list[str]:
    """What names the person in free text, longest first; names shorter than three letters are left alone."""
    values = {user.get_full_name().strip(), user.email, user.phone.strip(), user.first_name, user.last_name}
    values |= {address.email for address in user.emailaddress_set.all()}
    return sorted((value for value in values if value and len(value) >= 3), key=len, reverse=True)


def _pattern(identifiers: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?<!\w){re.escape(value)}(?!\w)" for value in identifiers), re.IGNORECASE)


def _replace_in(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(PLACEHOLDER, value)
    if isinstance(value, list):
        return [_replace_in(item, pattern) for item in value]
    if isinstance(value, dict):
        return {_replace_in(key, pattern): _replace_in(item, pattern) for key, item in value.items()}
    return value


def _sweep(identifiers: list[str]) -> int:
    """Replace the identifiers in every text and JSON column of every table; the rows changed."""
    pattern = _pattern(identifiers)
    changed = 0
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.primary_key
        ]
        for f in text_fields:
            column = Cast(f.name, models.TextField()) if isinstance(f, models.JSONField) else models.F(f.name)
            matches = models.Q()
            for value in identifiers:
                matches |= models.Q(**{"_swept__icontains": value})
            rows = model._base_manager.annotate(_swept=column).filter(matches).values_list("pk", f.name)
            for pk, value in list(rows):
                new = _replace_in(value, pattern)
                if new != value:
                    model._base_manager.filter(pk=pk).update(**{f.name: new})
                    changed += 1
    return changed


@transaction.atomic
def personal_data_erase(*, user: User, by: User) -> None:
    """Erase the person: every app's part, the account anonymised and deactivated, every mention swept."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    user = User.objects.select_for_update().get(pk=user.pk)
    if by.pk == user.pk or not _may_handle(by, user):
        raise NotPermitted("Only an organization admin erases a person's data.")
    if user.is_superuser or (user.is_org_staff and user.role == User.Role.ADMIN):
        raise NotPermitted("An organization admin is erased by a superuser after another admin is named.")
    identifiers = _identifiers(user)
    erasure = Erasure(user=user)
    # Unaudited writes: an audit entry of the change would keep the very values being erased.
    with disable_auditlog():
        for _, section in sorted(_sections.items()):
            section.erase(erasure)
        user.emailaddress_set.all().delete()
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

        OutstandingToken.objects.filter(user=user).delete()
        user.first_name, user.last_name = "Erased", "person"
        user.email = f"erased-{user.pk}@erased.invalid"
        user.phone = ""
        user.is_active = False
        user.is_staff = False
        user.set_unusable_password()
        user.save()
        if identifiers:
            _sweep(identifiers)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=f"User #{user.pk}",
        action=LogEntry.Action.UPDATE,
        changes={"personal_data": ["held", "erased"]},
        actor=by,
        additional_data={"erasure": True, "sections": sorted(_sections)},
    )
    files = list(erasure.files)
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
