from __future__ import annotations

from rest_framework import serializers

from domi.accounts.models import Organization, User


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
        ]


class MeUpdateInput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]
