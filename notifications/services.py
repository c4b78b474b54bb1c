"""Every write of notifications, and `notify()`: the one way anything in Domi tells people something.

    notify(*, event: str, request_id: int | None, audience: str, words: dict | None = None,
           urgent: bool = False, dedupe: str = "", extra_context: dict | None = None) -> list[Delivery]

event          one of notifications.events.Event ("request_received", "emergency_alert", ...);
               anything else raises ValueError.
request_id     the maintenance request it is about, or None for a notice about no request (insurance
               expiring, the digest): then extra_context names the people (see below).
audience       "tenant": the request's reporter; "staff": the active admins and managers of the
               request's organization; "contractor": the assigned contractor's login, or the roster's
               e-mail and phone when the contractor has no login. Anything else raises ValueError.
words          what an AI agent wrote: {"subject": str, "body": str, "sms": str}, each optional. The
               event's template keeps its fixed parts (greeting, reference, link, sign-off) and uses
               the words in place of its own default wording; without words the template's wording
               is used, so a message is never empty. Plain text: it is escaped in the HTML e-mail.
urgent         True for emergencies: every channel the person has an address for, whatever their
               preferences and quiet hours say. A number that texted STOP still gets no text message.
dedupe         tells apart repeated occurrences of one event on one request (an appointment id, "24h"
               for a reminder, a timeline entry id). Each delivery has the idempotency key
               f"{event}:{request_id}:{recipient}:{channel}:{dedupe}", where recipient is the user id
               (or "contractor-<id>" for a contractor without a login); a call whose key exists sends
               nothing more on that channel.
extra_context  recognised keys: "appointment_id" (the appointment's time and place; appointment e-mails
               carry it as an .ics), "comment_id", "invoice_id" (its number and total), "ics" (calendar
               text or bytes to attach to the e-mail), "link" (instead of the request's page), "reason",
               "safety_instructions" (a list of steps, instead of those stored on the request); without a request,
               "user_id" (tenant), "organization_id" (staff) or "contractor_id" (contractor; with a
               request it names a contractor not yet assigned, e.g. for job_offered); "staff_roles"
               (["manager"] or ["admin"]: only those staff). Other keys are passed to the templates
               as variables.

Returns the deliveries this call created (queued, held for quiet hours, or suppressed for an opted-out
number); an empty list when nobody is to hear of it or everything was already sent. Raises
ValueError for an unknown request id. Each person gets the message in their language (User.language;
English for any language without templates); text messages are cut to two segments. The rows are
written in one transaction and each queued one is sent by the Celery task `notifications.deliver`
after commit, so calling notify() inside a transaction that then rolls back sends nothing.

Channels per person (not urgent): their NotificationPreference rows for the event, else for every event
("*"), else the defaults of events.default_channels (tenants: e-mail and in-app, plus SMS for the
events that matter now; staff: e-mail and in-app; contractors: e-mail, SMS and in-app). Quiet hours
hold a non-urgent text message back: it is stored queued with send_after at the end of the person's
quiet hours, and the periodic `notifications.sweep_deliveries` sends it then; e-mail and in-app go at
once.
"""

from __future__ import annotations

import hashlib
import random
import zoneinfo
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from contractors.models import Contractor
from domi.accounts.models import Organization, User
from domi.broker import publish
from domi.errors import InvalidTransition
from domi.taxonomy import PRIORITY_RANK, RESPONSE_TIME, Priority
from maintenance.models import OPEN_STATUSES, Appointment, Comment, MaintenanceRequest, RequestEvent
from maintenance.models import Status as RequestStatus

from . import channels, content, selectors, wording
from .calendar import appointment_ics
from .events import ALL_EVENTS, Audience, Channel, Event
from .models import Delivery, Notification, NotificationPreference, QuietHours, SmsOptOut
from .selectors import Recipient

logger = structlog.get_logger(__name__)

APPOINTMENT_EVENTS = frozenset(
    {Event.APPOINTMENT_BOOKED, Event.APPOINTMENT_CHANGED, Event.APPOINTMENT_CANCELLED, Event.APPOINTMENT_REMINDER}
)
ICS_EVENTS = frozenset({Event.APPOINTMENT_BOOKED, Event.APPOINTMENT_CHANGED, Event.APPOINTMENT_CANCELLED})
_ICS_SUMMARY = {"en": "Repair visit: {title}", "es": "Visita de reparación: {title}"}


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- notify ----------------------------------------------------------------------------------------


