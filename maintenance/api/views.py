"""Maintenance requests and their actions. Every change goes through maintenance.services."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts.models import User
from domi.api.permissions import CONTRACTOR, EVERYONE, STAFF, STAFF_ONLY, TENANT, CallerRole
from domi.api.ratelimit import ratelimit
from domi.api.views import ScopedAPIView
from domi.errors import InvalidTransition
from maintenance import selectors, services
from maintenance.actors import Actor
from maintenance.models import MaintenanceRequest, Status

from .filters import RequestFilter
from .serializers import (
    AcceptInput,
    AllowedTransitionsOutput,
    AssignInput,
    CommentCreateInput,
    CommentOutput,
    CompletionInput,
    NoInput,
    RatingInput,
    ReasonInput,
    RequestCreateInput,
    RequestDetailOutput,
    RequestListOutput,
    RequestListRows,
    RequiredReasonInput,
    TransitionInput,
    TriageInput,
    VisitInput,
)

TAGS = ["requests"]


class RequestScope(ScopedAPIView):
    """What the caller may see of maintenance requests: selectors.request_list_visible_to."""

    def visible_to(self, user: User) -> QuerySet[MaintenanceRequest]:
        return selectors.request_list_visible_to(user).select_related(
            "unit__property", "assigned_contractor", "reporter"
        )

    def detail(self, request_obj: MaintenanceRequest, *, status: int = 200) -> Response:
        return self.output(RequestDetailOutput, request_obj, status=status)

    def move(self, *, to_status: str, note: str) -> Response:
        """Move the request one step through the state machine."""
        with transaction.atomic():
            services.maintenance_request_transition(
                request=self.object, to_status=to_status, actor=Actor.of(self.request.user), note=note
            )
            return self.after_write()

    def after_write(self) -> Response:
        """Inside the write's transaction: the request as it is now, or 204 when the write took it out of
        the caller's scope (a contractor who declines no longer sees the job)."""
        fresh = self.rescoped_or_none(self.object)
        return Response(status=204) if fresh is None else self.detail(fresh)


