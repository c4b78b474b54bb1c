from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts import services
from domi.accounts.models import User
from domi.api.ratelimit import ratelimit, request_data_key
from domi.api.views import PublicAPIView, ScopedAPIView

from . import tokens
from .serializers import MeOutput, MeUpdateInput, RefreshInput, TokenObtainInput, TokenPairOutput


class TokenObtainView(PublicAPIView):
    error_statuses = {"POST": (401, 429)}

    @extend_schema(
        tags=["auth"],
        summary="Sign in",
        description="Exchange an e-mail address and password for an access and a refresh token. "
        "Limited per address and per account (429 with Retry-After).",
        request=TokenObtainInput,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.token.ip", rate="token_per_ip", key="ip")
        ratelimit(request, group="auth.token.account", rate="token_per_account", key=request_data_key("email"))
        data = self.validated(TokenObtainInput)
        return Response(tokens.token_pair_issue(request=request, **data))


class TokenRefreshView(PublicAPIView):
    error_statuses = {"POST": (401, 429)}

    @extend_schema(
        tags=["auth"],
        summary="Refresh the tokens",
        description="A refresh token works once: the answer carries a new refresh token. Using one twice "
        "revokes every refresh token of the account.",
        request=RefreshInput,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.refresh.ip", rate="token_refresh_per_ip", key="ip")
        data = self.validated(RefreshInput)
        return Response(tokens.token_refresh(refresh=data["refresh"]))


class LogoutView(PublicAPIView):
    error_statuses = {"POST": (401,)}

    @extend_schema(
        tags=["auth"],
        summary="Sign out",
        description="Revoke the refresh token. The access token runs out on its own within minutes.",
        request=RefreshInput,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(RefreshInput)
        tokens.token_revoke(refresh=data["refresh"])
        return Response(status=204)


class MeView(ScopedAPIView):
    def visible_to(self, user: User) -> QuerySet[User]:
        return User.objects.filter(pk=user.pk, is_active=True).select_related("organization")

    @extend_schema(tags=["auth"], summary="Who I am", responses={200: MeOutput})
    def get(self, request: Request) -> Response:
        return self.output(MeOutput, self.scope.get())

    @extend_schema(tags=["auth"], summary="Edit my profile", request=MeUpdateInput, responses={200: MeOutput})
    def patch(self, request: Request) -> Response:
        data = self.validated(MeUpdateInput, partial=True)
        user = services.user_profile_update(user=self.scope.get(), **data)
        return self.output(MeOutput, user)
