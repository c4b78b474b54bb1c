"""Reads: who hears of an event and on which channels, inboxes, the delivery log, opt-outs and quiet hours."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from contractors.models import Contractor
from domi.accounts.models import User
from maintenance.models import MaintenanceRequest

from .events import ALL_EVENTS, Audience, Channel, default_channels
from .models import Delivery, Notification, NotificationPreference, QuietHours, SmsOptOut


@dataclass(frozen=True)
class Recipient:
    """A person to tell: a user, or a contractor on the roster who has no login."""

    key: str  # the user id, or "contractor-<id>"; part of the idempotency key
    role: str  # tenant, staff or contractor: whose defaults apply
    name: str
    email: str
    phone: str
    language: str
    user: User | None = None
    organization_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None


def _role_of(user: User) -> str:
    if user.role in User.STAFF_ROLES:
        return Audience.STAFF
    if user.role == User.Role.CONTRACTOR:
        return Audience.CONTRACTOR
    return Audience.TENANT


def _from_user(user: User, *, phone: str = "") -> Recipient:
    return Recipient(
        key=str(user.pk),
        role=_role_of(user),
        name=user.first_name or user.get_full_name() or "",
        email=user.email,
        phone=user.phone or phone,
        language=user.language,
        user=user,
        organization_id=user.organization_id,
    )


def _from_contractor(contractor: Contractor) -> Recipient | None:
    if not contractor.is_active:
        return None
    if contractor.user_id is not None:
        return _from_user(contractor.user, phone=contractor.phone) if contractor.user.is_active else None
    return Recipient(
        key=f"contractor-{contractor.pk}",
        role=Audience.CONTRACTOR,
        name=contractor.contact_name or contractor.company_name,
        email=contractor.email,
        phone=contractor.phone,
        language="en",
        organization_id=contractor.organization_id,
    )


def audience_recipients(
    *, audience: str, request: MaintenanceRequest | None, hints: dict | None = None
) -> list[Recipient]:
    """The people an audience means for a request; without a request, the hints name them.

    tenant: the request's reporter (hint: user_id); staff: the active admins and managers of the
    request's organization (hint: organization_id; staff_roles narrows them to ["manager"] or
    ["admin"]); contractor: the assigned contractor's login, or the roster's e-mail and phone when
    they have none (hint: contractor_id).
    """
    hints = hints or {}
    if audience == Audience.TENANT:
        if request is not None:
            user = request.reporter
        elif hints.get("user_id"):
            user = User.objects.filter(pk=hints["user_id"]).first()
        else:
            raise ValueError("A tenant notice without a request needs extra_context['user_id'].")
        return [_from_user(user)] if user is not None and user.is_active else []

    if audience == Audience.STAFF:
        organization_id = request.organization_id if request is not None else hints.get("organization_id")
        if not organization_id:
            raise ValueError("A staff notice without a request needs extra_context['organization_id'].")
        roles = [r for r in hints.get("staff_roles") or User.STAFF_ROLES if r in User.STAFF_ROLES]
        staff = User.objects.filter(organization_id=organization_id, role__in=roles, is_active=True).order_by("pk")
        return [_from_user(user) for user in staff]

    if audience == Audience.CONTRACTOR:
        if request is not None:
            contractor = request.assigned_contractor
            if hints.get("contractor_id") and (contractor is None or contractor.pk != hints["contractor_id"]):
                # A job offered to (or declined by) a contractor it is not assigned to.
                contractor = Contractor.objects.filter(
                    pk=hints["contractor_id"], organization_id=request.organization_id
                ).first()
        elif hints.get("contractor_id"):
            contractor = Contractor.objects.filter(pk=hints["contractor_id"]).first()
        else:
            raise ValueError("A contractor notice without a request needs extra_context['contractor_id'].")
        recipient = _from_contractor(contractor) if contractor is not None else None
        return [recipient] if recipient is not None else []

    raise ValueError(f"Unknown audience {audience!r}; use one of {', '.join(Audience.values)}.")


def channels_wanted(*, recipient: Recipient, event: str) -> frozenset[str]:
    """The channels this person hears this event on: their preferences, else the defaults for their role.

    A preference for the event wins over one for every event ("*"), which wins over the default.
    """
    chosen = set(default_channels(role=recipient.role, event=event))
    if recipient.user is None:
        return frozenset(chosen)
    prefs = NotificationPreference.objects.filter(user=recipient.user, event__in=[event, ALL_EVENTS])
    by_channel: dict[str, bool] = {}
    for pref in sorted(prefs, key=lambda p: p.event != ALL_EVENTS):  # "*" first, the event overrides it
        by_channel[pref.channel] = pref.enabled
    for channel, enabled in by_channel.items():
        if enabled:
            chosen.add(channel)
        else:
            chosen.discard(channel)
    return frozenset(chosen)


def channels_reachable(recipient: Recipient) -> frozenset[str]:
    """Every channel the person has an address for."""
    reachable = set()
    if recipient.email:
        reachable.add(Channel.EMAIL)
    if recipient.phone:
        reachable.add(Channel.SMS)
    if recipient.user is not None:
        reachable.add(Channel.IN_APP)
    return frozenset(reachable)


# --- Phone numbers and opt-outs --------------------------------------------------------------------


def phone_normalise(phone: str) -> str:
    """+ and digits ("+1 (415) 555-0100" → "+14155550100"); a 00 international prefix becomes +."""
    text = phone.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    return digits


def _national_digits(phone: str) -> str:
    normalised = phone_normalise(phone)
    if normalised.startswith("+"):
        return normalised[1:]
    # A national number: drop the trunk prefix so "07700 900123" matches "+44 7700 900123".
    return normalised.lstrip("0")


def same_phone(a: str, b: str) -> bool:
    """The same number, written with or without its country code."""
    x, y = _national_digits(a), _national_digits(b)
    if not x or not y:
        return False
    shorter, longer = sorted((x, y), key=len)
    return shorter == longer or (len(shorter) >= 9 and longer.endswith(shorter) and len(longer) - len(shorter) <= 3)


def sms_is_opted_out(phone: str) -> bool:
    digits = _national_digits(phone)
    if len(digits) < 6:
        return False
    candidates = SmsOptOut.objects.filter(phone__endswith=digits[-6:]).values_list("phone", flat=True)
    return any(same_phone(phone, stored) for stored in candidates)


# --- Quiet hours -----------------------------------------------------------------------------------


def quiet_hours_until(*, user: User | None, at: datetime | None = None) -> datetime | None:
    """When this person's quiet hours end if they are in them now, else None."""
    if user is None:
        return None
    quiet = QuietHours.objects.filter(user=user).first()
    if quiet is None:
        return None
    zone_name = quiet.time_zone or (user.organization.timezone if user.organization_id else "UTC")
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = (at or timezone.now()).astimezone(zone)
    now_time = local.time().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= now_time < quiet.end
    else:  # across midnight
        inside = now_time >= quiet.start or now_time < quiet.end
    if not inside:
        return None
    # Built from the wall clock, so a change to or from daylight saving time in the night is respected.
    end_date = local.date() if now_time < quiet.end else local.date() + timedelta(days=1)
    end = datetime.combine(end_date, quiet.end, tzinfo=zone)
    return end.astimezone(zoneinfo.ZoneInfo("UTC"))


# --- Inboxes and the log ---------------------------------------------------------------------------


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return notification_list_for(user=user).filter(read_at__isnull=True).count()


def delivery_list_visible_to(*, user: User) -> QuerySet[Delivery]:
    """Superusers see the whole log, organization staff their organization's, anyone else what was sent to them."""
    if not user.is_authenticated or not user.is_active:
        return Delivery.objects.none()
    if user.is_superuser:
        return Delivery.objects.all()
    if user.role in User.STAFF_ROLES and user.organization_id:
        return Delivery.objects.filter(organization_id=user.organization_id)
    return Delivery.objects.filter(recipient=user)


def deliveries_for_request(*, request_id: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(request_id=request_id).order_by("created_at", "id")
