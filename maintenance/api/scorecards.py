"""Contractor scorecards: how each contractor of the roster does on the jobs.

Read by maintenance.selectors.contractor_scorecards. Staff see their organization's contractors, a contractor their
own card (contractors.selectors scopes the roster).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from contractors.models import Contractor
from contractors.selectors import contractor_list_visible_to
from domi.accounts.models import User
from domi.api.permissions import CONTRACTOR, STAFF
from domi.api.views import ScopedAPIView
from maintenance import selectors

from .serializers import RequestContractorOutput

TAGS = ["contractors"]


class ScorecardOutput(serializers.Serializer):
    contractor = RequestContractorOutput()
    rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Quality control's score, 0 to 5."
    )
    jobs_scored = serializers.IntegerField(help_text="How many finished jobs the rating averages.")
    offers_answered = serializers.IntegerField(help_text="Job offers accepted, declined or left to expire.")
    acceptance_rate = serializers.FloatField(allow_null=True, help_text="Share of answered offers accepted.")
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Share of visits where the work started within 15 minutes of the booked time."
    )
    avg_hours_to_complete = serializers.FloatField(allow_null=True, help_text="From assignment to completion.")
    reopen_rate = serializers.FloatField(allow_null=True, help_text="Share of completed jobs that were reopened.")
    cost_vs_estimate = serializers.FloatField(
        allow_null=True, help_text="Invoiced total over the estimate, on average (1.0 is on the estimate)."
    )
    tenant_rating = serializers.FloatField(allow_null=True, help_text="The tenants' own average rating, 1 to 5.")


def _cards(contractors: list[Contractor]) -> list[dict[str, Any]]:
    """One scorecard per contractor, all read by the selector at once (a fixed number of queries)."""
    cards = selectors.contractor_scorecards(contractor_ids=[c.pk for c in contractors])
    return [{"contractor": c, "rating": c.rating, "jobs_scored": c.jobs_scored, **cards[c.pk]} for c in contractors]


class ScorecardScope(ScopedAPIView):
    roles = {"GET": frozenset({STAFF, CONTRACTOR})}

    def visible_to(self, user: User) -> QuerySet[Contractor]:
        return contractor_list_visible_to(user).order_by("company_name", "id")


class ScorecardListView(ScorecardScope):
    @extend_schema(
        tags=TAGS,
        summary="Contractor scorecards",
        description="Staff: every contractor of their organization. Contractors: their own. Rates are shares from "
        "0 to 1, null while there is nothing to measure.",
        responses={200: ScorecardOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.scope)
        data = ScorecardOutput(_cards(page), many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class ContractorScorecardView(ScorecardScope):
    @extend_schema(tags=TAGS, summary="A contractor's scorecard", responses={200: ScorecardOutput})
    def get(self, request: Request, pk: int) -> Response:
        (card,) = _cards([self.object])
        return self.output(ScorecardOutput, card)
