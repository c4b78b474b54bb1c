from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts import personal_data, selectors, services, signin_throttle
from domi.accounts.authentication import TokenRefused
from domi.accounts.models import Invitation, User
from domi.api.permissions import STAFF_ONLY
from domi.api.ratelimit import ratelimit, request_data_key
from domi.api.views import PublicAPIView, ScopedAPIView

from . import tokens
from .filters import InvitationFilter
from .serializers import (
    DetailOutput,
    EmailChangeInput,
    EmailStatusOutput,
    InvitationAcceptInput,
    InvitationOutput,
    InvitationPreviewOutput,
    KeyInput,
    MeOutput,
    MeUpdateInput,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    RefreshInput,
    TokenObtainInput,
    TokenPairOutput,
)


class TokenObtainView(PublicAPIView):
    error_statuses = {"POST": (401, 429)}

    @extend_schema(
        tags=["auth"],
        summary="Sign in",
        description="Exchange an e-mail address and password for an access and a refresh token. "
        "Attempts are limited per address, failures per account and address, and per account from "
        "addresses it never signed in from (429 with Retry-After: a cool-down, not a lock-out).",
        request=TokenObtainInput,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request) -> Response:
        wait = signin_throttle.signin_wait(request, email=request_data_key("email")("", request))
        if wait:
            raise Throttled(wait=wait)
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


class OwnAccountView(ScopedAPIView):
    """An endpoint about the caller's own account."""

    def visible_to(self, user: User) -> QuerySet[User]:
        return User.objects.filter(pk=user.pk, is_active=True).prefetch_related("emailaddress_set")

    def own_account(self) -> User:
        """The account read now: deactivated since the token's user was read (domi/accounts/authentication.py
        keeps it a few seconds), the caller is signed out (401), not answered from a row that is gone."""
        try:
            return self.scope.get()
        except User.DoesNotExist:
            raise TokenRefused("account_inactive") from None

    def email_status(self, user: User, *, status: int = 200) -> Response:
        # Read again: the write may have changed the addresses the scope prefetched.
        return self.output(EmailStatusOutput, self.visible_to(user).get(), status=status)


class MeView(OwnAccountView):
    def visible_to(self, user: User) -> QuerySet[User]:
        return (
            User.objects.filter(pk=user.pk, is_active=True)
            .select_related("organization")
            .prefetch_related("emailaddress_set")
        )

    @extend_schema(tags=["auth"], summary="Who I am", responses={200: MeOutput})
    def get(self, request: Request) -> Response:
        return self.output(MeOutput, self.own_account())

    @extend_schema(tags=["auth"], summary="Edit my profile", request=MeUpdateInput, responses={200: MeOutput})
    def patch(self, request: Request) -> Response:
        data = self.validated(MeUpdateInput, partial=True)
        user = services.user_profile_update(user=self.own_account(), **data)
        return self.output(MeOutput, user)


class PersonalDataExportView(OwnAccountView):
    @extend_schema(
        tags=["auth"],
        summary="Download my personal data",
        description="A zip: personal-data.json (the profile, requests, comments, messages sent, tenancies, "
        "preferences) and files/ (every file the person uploaded).",
        responses={(200, "application/zip"): bytes},
    )
    def get(self, request: Request) -> HttpResponse:
        user = self.own_account()
        archive = personal_data.personal_data_export(user=user, by=user)
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="domi-personal-data.zip"'
        return response


# --- e-mail verification and change

PORTAL_LINKS = "The e-mail links to the portal (DOMI_PORTAL_URL), which reads the key from the link and posts it here"


