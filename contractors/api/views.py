from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from contractors import selectors, services
from contractors.models import Contractor
from domi.accounts.models import User
from domi.api.permissions import CONTRACTOR, STAFF, STAFF_ONLY
from domi.api.ratelimit import ratelimit
from domi.api.views import ScopedAPIView

from .filters import ContractorFilter
from .serializers import (
    ContractorCreateInput,
    ContractorInvitationCreateInput,
    ContractorInvitationOutput,
    ContractorOutput,
    ContractorUpdateInput,
)


class ContractorScope(ScopedAPIView):
    filterset_class = ContractorFilter
    roles = {"GET": frozenset({STAFF, CONTRACTOR}), "POST": STAFF_ONLY, "PATCH": STAFF_ONLY}

    def visible_to(self, user: User) -> QuerySet[Contractor]:
        return selectors.contractor_list_visible_to(user).prefetch_related("trades", "service_areas")


class ContractorListView(ContractorScope):
    @extend_schema(
        tags=["contractors"],
        summary="List contractors",
        description="Staff: the organization's roster. Contractors: their own entry.",
        responses={200: ContractorOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, ContractorOutput)

    @extend_schema(
        tags=["contractors"],
        summary="Add a contractor to the roster",
        request=ContractorCreateInput,
        responses={201: ContractorOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(ContractorCreateInput)
        with transaction.atomic():
            contractor = self.rescoped(services.contractor_create(**data))
        return self.output(ContractorOutput, contractor, status=201)


class ContractorDetailView(ContractorScope):
    @extend_schema(tags=["contractors"], summary="A contractor", responses={200: ContractorOutput})
    def get(self, request: Request, pk: int) -> Response:
        return self.output(ContractorOutput, self.object)

    @extend_schema(
        tags=["contractors"],
        summary="Edit a contractor",
        description="`trades` and `postal_prefixes`, when given, replace the contractor's.",
        request=ContractorUpdateInput,
        responses={200: ContractorOutput},
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = self.validated(ContractorUpdateInput, partial=True)
        with transaction.atomic():
            contractor = services.contractor_update(contractor=self.object, **data)
            contractor = self.rescoped(contractor)
        return self.output(ContractorOutput, contractor)


class ContractorInvitationView(ContractorScope):
    roles = {"POST": STAFF_ONLY}
    error_statuses = {"POST": (409, 429)}

    @extend_schema(
        tags=["invitations"],
        summary="Invite this contractor to sign in",
        description="Mails an invitation link (see /auth/invitations/accept/) to the address given, else to the "
        "contractor's; accepting it makes their account, which becomes this roster entry's login. 409 "
        "`contractor_has_login`, `invitation_pending` or `account_exists`. Limited per staff member.",
        request=ContractorInvitationCreateInput,
        responses={201: ContractorInvitationOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        ratelimit(request, group="invitations.send.user", rate="invitation_send_per_user", key="user")
        data = self.validated(ContractorInvitationCreateInput)
        invitation = services.contractor_invitation_create(contractor=self.object, invited_by=request.user, **data)
        return self.output(ContractorInvitationOutput, invitation, status=201)
