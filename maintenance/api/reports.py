"""Reports for the manager's dashboard: staff only (tenants and contractors get 403), scoped to the caller's
organization by maintenance.reports, which computes every figure in the database."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts.models import User
from domi.api.permissions import STAFF_ONLY
from domi.api.views import ScopedAPIView
from domi.taxonomy import Category, Priority
from maintenance import reports, selectors
from maintenance.models import MaintenanceRequest, Status

TAGS = ["reports"]


# --- input -----------------------------------------------------------------------------------------


class ReportPeriodInput(serializers.Serializer):
    since = serializers.DateField(
        required=False, help_text="First day (in the organization's time zone). Default: the 1st, five months ago."
    )
    until = serializers.DateField(required=False, help_text="Last day, included. Default: today.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("since", "until"):
            value = attrs.get(name)
            if value is not None and not reports.EARLIEST <= value <= reports.LATEST:
                raise serializers.ValidationError(
                    {name: f"A day between {reports.EARLIEST} and {reports.LATEST}, please."}
                )
        since, until = attrs.get("since"), attrs.get("until")
        if since and until:
            if since > until:
                raise serializers.ValidationError({"until": "The period ends before it begins."})
            if (until - since).days > reports.MAX_PERIOD_DAYS:
                raise serializers.ValidationError({"since": "A report covers at most two years."})
        return attrs


# --- output ----------------------------------------------------------------------------------------


class OpenRequestCountOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    priority = serializers.ChoiceField(
        choices=[("", "Not yet triaged"), *Priority.choices], help_text="Empty until the request is triaged."
    )
    count = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Of these, how many are past their due-by time.")


STAGE_CHOICES = [
    ("triage", "Triaged: first moved to triaged, awaiting approval or assigned"),
    ("assign", "Assigned: first given to a contractor"),
    ("complete", "Completed: the contractor first reported the work done"),
]


class StageTimeOverallOutput(serializers.Serializer):
    stage = serializers.ChoiceField(choices=STAGE_CHOICES)
    requests = serializers.IntegerField(help_text="Requests that reached the stage in the period.")
    median_hours = serializers.FloatField(help_text="Hours from the report to the stage, median.")
    p90_hours = serializers.FloatField(help_text="Hours from the report to the stage, 90th percentile.")


class StageTimeOutput(StageTimeOverallOutput):
    month = serializers.CharField(help_text="YYYY-MM: the month the requests reached the stage.")


class CostPropertyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CostOutput(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM: the month the invoices were submitted.")
    currency = serializers.CharField()
    invoices = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Invoiced totals, tax included.")


class PropertyCostOutput(CostOutput):
    property = CostPropertyOutput()


class CategoryCostOutput(CostOutput):
    category = serializers.ChoiceField(
        choices=[("", "Not triaged"), *Category.choices], help_text="The request's category."
    )


class OverviewOutput(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    timezone = serializers.CharField(help_text="The time zone whose midnights begin the days and months.")
    months = serializers.ListField(child=serializers.CharField(), help_text="Every month of the period, YYYY-MM.")
    open_requests = OpenRequestCountOutput(many=True, help_text="Open now, whatever the period.")
    times = StageTimeOutput(many=True, help_text="Per stage and month; months without such requests are left out.")
    times_overall = StageTimeOverallOutput(many=True, help_text="Per stage, over the whole period.")
    costs_by_property = PropertyCostOutput(many=True, help_text="Approved and paid invoices.")
    costs_by_category = CategoryCostOutput(many=True, help_text="Approved and paid invoices.")


# --- views -----------------------------------------------------------------------------------------


class ReportOverviewView(ScopedAPIView):
    roles = {"GET": STAFF_ONLY}
    error_statuses = {"GET": (400,)}

    def visible_to(self, user: User) -> QuerySet[MaintenanceRequest]:
        return selectors.request_list_visible_to(user)

    @extend_schema(
        tags=TAGS,
        summary="The maintenance overview for the dashboard (staff)",
        description="Open requests by status and priority; hours from the report to triage, assignment and "
        "completion (median and 90th percentile, per month and overall, from the requests' timelines); approved "
        "and paid invoices by property and by category per month. Staff see their organization's figures. Days "
        "and months are the organization's.",
        parameters=[ReportPeriodInput],
        responses={200: OverviewOutput},
    )
    def get(self, request: Request) -> Response:
        period = ReportPeriodInput(data=request.query_params, context=self.get_serializer_context())
        period.is_valid(raise_exception=True)
        overview = reports.maintenance_overview(user=request.user, **period.validated_data)
        return self.output(OverviewOutput, overview)