class EmailVerifyView(PublicAPIView):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=["auth"],
        summary="Verify an e-mail address",
        description=f"{PORTAL_LINKS}: `{{portal}}/?action=verify-email&key=...`. No sign-in needed. The key "
        "works once, for ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS; a used, expired or altered key is 400 "
        "`invalid_key`. Verifying the new address of an e-mail change makes it the sign-in address (409 "
        "`email_taken` if another account took it meanwhile).",
        request=KeyInput,
        responses={200: EmailStatusOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(KeyInput)
        address = services.email_verify(key=data["key"])
        user = User.objects.prefetch_related("emailaddress_set").get(pk=address.user_id)
        return self.output(EmailStatusOutput, user)


class EmailResendView(OwnAccountView):
    error_statuses = {"POST": (409, 429)}

    @extend_schema(
        tags=["auth"],
        summary="Send the verification link again",
        description="Mails a verification link to the new address of an e-mail change under way, else to the "
        "sign-in address; 409 `already_verified` when there is nothing to verify. Limited per person.",
        request=None,
        responses={202: EmailStatusOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.verification.user", rate="verification_send_per_user", key="user")
        user = self.own_account()
        services.email_verification_send(user=user)
        return self.email_status(user, status=202)


class EmailChangeView(OwnAccountView):
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=["auth"],
        summary="Change my sign-in address",
        description="Needs the current password. Mails a verification link to the new address; it becomes "
        "the sign-in address once the link is opened (see /auth/email/verify/), and the old address is told. "
        "Until then the old address stays the login. Limited per person.",
        request=EmailChangeInput,
        responses={202: EmailStatusOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.verification.user", rate="verification_send_per_user", key="user")
        data = self.validated(EmailChangeInput)
        user = self.own_account()
        services.email_change_request(user=user, **data)
        return self.email_status(user, status=202)


# --- passwords

RESET_ANSWER = "If an active account signs in with this address, a link to reset its password is on its way."


class PasswordResetView(PublicAPIView):
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=["auth"],
        summary="Ask for a password-reset link",
        description="Always the same answer (202), whether or not an account uses the address, so the answer "
        f"tells nobody who has an account. {PORTAL_LINKS} with the uid: "
        "`{portal}/?action=reset-password&uid=...&key=...`. Limited per address and per e-mail.",
        request=PasswordResetInput,
        responses={202: DetailOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.password_reset.ip", rate="password_reset_per_ip", key="ip")
        ratelimit(
            request, group="auth.password_reset.email", rate="password_reset_per_email", key=request_data_key("email")
        )
        data = self.validated(PasswordResetInput)
        services.password_reset_request(email=data["email"])
        return Response({"detail": RESET_ANSWER}, status=202)


class PasswordResetConfirmView(PublicAPIView):
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=["auth"],
        summary="Set a new password with a reset link",
        description="The uid and key come from the link in the reset e-mail. The key works once and for "
        "PASSWORD_RESET_TIMEOUT_HOURS; otherwise 400 `invalid_key`. The new password must pass the password "
        "rules (400 with `fields.new_password`). Every refresh token of the account is revoked: sign in again. "
        "Limited per address.",
        request=PasswordResetConfirmInput,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.password_reset_confirm.ip", rate="password_reset_confirm_per_ip", key="ip")
        data = self.validated(PasswordResetConfirmInput)
        services.password_reset_confirm(**data)
        return Response(status=204)


class PasswordChangeView(OwnAccountView):
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=["auth"],
        summary="Change my password",
        description="Needs the current password (400 with `fields.current_password` when wrong); the new one "
        "must pass the password rules. Every refresh token of the account is revoked, this device gets a "
        "new pair in the answer. Limited per person.",
        request=PasswordChangeInput,
        responses={200: TokenPairOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.password_change.user", rate="password_change_per_user", key="user")
        data = self.validated(PasswordChangeInput)
        user = services.password_change(user=self.own_account(), **data)
        return Response(tokens.token_pair_for(user=user))


# --- invitations: the invitee's side (public) and the staff's


class InvitationInspectView(PublicAPIView):
    error_statuses = {"POST": (429,)}

    @extend_schema(
        tags=["invitations"],
        summary="Read an invitation",
        description=f"{PORTAL_LINKS}: `{{portal}}/?action=accept-invitation&key=...`. Shows who is invited to "
        "what, and whether the invitation can still be accepted (`status`). 400 `invalid_key` for an unknown "
        "key (a resent invitation has a new one). Limited per address.",
        request=KeyInput,
        responses={200: InvitationPreviewOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.signup.ip", rate="signup_per_ip", key="ip")
        data = self.validated(KeyInput)
        return self.output(InvitationPreviewOutput, services.invitation_by_key(data["key"]))


class InvitationAcceptView(PublicAPIView):
    error_statuses = {"POST": (409, 429)}

    @extend_schema(
        tags=["invitations"],
        summary="Accept an invitation (sign up)",
        description="The only way to sign up. Makes the account with this password (checked by the password "
        "rules: 400 with `fields.password`), verifies its e-mail address and gives what the invitation "
        "offers (the tenancy of a unit, or the login of a contractor); then sign in at /auth/token/. "
        "409 `invitation_accepted`, `invitation_revoked` or `invitation_expired` when it cannot be accepted "
        "(once only). Limited per address.",
        request=InvitationAcceptInput,
        responses={201: MeOutput},
    )
    def post(self, request: Request) -> Response:
        ratelimit(request, group="auth.signup.ip", rate="signup_per_ip", key="ip")
        data = self.validated(InvitationAcceptInput)
        user = services.invitation_accept(**data)
        user = User.objects.select_related("organization").prefetch_related("emailaddress_set").get(pk=user.pk)
        return self.output(MeOutput, user, status=201)


class InvitationScope(ScopedAPIView):
    filterset_class = InvitationFilter
    roles = {"GET": STAFF_ONLY, "POST": STAFF_ONLY}

    def visible_to(self, user: User) -> QuerySet[Invitation]:
        return selectors.invitation_list_visible_to(user).select_related("invited_by")


class InvitationListView(InvitationScope):
    @extend_schema(
        tags=["invitations"],
        summary="List invitations",
        description="The organization's invitations of tenants and contractors. Send one from "
        "/units/{id}/invitations/ (a tenant) or /contractors/{id}/invitations/ (a contractor's login).",
        responses={200: InvitationOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, InvitationOutput)


class InvitationDetailView(InvitationScope):
    @extend_schema(tags=["invitations"], summary="An invitation", responses={200: InvitationOutput})
    def get(self, request: Request, pk: int) -> Response:
        return self.output(InvitationOutput, self.object)


class InvitationRevokeView(InvitationScope):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=["invitations"],
        summary="Revoke an invitation",
        description="Its link stops working. 409 `invitation_accepted` once accepted; revoking again is a no-op.",
        request=None,
        responses={200: InvitationOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            invitation = services.invitation_revoke(invitation=self.object, by=request.user)
            invitation = self.rescoped(invitation)
        return self.output(InvitationOutput, invitation)


class InvitationResendView(InvitationScope):
    error_statuses = {"POST": (409, 429)}

    @extend_schema(
        tags=["invitations"],
        summary="Send an invitation again",
        description="Mails a new link (the old one stops working) and starts the expiry again. 409 "
        "`invitation_closed` once accepted or revoked. Counts towards the invitations a person may send.",
        request=None,
        responses={200: InvitationOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        ratelimit(request, group="invitations.send.user", rate="invitation_send_per_user", key="user")
        with transaction.atomic():
            invitation = services.invitation_resend(invitation=self.object, by=request.user)
            invitation = self.rescoped(invitation)
        return self.output(InvitationOutput, invitation)