def notify(
    *,
    event: str,
    request_id: int | None,
    audience: str,
    words: dict | None = None,
    urgent: bool = False,
    dedupe: str = "",
    extra_context: dict | None = None,
) -> list[Delivery]:
    """Tell an audience about an event on every channel they want (see the module docstring)."""
    return notification_send(
        event=event,
        request_id=request_id,
        audience=audience,
        words=words,
        urgent=urgent,
        dedupe=dedupe,
        extra_context=extra_context,
    )


@transaction.atomic
def notification_send(
    *,
    event: str,
    request_id: int | None,
    audience: str,
    words: dict | None = None,
    urgent: bool = False,
    dedupe: str = "",
    extra_context: dict | None = None,
    skip_user_ids: Collection[int | None] = (),
) -> list[Delivery]:
    """notify(), and leave out some people (whoever made the change does not need to hear of it)."""
    if event not in Event.values:
        raise ValueError(f"Unknown event {event!r}; use a code of notifications.events.Event.")
    if audience not in Audience.values:
        raise ValueError(f"Unknown audience {audience!r}; use one of {', '.join(Audience.values)}.")
    cleaned_words = content.clean_words(words)
    extra = dict(extra_context or {})
    request = None
    if request_id is not None:
        request = (
            MaintenanceRequest.objects.select_related(
                "organization", "unit__property", "reporter", "assigned_contractor__user"
            )
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            raise ValueError(f"There is no maintenance request {request_id}.")

    recipients = selectors.audience_recipients(audience=audience, request=request, hints=extra)
    skip = {user_id for user_id in skip_user_ids if user_id is not None}
    context = _context(event=event, request=request, extra=extra)
    created: list[Delivery] = []
    for recipient in recipients:
        if recipient.user_id in skip:
            continue
        reachable = selectors.channels_reachable(recipient)
        chosen = reachable if urgent else selectors.channels_wanted(recipient=recipient, event=event) & reachable
        if not chosen:
            continue
        message = content.message_render(
            event=event,
            audience=audience,
            language=recipient.language,
            recipient_name=recipient.name,
            request=request,
            words=cleaned_words,
            context=context,
            time_zone=_time_zone(request=request, recipient=recipient),
        )
        ics = ""
        if Channel.EMAIL in chosen:
            ics = _ics(event=event, context=context, extra=extra, language=message.language)
        for channel in sorted(chosen):
            delivery = _delivery_create(
                event=event,
                audience=audience,
                request=request,
                recipient=recipient,
                channel=channel,
                message=message,
                urgent=urgent,
                dedupe=dedupe,
                ics=ics,
            )
            if delivery is not None:
                created.append(delivery)

    _enqueue([d.pk for d in created if d.status == Delivery.Status.QUEUED and d.send_after is None])
    if created:
        logger.info(
            "notification_created",
            notice=event,
            request_id=request_id,
            audience=audience,
            urgent=urgent,
            deliveries=[(d.channel, d.recipient_id, d.status) for d in created],
        )
    return created


def _context(*, event: str, request: MaintenanceRequest | None, extra: dict[str, Any]) -> dict[str, Any]:
    """What the templates may use beyond the request itself."""
    context: dict[str, Any] = {key: value for key, value in extra.items() if key != "ics"}
    if request is None:
        if extra.get("contractor_id"):
            contractor = Contractor.objects.select_related("organization").filter(pk=extra["contractor_id"]).first()
            context["contractor"] = contractor
            context["organization"] = contractor.organization if contractor else None
        if extra.get("organization_id"):
            context["organization"] = Organization.objects.filter(pk=extra["organization_id"]).first()
        return context
    # The caller's safety instructions (fresh from the triage) win over what the request has stored so far.
    context.setdefault("safety_instructions", list(request.safety_instructions or []))
    context.setdefault("reason", "")
    context.update(
        organization=request.organization,
        property=request.unit.property,
        unit=request.unit,
        contractor=request.assigned_contractor,
    )
    if extra.get("contractor_id") and (
        request.assigned_contractor is None or request.assigned_contractor.pk != extra["contractor_id"]
    ):
        context["contractor"] = request.organization.contractors.filter(pk=extra["contractor_id"]).first()
    appointments = request.appointments.select_related("contractor")
    if extra.get("appointment_id"):
        context["appointment"] = appointments.filter(pk=extra["appointment_id"]).first()
    elif event in APPOINTMENT_EVENTS:
        live = appointments.exclude(status=Appointment.Status.CANCELLED).order_by("-created_at", "-id").first()
        context["appointment"] = live or appointments.order_by("-created_at", "-id").first()
    if extra.get("comment_id"):
        context["comment"] = request.comments.select_related("author").filter(pk=extra["comment_id"]).first()
    if extra.get("invoice_id"):
        invoice = request.invoices.filter(pk=extra["invoice_id"]).first()
        if invoice is not None:
            context.setdefault("invoice_number", invoice.number)
            context.setdefault("amount", f"{invoice.total} {invoice.currency}")
    if event == Event.WORK_COMPLETED:
        context["confirm_link"] = content.confirm_link(request)
    return context


def _time_zone(*, request: MaintenanceRequest | None, recipient: Recipient) -> str:
    if request is not None:
        return request.organization.timezone
    if recipient.user is not None and recipient.user.organization_id:
        return recipient.user.organization.timezone
    return ""


def _ics(*, event: str, context: dict[str, Any], extra: dict[str, Any], language: str) -> str:
    given = extra.get("ics")
    if given:
        return given.decode() if isinstance(given, bytes) else str(given)
    appointment = context.get("appointment")
    if event not in ICS_EVENTS or appointment is None:
        return ""
    return appointment_ics(
        appointment=appointment,
        summary=_ICS_SUMMARY.get(language, _ICS_SUMMARY["en"]).format(title=appointment.request.title),
        cancelled=event == Event.APPOINTMENT_CANCELLED,
    )


def idempotency_key(*, event: str, request_id: int | None, recipient_key: str, channel: str, dedupe: str) -> str:
    key = f"{event}:{request_id}:{recipient_key}:{channel}:{dedupe}"
    if len(key) > 255:
        digest = hashlib.sha256(dedupe.encode()).hexdigest()[:40]
        key = f"{event}:{request_id}:{recipient_key}:{channel}:#{digest}"
    return key


def _delivery_create(
    *,
    event: str,
    audience: str,
    request: MaintenanceRequest | None,
    recipient: Recipient,
    channel: str,
    message: content.Message,
    urgent: bool,
    dedupe: str,
    ics: str,
) -> Delivery | None:
    key = idempotency_key(
        event=event,
        request_id=request.pk if request else None,
        recipient_key=recipient.key,
        channel=channel,
        dedupe=dedupe,
    )
    if Delivery.objects.filter(idempotency_key=key).exists():
        return None
    delivery = Delivery(
        organization_id=request.organization_id if request else recipient.organization_id,
        request=request,
        recipient=recipient.user,
        audience=audience,
        channel=channel,
        language=message.language,
        event=event,
        template=message.template,
        link=message.link,
        urgent=urgent,
        idempotency_key=key,
    )
    if channel == Channel.EMAIL:
        delivery.address = recipient.email
        delivery.subject = message.subject
        delivery.body = message.body
        delivery.html_body = message.html_body
        delivery.ics = ics
    elif channel == Channel.SMS:
        delivery.address = selectors.phone_normalise(recipient.phone)
        delivery.body = message.sms
        if selectors.sms_is_opted_out(delivery.address):
            delivery.status = Delivery.Status.SUPPRESSED
            delivery.error = "The number has opted out of text messages (STOP)."
        elif not urgent:
            delivery.send_after = selectors.quiet_hours_until(user=recipient.user)
    else:
        delivery.address = recipient.email
        delivery.subject = message.subject
        delivery.body = message.short
    delivery.full_clean(validate_unique=False)
    try:
        # A savepoint: when a concurrent call wrote the same key first, this one simply sends nothing.
        with transaction.atomic():
            delivery.save()
    except IntegrityError:
        if Delivery.objects.filter(idempotency_key=key).exists():
            return None
        raise
    return delivery


def _enqueue(delivery_ids: list[int]) -> None:
    """Hand each delivery to the worker once the transaction commits.

    A broker that is down must not fail the caller, whose data is committed by then: the delivery
    stays queued and the periodic sweep sends it.
    """
    from .tasks import deliver

    for delivery_id in delivery_ids:
        transaction.on_commit(partial(publish, deliver, delivery_id))  # not sent: the sweep sends it later


# --- Sending ---------------------------------------------------------------------------------------


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt: exponential with jitter, capped."""
    base = _setting("DOMI_NOTIFY_RETRY_BACKOFF_SECONDS", 30)
    cap = _setting("DOMI_NOTIFY_RETRY_BACKOFF_MAX_SECONDS", 1800)
    return int(min(cap, base * 2**retries) + random.uniform(0, base))


def _lease() -> timedelta:
    # Longer than a task may run (CELERY_TASK_TIME_LIMIT): a claim older than this belongs to a dead worker.
    return timedelta(seconds=_setting("DOMI_NOTIFY_SENDING_LEASE_SECONDS", 600))


def delivery_send(*, delivery_id: int, final_attempt: bool = True) -> Delivery | None:
    """Send one queued delivery, once, however many workers run it at the same time.

    Not one transaction on purpose: the claim (queued → sending) commits before the provider is called,
    so a second worker sees it taken, and the outcome is written after. Returns the delivery if this
    call sent it or gave up on it, None if there was nothing to do (sent, failed, held or claimed).
    Raises TransientChannelError when the provider failed and this is not the final attempt; the
    delivery is back in queued with the error, for the caller's retry.
    """
    now = timezone.now()
    due = Q(status=Delivery.Status.QUEUED) & (Q(send_after__isnull=True) | Q(send_after__lte=now))
    abandoned = Q(status=Delivery.Status.SENDING, last_attempt_at__lt=now - _lease())
    claimed = Delivery.objects.filter(due | abandoned, pk=delivery_id).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)

    if delivery.channel == Channel.SMS and selectors.sms_is_opted_out(delivery.address):
        return _finish(delivery, status=Delivery.Status.SUPPRESSED, error="The number has opted out of text messages.")
    try:
        provider_id = channels.channel_for(delivery.channel).send(delivery)
    except channels.RecipientUnsubscribed as exc:
        sms_opt_out(phone=delivery.address, source=SmsOptOut.Source.PROVIDER)
        return _finish(delivery, status=Delivery.Status.SUPPRESSED, error=str(exc))
    except channels.PermanentChannelError as exc:
        return _finish(delivery, status=Delivery.Status.FAILED, error=str(exc))
    except Exception as exc:  # any provider failure must end on the log; the message is never lost silently
        error = str(exc) if isinstance(exc, channels.TransientChannelError) else f"{type(exc).__name__}: {exc}"
        if final_attempt:
            logger.warning("delivery_failed", delivery_id=delivery.pk, channel=delivery.channel, error=error)
            return _finish(delivery, status=Delivery.Status.FAILED, error=error)
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.QUEUED, error=error, next_attempt_at=timezone.now()
        )
        raise channels.TransientChannelError(error) from exc
    return _finish(delivery, status=Delivery.Status.SENT, provider_id=provider_id)


def _finish(delivery: Delivery, *, status: str, error: str = "", provider_id: str = "") -> Delivery:
    changes: dict[str, Any] = {"status": status, "error": error, "next_attempt_at": None}
    if provider_id:
        changes["provider_id"] = provider_id[:128]
    if status == Delivery.Status.SENT:
        changes["sent_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(**changes)
    delivery.refresh_from_db()
    return delivery


def delivery_schedule_retry(*, delivery_id: int, countdown: int) -> None:
    """Note when the pending retry is due, so the sweep knows the delivery is not forgotten until then."""
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).update(
        next_attempt_at=timezone.now() + timedelta(seconds=countdown)
    )


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send a failed delivery again (from the back office)."""
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status != Delivery.Status.FAILED:
        raise InvalidTransition(f"Only failed deliveries can be sent again; this one is {locked.status}.")
    if locked.channel == Channel.SMS and selectors.sms_is_opted_out(locked.address):
        raise InvalidTransition("That number has opted out of text messages.")
    locked.status = Delivery.Status.QUEUED
    locked.send_after = None
    locked.next_attempt_at = None
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=["status", "send_after", "next_attempt_at"])
    _enqueue([locked.pk])
    return locked


