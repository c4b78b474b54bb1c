from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from domi.accounts import selectors
from domi.accounts.models import Invitation, Organization, User


class TokenObtainInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, max_length=256)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; short-lived.")
    refresh = serializers.CharField(help_text="Exchange once at /auth/token/refresh/ for a new pair.")


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField()


class OrganizationBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "timezone"]


class MeOutput(serializers.ModelSerializer):
    organization = OrganizationBriefOutput(allow_null=True)
    email_verified = serializers.SerializerMethodField(
        help_text="Whether the sign-in address is verified (POST /auth/email/resend/ mails a new link)."
    )
    pending_email = serializers.SerializerMethodField(
        help_text="A new sign-in address waiting for its verification link; null when none."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "is_superuser",
            "organization",
            "phone",
            "language",
            "email_verified",
            "pending_email",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_email_verified(self, user: User) -> bool:
        return selectors.user_email_verified(user)

    @extend_schema_field({"type": "string", "format": "email", "nullable": True})
    def get_pending_email(self, user: User) -> str | None:
        return selectors.user_pending_email(user)


class MeUpdateInput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]


# --- e-mail verification and change


class EmailStatusOutput(serializers.Serializer):
    email = serializers.EmailField(help_text="The sign-in address.")
    email_verified = serializers.SerializerMethodField()
    pending_email = serializers.SerializerMethodField(
        help_text="A new sign-in address waiting for its verification link; null when none."
    )

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_email_verified(self, user: User) -> bool:
        return selectors.user_email_verified(user)

    @extend_schema_field({"type": "string", "format": "email", "nullable": True})
    def get_pending_email(self, user: User) -> str | None:
        return selectors.user_pending_email(user)


class KeyInput(serializers.Serializer):
    key = serializers.CharField(max_length=512, help_text="The key from the link in the e-mail.")


class EmailChangeInput(serializers.Serializer):
    email = serializers.EmailField(help_text="The new sign-in address.")
    password = serializers.CharField(
        trim_whitespace=False, style={"input_type": "password"}, max_length=256, help_text="The current password."
    )


# --- passwords


class PasswordResetInput(serializers.Serializer):
    email = serializers.EmailField()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class PasswordResetConfirmInput(serializers.Serializer):
    uid = serializers.RegexField(
        r"^[0-9a-z]{1,12}$", help_text="The `uid` of the link in the e-mail.", error_messages={"invalid": "Not a uid."}
    )
    key = serializers.CharField(max_length=128, help_text="The `key` of the link in the e-mail.")
    new_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, max_length=256)


class PasswordChangeInput(serializers.Serializer):
    current_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, max_length=256)
    new_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"}, max_length=256)


# --- invitations


class InvitationAcceptInput(KeyInput):
    password = serializers.CharField(
        trim_whitespace=False,
        style={"input_type": "password"},
        max_length=256,
        help_text="The password to sign in with, checked by the password rules.",
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class InvitationPreviewOutput(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    status = serializers.ChoiceField(choices=Invitation.Status.choices, source="current_status")

    class Meta:
        model = Invitation
        fields = ["email", "first_name", "last_name", "role", "organization", "summary", "status", "expires_at"]


class PersonBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name"]


class InvitationOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=Invitation.Status.choices,
        source="current_status",
        help_text="expired: still pending, but past expires_at (resend it for a new link).",
    )
    invited_by = PersonBriefOutput(allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organization",
            "email",
            "first_name",
            "last_name",
            "role",
            "summary",
            "status",
            "invited_by",
            "user",
            "created_at",
            "sent_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ]


class InvitationCreateInput(serializers.Serializer):
    """What every invitation asks for; the endpoints that send one add what accepting it gives."""

    email = serializers.EmailField(help_text="Where the invitation goes; the address the invitee will sign in with.")
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