class RequestListView(RequestScope):
    filterset_class = RequestFilter
    roles = {"GET": EVERYONE, "POST": frozenset({STAFF, TENANT})}
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=TAGS,
        summary="List requests",
        description="Staff: their organization's. Tenants: their own. Contractors: the jobs given to them.",
        responses={200: RequestListOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated_rows(self.scope, RequestListRows.rows, RequestListRows.render)

    @extend_schema(
        tags=TAGS,
        summary="Report a problem",
        description="Tenants report in a unit they rent now; staff in any unit of their organization. "
        "The AI crew triages the request in the background. Limited per person (429 with Retry-After).",
        request=RequestCreateInput,
        responses={201: RequestDetailOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(RequestCreateInput)
        # Counted once the input is valid, so a mistyped form does not use up a tenant's allowance.
        ratelimit(request, group="requests.create", rate="request_create_per_user", key="user")
        with transaction.atomic():
            created = services.maintenance_request_create(reporter=request.user, **data)
            created = self.rescoped(created)
        return self.detail(created, status=201)


class RequestDetailView(RequestScope):
    @extend_schema(
        tags=TAGS,
        summary="A request",
        description="With its timeline, comments, visits and files. Tenants and contractors see no staff-only "
        "entries; a contractor sees the tenant's phone and e-mail from accepting the job until "
        "DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION (48) after completing it.",
        responses={200: RequestDetailOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.detail(self.object)


class AllowedTransitionsView(RequestScope):
    @extend_schema(
        tags=TAGS,
        summary="Where I may move the request now",
        responses={200: AllowedTransitionsOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        allowed = services.allowed_transitions(request=self.object, actor=Actor.of(request.user))
        return Response({"allowed_transitions": allowed})


_MOVE_RESPONSES = {
    200: RequestDetailOutput,
    204: OpenApiResponse(description="Done; the request is no longer yours to see (you declined the job)."),
}


class RequestTransitionView(RequestScope):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Move the request to another status",
        description="Any move of the state machine the caller's role may make from the current status "
        "(see allowed-transitions); otherwise 409 invalid_transition. Some moves need a note (the reason).",
        request=TransitionInput,
        responses=_MOVE_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(TransitionInput)
        return self.move(to_status=data["to_status"], note=data["note"])


_CALLER_ROLES = {role.value for role in CallerRole}


@dataclass(frozen=True)
class NamedMove:
    """A move with a name in the domain's words: where it may start, where it goes, what its note is."""

    name: str
    summary: str
    to_status: str
    from_statuses: frozenset[str]
    input: type[serializers.Serializer] = NoInput
    note_field: str = ""

    @property
    def roles(self) -> frozenset[CallerRole]:
        """The roles that may make this move from one of its starting points, read off the state machine."""
        allowed = {
            role.value for start in self.from_statuses for role in services.TRANSITIONS.get((start, self.to_status), ())
        }
        return frozenset(CallerRole(role) for role in allowed & _CALLER_ROLES)

    def schema(self) -> dict:
        return {
            "tags": TAGS,
            "summary": self.summary,
            "description": f"From {', '.join(sorted(self.from_statuses))} to {self.to_status}; "
            f"for {', '.join(sorted(self.roles))}. Elsewhere 409 invalid_transition.",
            "request": self.input,
            "responses": _MOVE_RESPONSES,
        }


S = Status
CANCEL = NamedMove(
    "cancel",
    "Cancel the request (before work starts)",
    S.CANCELLED,
    frozenset({S.SUBMITTED, S.TRIAGED, S.NEEDS_REVIEW, S.AWAITING_APPROVAL, S.ASSIGNED, S.SCHEDULED, S.REOPENED}),
    ReasonInput,
    "reason",
)
CONFIRM = NamedMove("confirm", "Confirm the work is done (closes the request)", S.CLOSED, frozenset({S.COMPLETED}))
REOPEN = NamedMove(
    "reopen",
    "Reopen: the work is not right",
    S.REOPENED,
    frozenset({S.COMPLETED, S.CLOSED}),
    RequiredReasonInput,
    "reason",
)
ACCEPT = NamedMove(
    "accept",
    "Accept the job (contractor), confirming the visit",
    S.SCHEDULED,
    frozenset({S.ASSIGNED, S.REOPENED}),
    AcceptInput,
)
DECLINE = NamedMove(
    "decline",
    "Decline the job, saying why (contractor)",
    S.TRIAGED,
    frozenset({S.ASSIGNED}),
    RequiredReasonInput,
    "reason",
)
START = NamedMove("start", "Start the work", S.IN_PROGRESS, frozenset({S.SCHEDULED}))
COMPLETE = NamedMove(
    "complete", "Finish the work, with notes", S.COMPLETED, frozenset({S.IN_PROGRESS}), CompletionInput, "notes"
)


class NamedMoveView(RequestScope):
    named: NamedMove
    error_statuses = {"POST": (409,)}

    @property
    def roles(self) -> dict[str, frozenset]:  # type: ignore[override]
        return {"POST": self.named.roles}

    def check_starting_status(self) -> None:
        if self.object.status not in self.named.from_statuses:
            raise InvalidTransition(
                f"A request that is {self.object.get_status_display().lower()} cannot be asked to {self.named.name}."
            )

    def make_move(self) -> Response:
        """The move as a plain step of the state machine, its note taken from the move's own field."""
        data = self.validated(self.named.input)
        self.check_starting_status()
        note = data.get(self.named.note_field, "") if self.named.note_field else ""
        try:
            return self.move(to_status=self.named.to_status, note=note)
        except DjangoValidationError as exc:
            # The state machine asks for a "note"; here the field has the move's own name (reason, notes).
            if self.named.note_field and "note" in getattr(exc, "error_dict", {}):
                raise ValidationError({self.named.note_field: exc.message_dict["note"]}) from exc
            raise


class RequestCancelView(NamedMoveView):
    named = CANCEL

    @extend_schema(**CANCEL.schema())
    def post(self, request: Request, pk: int) -> Response:
        return self.make_move()


class RequestConfirmView(NamedMoveView):
    named = CONFIRM

    @extend_schema(**CONFIRM.schema())
    def post(self, request: Request, pk: int) -> Response:
        return self.make_move()


class RequestReopenView(NamedMoveView):
    named = REOPEN

    @extend_schema(**REOPEN.schema())
    def post(self, request: Request, pk: int) -> Response:
        return self.make_move()


class RequestAcceptView(NamedMoveView):
    named = ACCEPT

    @extend_schema(**ACCEPT.schema())
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(AcceptInput)
        self.check_starting_status()
        offer = selectors.request_open_offer(request=self.object, user=request.user)
        if offer is None:
            # A reopened job the contractor comes back to: no offer, the state machine's move.
            if "start" in data:
                raise ValidationError({"start": "Book the visit with visit/ once you have accepted."})
            return self.move(to_status=ACCEPT.to_status, note="")
        with transaction.atomic():
            services.job_offer_accept(
                offer=offer,
                actor=Actor.of(request.user),
                start=data.get("start"),
                duration_minutes=data["duration_minutes"],
            )
            return self.after_write()


class RequestDeclineView(NamedMoveView):
    named = DECLINE

    @extend_schema(**DECLINE.schema())
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(RequiredReasonInput)
        self.check_starting_status()
        offer = selectors.request_open_offer(request=self.object, user=request.user)
        if offer is None:  # given before offers existed
            return self.make_move()
        with transaction.atomic():
            services.job_offer_decline(offer=offer, actor=Actor.of(request.user), reason=data["reason"])
            return self.after_write()


class RequestStartView(NamedMoveView):
    named = START

    @extend_schema(**START.schema())
    def post(self, request: Request, pk: int) -> Response:
        self.check_starting_status()
        with transaction.atomic():
            services.job_start(request=self.object, actor=Actor.of(request.user))
            return self.after_write()


class RequestCompleteView(NamedMoveView):
    named = COMPLETE

    @extend_schema(**COMPLETE.schema())
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(CompletionInput)
        self.check_starting_status()
        lines = [dict(line) for line in data.get("lines", [])]
        with transaction.atomic():
            services.job_complete(request=self.object, actor=Actor.of(request.user), notes=data["notes"], lines=lines)
            return self.after_write()


class RequestVisitView(RequestScope):
    roles = {"POST": frozenset({STAFF, CONTRACTOR})}
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Propose or move the visit",
        description="The contractor (or staff) proposes a time for the visit, or moves the one booked; a confirmed "
        "visit stays confirmed at its new time. 409 when the contractor is busy then (code double_booking) or "
        "the job is not assigned, scheduled or reopened.",
        request=VisitInput,
        responses={200: RequestDetailOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(VisitInput)
        with transaction.atomic():
            services.appointment_reschedule(request=self.object, actor=Actor.of(request.user), **data)
            return self.detail(self.rescoped(self.object))


class RequestTriageView(RequestScope):
    roles = {"POST": STAFF_ONLY}
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Override the triage (staff)",
        description="Category, priority and cost estimate, with the reason; the due-by time follows the priority.",
        request=TriageInput,
        responses={200: RequestDetailOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(TriageInput)
        with transaction.atomic():
            services.maintenance_request_set_triage(request=self.object, actor=Actor.of(request.user), **data)
            fresh = self.rescoped(self.object)
        return self.detail(fresh)


class RequestAssignView(RequestScope):
    roles = {"POST": STAFF_ONLY}
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Give the job to a contractor (staff)",
        request=AssignInput,
        responses={200: RequestDetailOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(AssignInput)
        with transaction.atomic():
            services.maintenance_request_assign(
                request=self.object, contractor=data["contractor"], actor=Actor.of(request.user), note=data["note"]
            )
            fresh = self.rescoped(self.object)
        return self.detail(fresh)


class RequestRateView(RequestScope):
    roles = {"POST": frozenset({TENANT})}
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Rate the work (the tenant who reported it)",
        description="1 to 5, once the work is completed; rating again replaces the score. Quality control reads "
        "the rating and the feedback.",
        request=RatingInput,
        responses={200: RequestDetailOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(RatingInput)
        with transaction.atomic():
            services.maintenance_request_rate(request=self.object, actor=Actor.of(request.user), **data)
            return self.detail(self.rescoped(self.object))


class RequestCommentsView(RequestScope):
    @extend_schema(
        tags=TAGS,
        summary="The request's comments",
        description="Tenants and contractors see the shared ones; staff all.",
        responses={200: CommentOutput(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        comments = selectors.request_comments(request=self.object, user=request.user)
        return self.paginated(comments, CommentOutput)

    @extend_schema(tags=TAGS, summary="Comment", request=CommentCreateInput, responses={201: CommentOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(CommentCreateInput)
        comment = services.comment_create(request=self.object, author=request.user, **data)
        return self.output(CommentOutput, comment, status=201)


class CalendarFeedOutput(serializers.Serializer):
    url = serializers.URLField(help_text="The secret address of my visits as an iCalendar feed.")


class CalendarFeedView(ScopedAPIView):
    def visible_to(self, user: User) -> QuerySet[User]:
        return User.objects.filter(pk=user.pk, is_active=True)

    @extend_schema(
        tags=["auth"],
        summary="Get my calendar feed address",
        description="A secret address to subscribe to in a calendar app (Google, Outlook, Apple): every visit "
        "of my requests or jobs. Only a digest of it is stored, so each call issues a new address and the "
        "previous one stops working (use it to revoke a shared address too).",
        request=None,
        responses={201: CalendarFeedOutput},
    )
    def post(self, request: Request) -> Response:
        token = services.calendar_feed_token_rotate(user=self.scope.get())
        path = reverse("integrations:calendar-feed", kwargs={"token": token})
        return Response({"url": f"{settings.DOMI_BASE_URL.rstrip('/')}{path}"}, status=201)
