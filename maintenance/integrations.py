"""Views for machines rather than people: the calendar feed, the Stripe webhook, booking-system commands.

None of them has a session; each authenticates by its own secret (feed token, Stripe signature,
endpoint HMAC) and calls one service.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from contractors.models import WebhookEndpoint
from contractors.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureRefused, verify
from domi.errors import DomainError

from . import payments, selectors, services
from .actors import Actor
from .calendar_feed import calendar_feed_render
from .models import CalendarFeedToken, JobOffer, MaintenanceRequest


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=services.calendar_token_hash(token), user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    body = calendar_feed_render(user=feed.user, appointments=selectors.calendar_appointments_for(feed.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = payments.stripe_webhook_handle(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except payments.WebhookRefused as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"outcome": outcome})


@csrf_exempt
@require_POST
def booking_command(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A contractor's booking system answers for them: {"action": "accept"|"decline"|"schedule",
    "request_id": "<public id>", "reason": "...", "start": "<ISO-8601 with offset>"}, signed like our webhooks."""
    endpoint = (
        WebhookEndpoint.objects.select_related("contractor__user")
        .filter(pk=endpoint_id, is_active=True, contractor__isnull=False)
        .first()
    )
    if endpoint is None:
        raise Http404
    try:
        verify(
            secret=endpoint.secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            body=request.body,
        )
    except SignatureRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status_code)
    # A signed command is handled once: its signature (over its timestamp and body) is remembered for as
    # long as its timestamp is accepted, so the same message sent again within the window is refused.
    seen_key = "booking-command:" + hashlib.sha256(request.headers.get(SIGNATURE_HEADER, "").encode()).hexdigest()
    window = 2 * getattr(settings, "DOMI_WEBHOOK_TOLERANCE_SECONDS", 300) + 60
    if not cache.add(seen_key, endpoint.pk, timeout=window):
        return JsonResponse({"error": "This command was already received."}, status=409)
    user = endpoint.contractor.user
    if user is None:
        return JsonResponse({"error": "The contractor has no login to act as."}, status=409)
    try:
        command = json.loads(request.body)
        action = command["action"]
        job = MaintenanceRequest.objects.get(public_id=command["request_id"], assigned_contractor=endpoint.contractor)
        start = datetime.fromisoformat(command["start"]) if command.get("start") else None
    except (ValueError, KeyError, TypeError, MaintenanceRequest.DoesNotExist):
        return JsonResponse(
            {"error": "Send action, request_id (of a job of yours) and, to schedule, start."}, status=400
        )
    actor = Actor.of(user)
    try:
        if action in ("accept", "decline"):
            offer = JobOffer.objects.get(request=job, contractor=endpoint.contractor, status=JobOffer.Status.OFFERED)
            if action == "accept":
                services.job_offer_accept(offer=offer, actor=actor, start=start)
            else:
                services.job_offer_decline(offer=offer, actor=actor, reason=str(command.get("reason", "")))
        elif action == "schedule" and start is not None:
            services.appointment_reschedule(request=job, actor=actor, start=start)
        else:
            return JsonResponse({"error": f"Unknown action {action!r}."}, status=400)
    except JobOffer.DoesNotExist:
        return JsonResponse({"error": "There is no open offer for this job."}, status=409)
    except DomainError as exc:
        return JsonResponse({"error": exc.message, "code": exc.code}, status=exc.status_code)
    except Exception as exc:
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            return JsonResponse({"error": exc.messages}, status=400)
        raise
    job.refresh_from_db()
    return JsonResponse({"request_id": str(job.public_id), "status": job.status})
