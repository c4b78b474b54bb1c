from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contractors.models import Contractor
from contractors.selectors import contractor_list_assignable_by
from domi.accounts.models import User
from domi.api.fields import ScopedPrimaryKeyRelatedField
from domi.taxonomy import Category, Priority
from maintenance import selectors, services
from maintenance.actors import Actor
from maintenance.models import (
    OPEN_STATUSES,
    Appointment,
    Attachment,
    Comment,
    JobLine,
    JobOffer,
    MaintenanceRequest,
    RequestEvent,
    Status,
)
from properties.models import Property, Unit
from properties.selectors import unit_list_visible_to

# --- output ----------------------------------------------------------------------------------------


def _display_name(user: User | None) -> str:
    """A person as others see them: their name, else their role. Never their e-mail address."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_role_display()


class PersonOutput(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)


class ActorOutput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("user", "A person"), ("agent", "An AI agent or system job")])
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices, allow_null=True)


class RequestPropertyOutput(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = ["id", "name", "address_line1", "address_line2", "city", "postal_code"]


class RequestUnitOutput(serializers.ModelSerializer):
    property = RequestPropertyOutput()

    class Meta:
        model = Unit
        fields = ["id", "label", "floor", "property"]


class RequestContractorOutput(serializers.ModelSerializer):
    class Meta:
        model = Contractor
        fields = ["id", "company_name"]


class ReporterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_null=True, help_text="Hidden from a contractor until they accept the job.")
    phone = serializers.CharField(
        allow_null=True, help_text="Hidden from a contractor before they accept the job and after its grace period."
    )


class EventOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RequestEvent
        fields = ["id", "kind", "from_status", "to_status", "actor", "note", "created_at"]

    @extend_schema_field(ActorOutput)
    def get_actor(self, event: RequestEvent) -> dict[str, Any]:
        if event.actor_user_id:
            return {"type": "user", "name": _display_name(event.actor_user), "role": event.actor_user.role}
        return {"type": "agent", "name": event.actor_agent or "system", "role": None}


class CommentOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "visibility", "created_at"]

    @extend_schema_field(PersonOutput)
    def get_author(self, comment: Comment) -> dict[str, Any]:
        return {"name": _display_name(comment.author), "role": comment.author.role}


class AppointmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Appointment
        fields = ["id", "contractor", "start", "end", "status"]


class AttachmentOutput(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "content_type", "size", "created_at"]


class JobOfferOutput(serializers.ModelSerializer):
    class Meta:
        model = JobOffer
        fields = ["id", "contractor", "status", "offered_at", "reminded_at", "expires_at"]


class RequestListOutput(serializers.ModelSerializer):
    unit = RequestUnitOutput()
    assigned_contractor = RequestContractorOutput(allow_null=True)
    is_overdue = serializers.BooleanField()

    class Meta:
        model = MaintenanceRequest
        fields = [
            "id",
            "public_id",
            "title",
            "status",
            "category",
            "priority",
            "unit",
            "assigned_contractor",
            "due_by",
            "is_overdue",
            "created_at",
            "updated_at",
        ]


class RequestListRows:
    """The requests list read as plain rows: the API's busiest read, without a model or field object per value.

    RequestListOutput stays the documented shape of each item; tests hold the two equal, row for row.
    """

    COLUMNS = (
        "id",
        "public_id",
        "title",
        "status",
        "category",
        "priority",
        "due_by",
        "created_at",
        "updated_at",
        "unit_id",
        "unit__label",
        "unit__floor",
        "unit__property_id",
        "unit__property__name",
        "unit__property__address_line1",
        "unit__property__address_line2",
        "unit__property__city",
        "unit__property__postal_code",
        "assigned_contractor_id",
        "assigned_contractor__company_name",
    )

    @classmethod
    def rows(cls, queryset: QuerySet[MaintenanceRequest]) -> QuerySet:
        return queryset.values_list(*cls.COLUMNS)

    @classmethod
    def render(cls, rows: Iterable[tuple]) -> list[dict[str, Any]]:
        now = timezone.now()
        zone = timezone.get_current_timezone()

        in_utc = getattr(zone, "key", None) == "UTC" or zone is UTC

        def iso(value: datetime | None) -> str | None:
            # As DRF's DateTimeField writes it: in the current time zone, UTC as "Z".
            if value is None:
                return None
            if in_utc and value.tzinfo is UTC:  # as the database hands them over: no conversion to make
                return value.isoformat()[:-6] + "Z"
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return [
            {
                "id": pk,
                "public_id": str(public_id),
                "title": title,
                "status": status,
                "category": category,
                "priority": priority,
                "unit": {
                    "id": unit_id,
                    "label": unit_label,
                    "floor": unit_floor,
                    "property": {
                        "id": property_id,
                        "name": property_name,
                        "address_line1": address_line1,
                        "address_line2": address_line2,
                        "city": city,
                        "postal_code": postal_code,
                    },
                },
                "assigned_contractor": None
                if contractor_id is None
                else {"id": contractor_id, "company_name": contractor_name},
                "due_by": iso(due_by),
                "is_overdue": status in OPEN_STATUSES and due_by is not None and due_by < now,
                "created_at": iso(created_at),
                "updated_at": iso(updated_at),
            }
            for (
                pk,
                public_id,
                title,
                status,
                category,
                priority,
                due_by,
                created_at,
                updated_at,
                unit_id,
                unit_label,
                unit_floor,
                property_id,
                property_name,
                address_line1,
                address_line2,
                city,
                postal_code,
                contractor_id,
                contractor_name,
            ) in rows
        ]


class RequestDetailOutput(RequestListOutput):
    """A request with its timeline, comments, visits and files, as far as the caller may see them."""

    reporter = serializers.SerializerMethodField()
    job_offer = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    appointments = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(RequestListOutput.Meta):
        fields = [
            *RequestListOutput.Meta.fields,
            "description",
            "permission_to_enter",
            "availability_windows",
            "estimated_cost_min",
            "estimated_cost_max",
            "safety_instructions",
            "reporter",
            "triaged_at",
            "assigned_at",
            "completed_at",
            "closed_at",
            "tenant_rating",
            "job_offer",
            "allowed_transitions",
            "timeline",
            "comments",
            "appointments",
            "attachments",
        ]

    @property
    def _user(self) -> User:
        return self.context["user"]

    @extend_schema_field(ReporterOutput)
    def get_reporter(self, request: MaintenanceRequest) -> dict[str, Any]:
        reporter = request.reporter
        contact = selectors.request_reporter_contact_visible(request=request, user=self._user)
        return {
            "id": reporter.pk,
            "name": _display_name(reporter),
            "email": reporter.email if contact else None,
            "phone": reporter.phone if contact else None,
        }

    @extend_schema_field(JobOfferOutput(allow_null=True))
    def get_job_offer(self, request: MaintenanceRequest) -> dict[str, Any] | None:
        offer = selectors.request_open_offer(request=request, user=self._user)
        return JobOfferOutput(offer, context=self.context).data if offer else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Status.choices)))
    def get_allowed_transitions(self, request: MaintenanceRequest) -> list[str]:
        return services.allowed_transitions(request=request, actor=Actor.of(self._user))

    @extend_schema_field(EventOutput(many=True))
    def get_timeline(self, request: MaintenanceRequest) -> list[dict[str, Any]]:
        events = selectors.request_timeline(request=request, user=self._user)
        return EventOutput(events, many=True, context=self.context).data

    @extend_schema_field(CommentOutput(many=True))
    def get_comments(self, request: MaintenanceRequest) -> list[dict[str, Any]]:
        comments = selectors.request_comments(request=request, user=self._user)
        return CommentOutput(comments, many=True, context=self.context).data

    @extend_schema_field(AppointmentOutput(many=True))
    def get_appointments(self, request: MaintenanceRequest) -> list[dict[str, Any]]:
        appointments = selectors.request_appointments(request=request, user=self._user)
        return AppointmentOutput(appointments, many=True, context=self.context).data

    @extend_schema_field(AttachmentOutput(many=True))
    def get_attachments(self, request: MaintenanceRequest) -> list[dict[str, Any]]:
        attachments = selectors.request_attachments(request=request, user=self._user)
        return AttachmentOutput(attachments, many=True, context=self.context).data


class AllowedTransitionsOutput(serializers.Serializer):
    allowed_transitions = serializers.ListField(child=serializers.ChoiceField(choices=Status.choices))


# --- input -----------------------------------------------------------------------------------------


class AvailabilityWindowInput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


def _units_to_report_in(user: User) -> QuerySet[Unit]:
    # With the property: the create service reads the unit's organization from it.
    return unit_list_visible_to(user).select_related("property")


class RequestCreateInput(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(
        model=Unit,
        scope=_units_to_report_in,
        help_text="Tenants: a unit they rent now. Staff: a unit of their organization.",
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    permission_to_enter = serializers.BooleanField(default=False)
    availability_windows = AvailabilityWindowInput(many=True, required=False, max_length=20)

    def validate_availability_windows(self, windows: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [{"start": w["start"].isoformat(), "end": w["end"].isoformat()} for w in windows]


class TransitionInput(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NoInput(serializers.Serializer):
    """No body is needed."""


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequiredReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class JobLineInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JobLine.Kind.choices)
    description = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0))


class CompletionInput(serializers.Serializer):
    notes = serializers.CharField(max_length=5000, help_text="What was done.")
    lines = JobLineInput(many=True, required=False, max_length=50, help_text="Labour and parts, for the invoice.")


class AcceptInput(serializers.Serializer):
    start = serializers.DateTimeField(
        required=False, help_text="Confirm the visit at this time (moves a proposed visit, or books one)."
    )
    duration_minutes = serializers.IntegerField(min_value=15, max_value=12 * 60, default=120)


class VisitInput(serializers.Serializer):
    start = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=15, max_value=12 * 60, required=False, help_text="Default: as long as the visit it moves, or 2 h."
    )


class TriageInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    priority = serializers.ChoiceField(choices=Priority.choices)
    estimated_cost_min = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True, default=None
    )
    estimated_cost_max = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True, default=None
    )
    safety_instructions = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=20
    )
    reason = serializers.CharField(max_length=2000, help_text="Why staff override the triage.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("estimated_cost_min"), attrs.get("estimated_cost_max")
        if low is not None and high is not None and high < low:
            raise serializers.ValidationError({"estimated_cost_max": "The upper estimate is below the lower one."})
        return attrs


class AssignInput(serializers.Serializer):
    contractor = ScopedPrimaryKeyRelatedField(
        model=Contractor, scope=contractor_list_assignable_by, help_text="An active contractor of the roster."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RatingInput(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    feedback = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text="Becomes a shared comment."
    )


class CommentCreateInput(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    visibility = serializers.ChoiceField(
        choices=Comment.Visibility.choices,
        default=Comment.Visibility.SHARED,
        help_text="Only staff may write staff-only comments.",
    )
