"""Writes to organizations and people."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from .models import Organization, User


@transaction.atomic
def organization_create(*, name: str, timezone: str = "UTC", ai_autonomy: str = "approve") -> Organization:
    organization = Organization(name=name, slug=slugify(name)[:80], timezone=timezone, ai_autonomy=ai_autonomy)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    organization: Organization | None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    language: str = "en",
) -> User:
    """Create a person in one role; back-office access follows from the role."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        role=role,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        language=language,
        is_staff=role in User.STAFF_ROLES,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


# What people may change about themselves; the e-mail address (the login) and the role are not among them.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "phone", "language"})


@transaction.atomic
def user_profile_update(*, user: User, **changes: str) -> User:
    """A person edits their own profile: name, phone number, language."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        user.full_clean()
        user.save(update_fields=sorted(changes))
    return user