def deliveries_sweep() -> int:
    """Send what is due and was not (held for quiet hours, an enqueue lost with the broker, a dead worker).

    Safe to run at any time and twice: `deliver` claims each delivery before it sends.
    """
    now = timezone.now()
    grace = timedelta(seconds=_setting("DOMI_NOTIFY_SWEEP_GRACE_SECONDS", 300))
    released = list(
        Delivery.objects.filter(status=Delivery.Status.QUEUED, send_after__lte=now).values_list("pk", flat=True)
    )
    # The hold is over: from now on the row is like any other queued one.
    Delivery.objects.filter(pk__in=released).update(send_after=None, next_attempt_at=now)
    stalled = Delivery.objects.filter(
        Q(status=Delivery.Status.QUEUED, send_after__isnull=True)
        & (Q(next_attempt_at__isnull=True, created_at__lt=now - grace) | Q(next_attempt_at__lt=now - grace))
    ) | Delivery.objects.filter(status=Delivery.Status.SENDING, last_attempt_at__lt=now - _lease())
    ids = sorted(set(released) | set(stalled.exclude(pk__in=released).values_list("pk", flat=True)))
    with transaction.atomic():
        _enqueue(ids)
    return len(ids)


# --- Inboxes ---------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Preferences, quiet hours, opt-outs -----------------------------------------------------------


