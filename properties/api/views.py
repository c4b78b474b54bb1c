from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts.models import User
from domi.api.permissions import STAFF, STAFF_ONLY, TENANT
from domi.api.ratelimit import ratelimit
from domi.api.views import ScopedAPIView
from properties import selectors, services
from properties.models import Property, Tenancy, Unit

from .filters import PropertyFilter, TenancyFilter, UnitFilter
from .serializers import (
    PropertyCreateInput,
    PropertyOutput,
    PropertyUpdateInput,
    TenancyCreateInput,
    TenancyInvitationCreateInput,
    TenancyInvitationOutput,
    TenancyOutput,
    TenancyUpdateInput,
    UnitCreateInput,
    UnitOutput,
    UnitUpdateInput,
)

STAFF_AND_TENANTS = frozenset({STAFF, TENANT})


class PropertyScope(ScopedAPIView):
    filterset_class = PropertyFilter
    roles = {"GET": STAFF_ONLY, "POST": STAFF_ONLY, "PATCH": STAFF_ONLY}

    def visible_to(self, user: User) -> QuerySet[Property]:
        return selectors.property_list_visible_to(user)


class PropertyListView(PropertyScope):
    @extend_schema(tags=["properties"], summary="List properties", responses={200: PropertyOutput(many=True)})
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, PropertyOutput)

    @extend_schema(
        tags=["properties"], summary="Add a property", request=PropertyCreateInput, responses={201: PropertyOutput}
    )
    def post(self, request: Request) -> Response:
        data = self.validated(PropertyCreateInput)
        with transaction.atomic():
            prop = services.property_create(**data)
            prop = self.rescoped(prop)
        return self.output(PropertyOutput, prop, status=201)


class PropertyDetailView(PropertyScope):
    @extend_schema(tags=["properties"], summary="A property", responses={200: PropertyOutput})
    def get(self, request: Request, pk: int) -> Response:
        return self.output(PropertyOutput, self.object)

    @extend_schema(
        tags=["properties"], summary="Edit a property", request=PropertyUpdateInput, responses={200: PropertyOutput}
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = self.validated(PropertyUpdateInput, partial=True)
        return self.output(PropertyOutput, services.property_update(property=self.object, **data))


class UnitScope(ScopedAPIView):
    filterset_class = UnitFilter
    roles = {"GET": STAFF_AND_TENANTS, "POST": STAFF_ONLY, "PATCH": STAFF_ONLY}

    def visible_to(self, user: User) -> QuerySet[Unit]:
        return selectors.unit_list_visible_to(user).select_related("property")


class UnitListView(UnitScope):
    @extend_schema(
        tags=["properties"],
        summary="List units",
        description="Staff: the organization's units. Tenants: the units they rent now.",
        responses={200: UnitOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, UnitOutput)

    @extend_schema(tags=["properties"], summary="Add a unit", request=UnitCreateInput, responses={201: UnitOutput})
    def post(self, request: Request) -> Response:
        data = self.validated(UnitCreateInput)
        with transaction.atomic():
            unit = self.rescoped(services.unit_create(**data))
        return self.output(UnitOutput, unit, status=201)


class UnitDetailView(UnitScope):
    @extend_schema(tags=["properties"], summary="A unit", responses={200: UnitOutput})
    def get(self, request: Request, pk: int) -> Response:
        return self.output(UnitOutput, self.object)

    @extend_schema(tags=["properties"], summary="Edit a unit", request=UnitUpdateInput, responses={200: UnitOutput})
    def patch(self, request: Request, pk: int) -> Response:
        data = self.validated(UnitUpdateInput, partial=True)
        return self.output(UnitOutput, services.unit_update(unit=self.object, **data))


class UnitInvitationView(UnitScope):
    roles = {"POST": STAFF_ONLY}
    error_statuses = {"POST": (409, 429)}

    @extend_schema(
        tags=["invitations"],
        summary="Invite a tenant to this unit",
        description="Mails an invitation link to the address (see /auth/invitations/accept/); accepting it "
        "makes the tenant's account and their tenancy of this unit from `start_date`. 409 `account_exists` "
        "when the address already has an account (give them a tenancy instead), `invitation_pending` when "
        "it already has an open invitation here. Limited per staff member.",
        request=TenancyInvitationCreateInput,
        responses={201: TenancyInvitationOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        ratelimit(request, group="invitations.send.user", rate="invitation_send_per_user", key="user")
        data = self.validated(TenancyInvitationCreateInput)
        invitation = services.tenancy_invitation_create(unit=self.object, invited_by=request.user, **data)
        return self.output(TenancyInvitationOutput, invitation, status=201)


class TenancyScope(ScopedAPIView):
    filterset_class = TenancyFilter
    roles = {"GET": STAFF_AND_TENANTS, "POST": STAFF_ONLY, "PATCH": STAFF_ONLY}

    def visible_to(self, user: User) -> QuerySet[Tenancy]:
        return selectors.tenancy_list_visible_to(user).select_related("tenant", "unit__property")


class TenancyListView(TenancyScope):
    @extend_schema(
        tags=["properties"],
        summary="List tenancies",
        description="Staff: the organization's tenancies. Tenants: their own.",
        responses={200: TenancyOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, TenancyOutput)

    @extend_schema(
        tags=["properties"],
        summary="Move a tenant into a unit",
        request=TenancyCreateInput,
        responses={201: TenancyOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(TenancyCreateInput)
        with transaction.atomic():
            tenancy = self.rescoped(services.tenancy_create(**data))
        return self.output(TenancyOutput, tenancy, status=201)


class TenancyDetailView(TenancyScope):
    @extend_schema(tags=["properties"], summary="A tenancy", responses={200: TenancyOutput})
    def get(self, request: Request, pk: int) -> Response:
        return self.output(TenancyOutput, self.object)

    @extend_schema(
        tags=["properties"],
        summary="Set the day a tenancy ends",
        request=TenancyUpdateInput,
        responses={200: TenancyOutput},
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = self.validated(TenancyUpdateInput)
        return self.output(TenancyOutput, services.tenancy_end(tenancy=self.object, end_date=data["end_date"]))
