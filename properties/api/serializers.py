from __future__ import annotations

from typing import Any

from rest_framework import serializers

from domi.accounts.api.serializers import InvitationCreateInput, InvitationOutput
from domi.accounts.models import Organization, User
from domi.accounts.selectors import organization_list_visible_to
from domi.api.fields import ScopedPrimaryKeyRelatedField
from properties import selectors
from properties.models import Property, Tenancy, Unit


class PropertyOutput(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = [
            "id",
            "organization",
            "name",
            "address_line1",
            "address_line2",
            "city",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "approval_limit",
            "created_at",
        ]


class PropertyUpdateInput(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = [
            "name",
            "address_line1",
            "address_line2",
            "city",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "approval_limit",
        ]
        # Uniqueness and the other rules are the service's (full_clean), in one place.
        validators: list = []


class PropertyCreateInput(PropertyUpdateInput):
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization,
        scope=organization_list_visible_to,
        required=False,
        help_text="Only for the superuser; staff create in their own organization.",
    )

    class Meta(PropertyUpdateInput.Meta):
        fields = ["organization", *PropertyUpdateInput.Meta.fields]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if "organization" not in attrs:
            if user.organization is None:
                raise serializers.ValidationError({"organization": "Say which organization the property belongs to."})
            attrs["organization"] = user.organization
        return attrs


class PropertyBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = Property
        fields = ["id", "name", "address_line1", "address_line2", "city", "postal_code", "country"]


class UnitOutput(serializers.ModelSerializer):
    property = PropertyBriefOutput()

    class Meta:
        model = Unit
        fields = ["id", "property", "label", "floor", "bedrooms", "created_at"]


class UnitUpdateInput(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["label", "floor", "bedrooms"]
        validators: list = []


class UnitCreateInput(UnitUpdateInput):
    property = ScopedPrimaryKeyRelatedField(model=Property, scope=selectors.property_list_visible_to)

    class Meta(UnitUpdateInput.Meta):
        fields = ["property", *UnitUpdateInput.Meta.fields]


class TenantBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone"]


class UnitBriefOutput(serializers.ModelSerializer):
    property = PropertyBriefOutput()

    class Meta:
        model = Unit
        fields = ["id", "label", "property"]


class TenancyOutput(serializers.ModelSerializer):
    tenant = TenantBriefOutput()
    unit = UnitBriefOutput()
    is_active = serializers.BooleanField()

    class Meta:
        model = Tenancy
        fields = ["id", "tenant", "unit", "start_date", "end_date", "is_active", "created_at"]


class TenancyCreateInput(serializers.Serializer):
    tenant = ScopedPrimaryKeyRelatedField(model=User, scope=selectors.tenant_list_visible_to)
    unit = ScopedPrimaryKeyRelatedField(model=Unit, scope=selectors.unit_list_visible_to)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)


class TenancyUpdateInput(serializers.Serializer):
    end_date = serializers.DateField(allow_null=True, help_text="The day the tenant moves out; null: open-ended.")


class TenancyInvitationCreateInput(InvitationCreateInput):
    start_date = serializers.DateField(
        required=False, help_text="When the tenancy starts (the day it is accepted at the earliest); today if omitted."
    )


class TenancyInvitationOutput(InvitationOutput):
    unit = UnitBriefOutput(source="tenancy_offer.unit")
    start_date = serializers.DateField(source="tenancy_offer.start_date")

    class Meta(InvitationOutput.Meta):
        fields = [*InvitationOutput.Meta.fields, "unit", "start_date"]