@transaction.atomic
def notification_preference_set(*, user: User, event: str, channel: str, enabled: bool) -> NotificationPreference:
    """Turn one event (or "*": every event) on or off on one channel for a person."""
    if event != ALL_EVENTS and event not in Event.values:
        raise ValidationError({"event": f"Unknown event {event!r}."})
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, event=event, channel=channel, defaults={"enabled": enabled}
    )
    preference.enabled = enabled
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def quiet_hours_set(*, user: User, start, end, time_zone: str = "") -> QuietHours:  # type: ignore[no-untyped-def]
    quiet = QuietHours.objects.select_for_update().filter(user=user).first() or QuietHours(user=user)
    quiet.start, quiet.end, quiet.time_zone = start, end, time_zone
    quiet.full_clean()
    quiet.save()
    return quiet


@transaction.atomic
def quiet_hours_clear(*, user: User) -> None:
    QuietHours.objects.filter(user=user).delete()


@transaction.atomic
def sms_opt_out(*, phone: str, source: str = SmsOptOut.Source.KEYWORD) -> SmsOptOut:
    """Send no more text messages to this number; queued ones to it are suppressed too."""
    normalised = selectors.phone_normalise(phone)
    if len(normalised.lstrip("+")) < 6:
        raise ValidationError({"phone": "That is not a phone number."})
    opt_out = SmsOptOut.objects.filter(phone=normalised).first()
    if opt_out is None:
        opt_out = SmsOptOut(phone=normalised, source=source)
        opt_out.full_clean()
        opt_out.save()
    waiting = Delivery.objects.filter(
        channel=Channel.SMS, status=Delivery.Status.QUEUED, address__endswith=normalised[-6:]
    ).values_list("pk", "address")
    suppressed = [pk for pk, address in waiting if selectors.same_phone(address, normalised)]
    Delivery.objects.filter(pk__in=suppressed, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SUPPRESSED, error="The number has opted out of text messages (STOP)."
    )
    return opt_out


