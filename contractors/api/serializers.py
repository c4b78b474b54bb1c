from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contractors import selectors
from contractors.models import Contractor
from domi.accounts.api.serializers import InvitationCreateInput, InvitationOutput
from domi.accounts.models import Organization, User
from domi.accounts.selectors import organization_list_visible_to
from domi.api.fields import ScopedPrimaryKeyRelatedField
from domi.taxonomy import Category


class ContractorOutput(serializers.ModelSerializer):
    trades = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    service_areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="postal_prefix")
    insurance_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contractor
        fields = [
            "id",
            "organization",
            "user",
            "company_name",
            "contact_name",
            "email",
            "phone",
            "trades",
            "service_areas",
            "hourly_rate",
            "call_out_fee",
            "emergency_24_7",
            "insurance_expires_on",
            "insurance_valid",
            "licence_number",
            "rating",
            "jobs_scored",
            "is_active",
            "created_at",
        ]


class ContractorUpdateInput(serializers.ModelSerializer):
    trades = serializers.ListField(child=serializers.ChoiceField(Category.choices), allow_empty=False)
    postal_prefixes = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, help_text="Where they work: postal code prefixes."
    )

    class Meta:
        model = Contractor
        fields = [
            "company_name",
            "contact_name",
            "email",
            "phone",
            "trades",
            "postal_prefixes",
            "hourly_rate",
            "call_out_fee",
            "emergency_24_7",
            "insurance_expires_on",
            "licence_number",
            "is_active",
        ]
        validators: list = []


class ContractorCreateInput(ContractorUpdateInput):
    organization = ScopedPrimaryKeyRelatedField(
        model=Organization,
        scope=organization_list_visible_to,
        required=False,
        help_text="Only for the superuser; staff add to their own roster.",
    )
    user = ScopedPrimaryKeyRelatedField(
        model=User,
        scope=selectors.contractor_login_list_visible_to,
        required=False,
        allow_null=True,
        help_text="The contractor's login, if they have one.",
    )

    class Meta(ContractorUpdateInput.Meta):
        fields = ["organization", "user", *ContractorUpdateInput.Meta.fields]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if "organization" not in attrs:
            if user.organization is None:
                raise serializers.ValidationError({"organization": "Say whose roster the contractor joins."})
            attrs["organization"] = user.organization
        return attrs


class ContractorInvitationCreateInput(InvitationCreateInput):
    email = serializers.EmailField(
        required=False, help_text="Where the invitation goes; the contractor's e-mail address if omitted."
    )


class ContractorInvitationOutput(InvitationOutput):
    contractor = serializers.IntegerField(source="contractor_offer.contractor_id")

    class Meta(InvitationOutput.Meta):
        fields = [*InvitationOutput.Meta.fields, "contractor"]