@transaction.atomic
def sms_opt_in(*, phone: str) -> int:
    """The number texted START: text messages may go to it again."""
    normalised = selectors.phone_normalise(phone)
    candidates = SmsOptOut.objects.filter(phone__endswith=normalised[-6:]).values_list("pk", "phone")
    opt_outs = [pk for pk, stored in candidates if selectors.same_phone(stored, normalised)]
    deleted, _ = SmsOptOut.objects.filter(pk__in=opt_outs).delete()
    return deleted


STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "BAJA", "PARAR"})
START_WORDS = frozenset({"START", "UNSTOP", "YES", "ALTA"})


def sms_inbound(*, phone: str, body: str) -> str:
    """A text message someone sent us (e.g. from Twilio's webhook): STOP opts out, START opts back in.

    Returns "opted_out", "opted_in" or "ignored".
    """
    word = body.strip().split()[0].upper() if body.strip() else ""
    if word in STOP_WORDS:
        sms_opt_out(phone=phone, source=SmsOptOut.Source.KEYWORD)
        return "opted_out"
    if word in START_WORDS:
        sms_opt_in(phone=phone)
        return "opted_in"
    return "ignored"


# --- What maintenance's domain events mean for people ---------------------------------------------

S = RequestStatus
T, ST, C = Audience.TENANT, Audience.STAFF, Audience.CONTRACTOR

# A status a request reaches -> the event and who hears of it. The AI crew words request_received and
# the emergency messages itself, through notify(); these are the ones no agent words.
STATUS_ANNOUNCEMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    S.SCHEDULED: (Event.APPOINTMENT_BOOKED, (T, C)),
    S.IN_PROGRESS: (Event.WORK_STARTED, (T,)),
    S.COMPLETED: (Event.WORK_COMPLETED, (T,)),
    S.REOPENED: (Event.REQUEST_REOPENED, (C, ST)),
    S.CANCELLED: (Event.REQUEST_CANCELLED, (C, ST)),
    S.CLOSED: (Event.REQUEST_CLOSED, (T,)),
    S.NEEDS_REVIEW: (Event.NEEDS_REVIEW, (ST,)),
    S.AWAITING_APPROVAL: (Event.AWAITING_APPROVAL, (ST,)),
}


def request_status_change_announce(
    *, request_id: int, from_status: str, to_status: str, actor_user_id: int | None = None, note: str = ""
) -> list[Delivery]:
    """Tell the people a status change concerns, except whoever made it."""
    announcement = STATUS_ANNOUNCEMENTS.get(to_status)
    if announcement is None:
        return []
    event, audiences = announcement
    entry = (
        RequestEvent.objects.filter(
            request_id=request_id, kind=RequestEvent.Kind.STATUS, from_status=from_status, to_status=to_status
        )
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    dedupe = f"status-{entry}" if entry else f"{from_status}>{to_status}"
    deliveries: list[Delivery] = []
    for audience in audiences:
        deliveries += notification_send(
            event=event,
            request_id=request_id,
            audience=audience,
            dedupe=dedupe,
            extra_context={"reason": note, "from_status": from_status},
            skip_user_ids=[actor_user_id],
        )
    return deliveries


def request_assignment_announce(
    *, request_id: int, contractor_id: int, actor_user_id: int | None = None
) -> list[Delivery]:
    """The contractor hears the job is theirs."""
    entry = (
        RequestEvent.objects.filter(request_id=request_id, kind=RequestEvent.Kind.ASSIGNMENT)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    return notification_send(
        event=Event.JOB_ASSIGNED,
        request_id=request_id,
        audience=Audience.CONTRACTOR,
        dedupe=f"assignment-{entry or contractor_id}",
        extra_context={"contractor_id": contractor_id},
        skip_user_ids=[actor_user_id],
    )


def comment_announce(*, request_id: int, comment_id: int) -> list[Delivery]:
    """Everyone else on the request hears of a comment; a staff-only comment reaches staff only."""
    comment = Comment.objects.filter(pk=comment_id, request_id=request_id).first()
    if comment is None:
        return []
    audiences = (ST,) if comment.visibility == Comment.Visibility.STAFF else (T, C, ST)
    deliveries: list[Delivery] = []
    for audience in audiences:
        deliveries += notification_send(
            event=Event.COMMENT_ADDED,
            request_id=request_id,
            audience=audience,
            dedupe=f"comment-{comment.pk}",
            extra_context={"comment_id": comment.pk},
            skip_user_ids=[comment.author_id],
        )
    return deliveries


# --- Scheduled notices (run by Celery beat; each safe to run twice and catching up after downtime) -----

# The reminders before a visit: the nearest one that still applies is sent, so a job that was down for
# a day sends one reminder, not two at once.
REMINDER_LEADS: tuple[tuple[str, timedelta], ...] = (("2h", timedelta(hours=2)), ("24h", timedelta(hours=24)))

# How long before its due time a request counts as due soon, by priority.
DUE_SOON_WINDOW = {
    Priority.EMERGENCY: timedelta(hours=1),
    Priority.HIGH: timedelta(hours=4),
    Priority.MEDIUM: timedelta(hours=12),
    Priority.LOW: timedelta(hours=24),
}

INSURANCE_NOTICE_DAYS = 30
DIGEST_LOCAL_HOUR = 7


def appointment_reminders_send(*, now: datetime | None = None) -> int:
    """Remind tenant and contractor of a booked visit 24 hours and 2 hours before it starts."""
    now = now or timezone.now()
    sent = 0
    shorter = timedelta(0)
    for label, lead in REMINDER_LEADS:
        appointments = Appointment.objects.filter(
            status__in=[Appointment.Status.PROPOSED, Appointment.Status.CONFIRMED],
            request__status=RequestStatus.SCHEDULED,
            start__gt=now + shorter,
            start__lte=now + lead,
            # Booked this far ahead at least: a visit booked an hour ahead needs no "tomorrow" reminder.
            created_at__lte=F("start") - lead,
        ).order_by("start")
        for appointment in appointments:
            for audience in (Audience.TENANT, Audience.CONTRACTOR):
                sent += len(
                    notification_send(
                        event=Event.APPOINTMENT_REMINDER,
                        request_id=appointment.request_id,
                        audience=audience,
                        dedupe=f"appointment-{appointment.pk}-{appointment.start:%Y%m%dT%H%M}-{label}",
                        extra_context={"appointment_id": appointment.pk},
                    )
                )
        shorter = lead
    return sent


def requests_due_notify(*, now: datetime | None = None) -> int:
    """Due soon: tell staff. Overdue: tell the managers, and the admins too once it is badly late."""
    now = now or timezone.now()
    sent = 0
    open_requests = MaintenanceRequest.objects.filter(status__in=OPEN_STATUSES, due_by__isnull=False)
    for request in open_requests.filter(due_by__gt=now, due_by__lte=now + max(DUE_SOON_WINDOW.values())):
        window = DUE_SOON_WINDOW.get(request.priority, timedelta(hours=4))
        if request.due_by - now <= window:
            sent += len(
                notification_send(
                    event=Event.DUE_SOON,
                    request_id=request.pk,
                    audience=Audience.STAFF,
                    dedupe=f"due-{request.due_by:%Y%m%dT%H%M}",
                )
            )
    for request in open_requests.filter(due_by__lte=now).select_related("organization"):
        managers = User.objects.filter(
            organization_id=request.organization_id, role=User.Role.MANAGER, is_active=True
        ).exists()
        first_roles = [User.Role.MANAGER] if managers else [User.Role.ADMIN]
        sent += len(
            notification_send(
                event=Event.OVERDUE,
                request_id=request.pk,
                audience=Audience.STAFF,
                dedupe=f"overdue-{request.due_by:%Y%m%dT%H%M}",
                extra_context={"staff_roles": first_roles},
            )
        )
        # Late by half its response time again: the organization's admins hear of it too.
        allowed = RESPONSE_TIME.get(request.priority, timedelta(days=1))
        if managers and now >= request.due_by + allowed / 2:
            sent += len(
                notification_send(
                    event=Event.OVERDUE,
                    request_id=request.pk,
                    audience=Audience.STAFF,
                    dedupe=f"overdue-{request.due_by:%Y%m%dT%H%M}-escalated",
                    extra_context={"staff_roles": [User.Role.ADMIN], "escalated": True},
                )
            )
    sent += stale_requests_notify(now=now)
    return sent


# An open request with nothing on its timeline for this long is brought to staff's attention.
NO_UPDATE_AFTER = timedelta(hours=72)


def stale_requests_notify(*, now: datetime | None = None) -> int:
    """Tell staff of open requests whose timeline has been silent for 72 hours (once per silence)."""
    from django.db.models import Max

    now = now or timezone.now()
    sent = 0
    silent = (
        MaintenanceRequest.objects.filter(status__in=OPEN_STATUSES)
        .annotate(last_entry=Max("events__created_at"), last_entry_id=Max("events__id"))
        .filter(last_entry__lt=now - NO_UPDATE_AFTER)
    )
    for request in silent:
        sent += len(
            notification_send(
                event=Event.NO_UPDATE,
                request_id=request.pk,
                audience=Audience.STAFF,
                dedupe=f"silent-after-{request.last_entry_id}",
                extra_context={"silent_since": request.last_entry},
            )
        )
    return sent


def insurance_expiring_notify(*, today: date | None = None) -> int:
    """A contractor whose insurance ends within 30 days hears of it, and so does their organization's staff."""
    today = today or timezone.localdate()
    sent = 0
    contractors = Contractor.objects.filter(
        is_active=True,
        insurance_expires_on__gte=today,
        insurance_expires_on__lte=today + timedelta(days=INSURANCE_NOTICE_DAYS),
    )
    for contractor in contractors:
        dedupe = f"contractor-{contractor.pk}-{contractor.insurance_expires_on:%Y%m%d}"
        sent += len(
            notification_send(
                event=Event.INSURANCE_EXPIRING,
                request_id=None,
                audience=Audience.CONTRACTOR,
                dedupe=dedupe,
                extra_context={"contractor_id": contractor.pk},
            )
        )
        sent += len(
            notification_send(
                event=Event.INSURANCE_EXPIRING,
                request_id=None,
                audience=Audience.STAFF,
                dedupe=dedupe,
                extra_context={"organization_id": contractor.organization_id, "contractor_id": contractor.pk},
            )
        )
    return sent


def daily_digests_send(*, now: datetime | None = None) -> int:
    """Each organization's staff get one summary a day, from 07:00 in the organization's time zone.

    The Communication Agent words it when the crew has registered a writer (notifications.wording); the
    template lists the figures and the requests to look at first either way.
    """
    now = now or timezone.now()
    sent = 0
    for organization in Organization.objects.all():
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(organization.timezone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            local = now.astimezone(UTC)
        if local.hour < DIGEST_LOCAL_HOUR:
            continue
        dedupe = f"digest-{local:%Y-%m-%d}"
        already = Delivery.objects.filter(
            organization=organization, event=Event.DAILY_DIGEST, idempotency_key__endswith=f":{dedupe}"
        )
        if already.exists():
            continue  # sent today: don't pay for the wording again
        counts = _digest_counts(organization, now)
        attention = _digest_attention(organization, now)
        facts = {
            "organization": organization.name,
            "date": local.date().isoformat(),
            "counts": counts,
            "attention": [{k: v for k, v in item.items() if k != "request_id"} for item in attention],
        }
        sent += len(
            notification_send(
                event=Event.DAILY_DIGEST,
                request_id=None,
                audience=Audience.STAFF,
                words=wording.words_for(Event.DAILY_DIGEST, organization_id=organization.pk, facts=facts),
                dedupe=dedupe,
                extra_context={"organization_id": organization.pk, "counts": counts, "attention": attention},
            )
        )
    return sent


def _digest_counts(organization: Organization, now: datetime) -> dict[str, int]:
    requests = MaintenanceRequest.objects.filter(organization=organization)
    day_ago = now - timedelta(days=1)
    return {
        "open": requests.filter(status__in=OPEN_STATUSES).count(),
        "overdue": requests.filter(status__in=OPEN_STATUSES, due_by__lt=now).count(),
        "needs_review": requests.filter(status=RequestStatus.NEEDS_REVIEW).count(),
        "awaiting_approval": requests.filter(status=RequestStatus.AWAITING_APPROVAL).count(),
        "new": requests.filter(created_at__gte=day_ago).count(),
        "completed": requests.filter(completed_at__gte=day_ago).count(),
    }


DIGEST_ATTENTION_LIMIT = 5


def _digest_attention(organization: Organization, now: datetime) -> list[dict[str, Any]]:
    """The open requests to look at first: overdue ones, most urgent and latest first, then those waiting on staff."""
    waiting_on_staff = [RequestStatus.NEEDS_REVIEW, RequestStatus.AWAITING_APPROVAL]
    open_requests = MaintenanceRequest.objects.filter(organization=organization, status__in=OPEN_STATUSES)
    candidates = list(
        open_requests.filter(Q(due_by__lt=now) | Q(status__in=waiting_on_staff))
        .select_related("unit__property")
        .only("pk", "title", "status", "priority", "due_by", "unit__label", "unit__property__name")
        .order_by("due_by")[:200]
    )
    candidates.sort(
        key=lambda r: (r.due_by is None or r.due_by >= now, PRIORITY_RANK.get(r.priority, 9), r.due_by or now)
    )
    return [
        {
            "request_id": request.pk,
            "title": request.title,
            "place": f"{request.unit.property.name} {request.unit.label}",
            "status": request.status,
            "priority": request.priority,
            "hours_overdue": round((now - request.due_by).total_seconds() / 3600, 1)
            if request.due_by and request.due_by < now
            else 0,
        }
        for request in candidates[:DIGEST_ATTENTION_LIMIT]
    ]


# What the contractor's side of a job announces, and to whom: (signal, detail) -> (event, audiences).
JOB_ANNOUNCEMENTS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("job_offer_reminded", ""): (Event.JOB_OFFERED, (C,)),
    ("job_accepted", ""): (Event.JOB_ACCEPTED, (ST,)),
    ("job_declined", ""): (Event.JOB_DECLINED, (ST,)),
    ("appointment_changed", "rescheduled"): (Event.APPOINTMENT_CHANGED, (T, C)),
    ("appointment_changed", "cancelled"): (Event.APPOINTMENT_CANCELLED, (T, C)),
    ("invoice_changed", "awaiting_approval"): (Event.INVOICE_SUBMITTED, (ST,)),
    ("invoice_changed", "approved"): (Event.INVOICE_APPROVED, (C,)),
    ("invoice_changed", "rejected"): (Event.INVOICE_REJECTED, (C,)),
    ("invoice_changed", "paid"): (Event.INVOICE_PAID, (C, ST)),
}


def job_event_announce(
    *, signal: str, request_id: int, detail: str = "", key: str = "", extra: dict | None = None
) -> list[Delivery]:
    """Tell the people concerned of an offer reminder, an answer to an offer, a visit moved or an invoice's step."""
    announcement = JOB_ANNOUNCEMENTS.get((signal, detail))
    if announcement is None:
        return []
    event, audiences = announcement
    deliveries: list[Delivery] = []
    for audience in audiences:
        deliveries += notification_send(
            event=event,
            request_id=request_id,
            audience=audience,
            dedupe=f"{signal}-{detail}-{key}",
            extra_context=extra or {},
        )
    return deliveries
