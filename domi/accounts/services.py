"""Writes to organizations and people: accounts, their e-mail addresses, passwords and invitations.

The account flows use django-allauth's machinery: EmailAddress and its HMAC confirmation keys, the
password-reset token generator and key forms, password validation, and the adapter that sends the mail
(domi/accounts/adapter.py, whose links lead to the portal). Mail goes out after the transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from allauth.account import signals as allauth_signals
from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm, ResetPasswordKeyForm, UserTokenForm, default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from domi.errors import Conflict, DomainError, NotPermitted

from .adapter import portal_link
from .models import Invitation, Organization, User


@transaction.atomic
def organization_create(*, name: str, timezone: str = "UTC", ai_autonomy: str = "approve") -> Organization:
    organization = Organization(name=name, slug=slugify(name)[:80], timezone=timezone, ai_autonomy=ai_autonomy)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    organization: Organization | None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    language: str = "en",
    email_verified: bool = False,
) -> User:
    """Create a person in one role; back-office access follows from the role.

    email_verified: the address is known to be theirs already (the demo's people, an import from a system
    that verified it); otherwise it is verified by the link of email_verification_send.
    """
    user = User(
        email=User.objects.normalize_email(email).lower(),
        role=role,
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        language=language,
        is_staff=role in User.STAFF_ROLES,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    if email_verified:
        email_mark_verified(user=user)
    return user


@transaction.atomic
def email_mark_verified(*, user: User) -> EmailAddress:
    """Record the address the person signs in with as theirs, without a link (it was proved elsewhere)."""
    address = _login_address(user)
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return address


# What people may change about themselves; the e-mail address (the login) and the role are not among them.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "phone", "language"})


@transaction.atomic
def user_profile_update(*, user: User, **changes: str) -> User:
    """A person edits their own profile: name, phone number, language."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        user.full_clean()
        user.save(update_fields=sorted(changes))
    return user


def user_role_change_check(*, by: User, user: User | None, role: str) -> None:
    """Whether `by` may give `user` (None: a person being created) this role; NotPermitted if not.

    Only an organization admin (or a superuser) grants the admin role or changes an admin's; nobody changes
    their own role; a tenant or a contractor never becomes staff, nor staff a tenant or a contractor (a
    person in another role is invited as one).
    """
    current = user.role if user is not None else None
    if current == role:
        return
    by_admin = by.is_superuser or (by.is_org_staff and by.role == User.Role.ADMIN)
    if user is not None and user.pk == by.pk:
        raise NotPermitted("Nobody changes their own role.", code="own_role")
    if User.Role.ADMIN in (role, current) and not by_admin:
        raise NotPermitted("Only an organization admin grants or changes the admin role.", code="admin_role")
    if current is not None and (current in User.STAFF_ROLES) != (role in User.STAFF_ROLES):
        raise NotPermitted(
            "A tenant or a contractor cannot be made staff, nor staff a tenant or a contractor.",
            code="role_crosses_back_office",
        )


@transaction.atomic
def user_role_change(*, user: User, role: str, by: User) -> User:
    """Give a person another role; back-office access follows it. Audited by auditlog with its actor."""
    user_role_change_check(by=by, user=user, role=role)
    user.role = role
    if not user.is_superuser:
        user.is_staff = role in User.STAFF_ROLES
    user.full_clean()
    user.save(update_fields=["role", "is_staff"])
    return user


def _invalid_key(message: str) -> DomainError:
    return DomainError(message, code="invalid_key", fields={"key": [message]})


def _renamed(errors: dict[str, list[str]], names: dict[str, str]) -> dict[str, list[str]]:
    """A form's errors under the API's field names (two form fields may share one)."""
    renamed: dict[str, list[str]] = {}
    for field, messages in errors.items():
        renamed.setdefault(names.get(field, field), []).extend(messages)
    return renamed


# --- e-mail addresses and their verification


def _login_address(user: User) -> EmailAddress:
    """The EmailAddress of the address the person signs in with, made primary (created if missing)."""
    address, _ = EmailAddress.objects.get_or_create(user=user, email=user.email.lower())
    if not address.primary:
        address.set_as_primary()
    return address


def _send_confirmation_on_commit(address: EmailAddress) -> None:
    transaction.on_commit(partial(address.send_confirmation, None))


@transaction.atomic
def email_verification_send(*, user: User) -> EmailAddress:
    """Mail a verification link: to the new address of an e-mail change under way, else to the login address."""
    pending = EmailAddress.objects.filter(user=user, verified=False).exclude(email=user.email.lower()).first()
    address = pending or _login_address(user)
    if address.verified:
        raise Conflict("Your e-mail address is already verified.", code="already_verified")
    _send_confirmation_on_commit(address)
    return address


@transaction.atomic
def email_change_request(*, user: User, email: str, password: str) -> EmailAddress:
    """Start moving the login to a new address: it becomes the login once its verification link is opened."""
    email = User.objects.normalize_email(email).lower()
    if not user.check_password(password):
        raise ValidationError({"password": ["The password is not correct."]})
    if email == user.email.lower():
        raise ValidationError({"email": ["This is already your address."]})
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email=email, verified=True).exists()
    ):
        raise ValidationError({"email": ["Another account uses this address."]})
    _login_address(user)
    # One change at a time: a newer request replaces an unconfirmed one (whose link then stops working).
    EmailAddress.objects.filter(user=user, verified=False).exclude(email=user.email.lower()).delete()
    address = EmailAddress(user=user, email=email, verified=False, primary=False)
    address.full_clean()
    address.save()
    _send_confirmation_on_commit(address)
    return address


@transaction.atomic
def email_verify(*, key: str) -> EmailAddress:
    """Confirm an address with the key from its link; a new address becomes the login in place of the old one.

    allauth's HMAC key names the address and expires (ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS); it works
    once, since it only finds addresses that are not verified yet.
    """
    confirmation = EmailConfirmationHMAC.from_key(key)
    if confirmation is None:
        raise _invalid_key("This verification link is not valid, was already used or has expired.")
    address = EmailAddress.objects.select_for_update().select_related("user").get(pk=confirmation.email_address.pk)
    user = address.user
    if address.verified or not user.is_active:
        raise _invalid_key("This verification link is not valid, was already used or has expired.")
    taken = User.objects.filter(email__iexact=address.email).exclude(pk=user.pk).exists()
    if taken or not address.set_verified(commit=False):
        raise Conflict("Another account uses this address now.", code="email_taken")
    old_email = user.email.lower()
    address.save(update_fields=["verified"])
    if address.email != old_email:
        previous = EmailAddress.objects.filter(user=user, email=old_email).first()
        address.set_as_primary()  # also makes it the user's e-mail: the login
        EmailAddress.objects.filter(user=user).exclude(pk=address.pk).delete()
        allauth_signals.email_changed.send(
            sender=EmailAddress, request=None, user=user, from_email_address=previous, to_email_address=address
        )
        adapter = get_adapter()
        context = {"user": user, "new_email": address.email}
        transaction.on_commit(
            partial(adapter.send_mail, "accounts/email/email_changed", old_email, {**context, "email": old_email})
        )
    elif not address.primary:
        address.set_as_primary()
    allauth_signals.email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    return address


# --- passwords


@transaction.atomic
def user_refresh_tokens_revoke(*, user_id: int) -> int:
    """Sign the person out everywhere: every refresh token they hold stops working (access tokens run out).

    The moment is kept (User.refresh_tokens_revoked_at): a token blacklisted by then that comes back later
    has nothing left to give away (see api/tokens.py), so it does not revoke the tokens issued since.
    """
    live = OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    )
    revoked = BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in live], ignore_conflicts=True)
    User.objects.filter(pk=user_id).update(refresh_tokens_revoked_at=timezone.now())
    user_access_tokens_revoke(user_id=user_id)
    return len(revoked)


@transaction.atomic
def user_access_tokens_revoke(*, user_id: int) -> None:
    """End the person's access tokens issued until now (a sign-out, a password change, a stolen token).

    Saved through the model, so this process's kept row of the person is forgotten at once (authentication.py);
    other processes read the row again within DOMI_AUTH_USER_SECONDS.
    """
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        return
    user.access_tokens_revoked_at = timezone.now()
    user.save(update_fields=["access_tokens_revoked_at"])


def _notify_password_changed(user: User) -> None:
    transaction.on_commit(
        partial(get_adapter().send_mail, "accounts/email/password_changed", user.email, {"user": user})
    )


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Have a password-reset link mailed to the active account that signs in with this address, if any.

    Whether there is one is not told, neither by the answer nor by its timing: the request only queues a
    task (after commit), which looks the account up and sends the mail.
    """
    from .tasks import password_reset_send as task

    transaction.on_commit(partial(task.delay, email.strip()))


def password_reset_send(*, email: str) -> None:
    """Mail a password-reset link to the active account that signs in with this address, if there is one."""
    adapter = get_adapter()
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        uid = user_pk_to_url_str(user)
        token = default_token_generator.make_token(user)
        context = {
            "user": user,
            "uid": uid,
            "key": token,
            "password_reset_url": adapter.get_reset_password_from_key_url(f"{uid}-{token}"),
        }
        transaction.on_commit(partial(adapter.send_password_reset_mail, user, user.email, context))


@transaction.atomic
def password_reset_confirm(*, uid: str, key: str, new_password: str) -> User:
    """Set a new password with the uid and key of a reset link; every refresh token of the account is revoked.

    The key signs the password hash and the account's addresses, so it works once; it expires after
    PASSWORD_RESET_TIMEOUT. Opening the link proves the mailbox is theirs, so the address is verified too.
    """
    token_form = UserTokenForm(data={"uidb36": uid, "key": key})
    user = token_form.reset_user if token_form.is_valid() else None
    if user is None or not user.is_active:
        raise _invalid_key("This password-reset link is not valid, was already used or has expired.")
    form = ResetPasswordKeyForm(data={"password1": new_password, "password2": new_password}, user=user, temp_key=key)
    if not form.is_valid():
        raise ValidationError(_renamed(form.errors, {"password1": "new_password", "password2": "new_password"}))
    form.save()
    address = _login_address(user)
    if not address.verified:
        address.set_verified()
    user_refresh_tokens_revoke(user_id=user.pk)
    _notify_password_changed(user)
    return user


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    """A signed-in person changes their password; every refresh token they held is revoked."""
    form = ChangePasswordForm(
        data={"oldpassword": current_password, "password1": new_password, "password2": new_password}, user=user
    )
    if not form.is_valid():
        raise ValidationError(
            _renamed(
                form.errors,
                {"oldpassword": "current_password", "password1": "new_password", "password2": "new_password"},
            )
        )
    form.save()
    user_refresh_tokens_revoke(user_id=user.pk)
    _notify_password_changed(user)
    return user


# --- invitations

InvitationAcceptor = Callable[..., object]
_ACCEPTORS: dict[str, InvitationAcceptor] = {}


def invitation_acceptor_register(*, role: str, acceptor: InvitationAcceptor) -> None:
    """Say what accepting an invitation for `role` gives; called as acceptor(invitation=..., user=...).

    The apps that own those things register here when they start (properties: the tenancy, contractors:
    the roster entry's login), since accounts may not import them.
    """
    _ACCEPTORS[role] = acceptor


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _issue_key(invitation: Invitation) -> str:
    """A new link for the invitation: the old one stops working, the expiry starts again."""
    key = secrets.token_urlsafe(32)
    invitation.issued_key = key
    invitation.key_digest = _key_digest(key)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=settings.DOMI_INVITATION_EXPIRE_DAYS)
    return key


def _send_invitation(invitation: Invitation, key: str) -> None:
    invited_by = invitation.invited_by
    context = {
        "invitation": invitation,
        "organization": invitation.organization.name,
        "invited_by": (invited_by.get_full_name() or invited_by.email) if invited_by else "",
        "accept_url": portal_link("accept-invitation", key=key),
    }
    get_adapter().send_mail("accounts/email/invitation", invitation.email, context)


def _check_may_invite(user: User, organization: Organization) -> None:
    if not (user.is_superuser or (user.is_org_staff and user.organization_id == organization.pk)):
        raise NotPermitted("Only the organization's staff may invite people.")


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    role: str,
    email: str,
    invited_by: User,
    first_name: str = "",
    last_name: str = "",
    summary: str = "",
) -> Invitation:
    """Invite someone by e-mail to join the organization as a tenant or a contractor; the mail goes on commit.

    The app that calls this records what accepting gives beside the invitation, in the same transaction.
    """
    _check_may_invite(invited_by, organization)
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            "This address already belongs to a Domi account: give that account a tenancy or link it instead.",
            code="account_exists",
        )
    if Invitation.objects.filter(organization=organization, email=email, status=Invitation.Status.PENDING).exists():
        raise Conflict(
            "This address already has an invitation that is not accepted: resend or revoke it.",
            code="invitation_pending",
        )
    invitation = Invitation(
        organization=organization,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        summary=summary,
        invited_by=invited_by,
    )
    key = _issue_key(invitation)
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(partial(_send_invitation, invitation, key))
    return invitation


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "invited_by")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """Mail the invitation again with a new link (the old one stops working) and a new expiry."""
    invitation = _locked(invitation)
    _check_may_invite(by, invitation.organization)
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(f"The invitation was {invitation.status}: it cannot be sent again.", code="invitation_closed")
    key = _issue_key(invitation)
    invitation.save(update_fields=["key_digest", "sent_at", "expires_at"])
    transaction.on_commit(partial(_send_invitation, invitation, key))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an invitation: its link stops working. Revoking a revoked one changes nothing."""
    invitation = _locked(invitation)
    _check_may_invite(by, invitation.organization)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise Conflict("The invitation was already accepted.", code="invitation_accepted")
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["status", "revoked_at"])
    return invitation


def _check_open(invitation: Invitation) -> None:
    status = invitation.current_status
    if status == Invitation.Status.ACCEPTED:
        raise Conflict("This invitation was already accepted: sign in instead.", code="invitation_accepted")
    if status == Invitation.Status.REVOKED:
        raise Conflict("This invitation was withdrawn.", code="invitation_revoked")
    if status == Invitation.Status.EXPIRED:
        raise Conflict("This invitation has expired: ask for a new one.", code="invitation_expired")


def invitation_by_key(key: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link's key opens, whatever its status (400 invalid_key when there is none)."""
    qs = Invitation.objects.select_related("organization")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(key_digest=_key_digest(key)).first()
    if invitation is None:
        raise _invalid_key("This invitation link is not valid: it may have been replaced by a newer one.")
    return invitation


@transaction.atomic
def invitation_accept(*, key: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Accept an invitation: the account is made with this password, its address verified, and what the
    invitation offers (a tenancy, a contractor's login) is given. Works once, before the invitation expires.
    """
    invitation = invitation_by_key(key, for_update=True)
    _check_open(invitation)
    acceptor = _ACCEPTORS.get(invitation.role)
    if acceptor is None:
        raise ImproperlyConfigured(f"No app says what accepting a {invitation.role} invitation gives.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict("An account already uses this address: sign in instead.", code="account_exists")
    first_name = first_name or invitation.first_name
    last_name = last_name or invitation.last_name
    candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
    try:
        get_adapter().clean_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user = user_create(
        email=invitation.email,
        role=invitation.role,
        organization=invitation.organization,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    # Other accounts' leftovers of this address (a former login, an unconfirmed change) give way to it.
    EmailAddress.objects.filter(email=user.email).exclude(user=user).delete()
    # The link reached this mailbox: the address is verified.
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["status", "accepted_at", "user"])
    acceptor(invitation=invitation, user=user)
    return user
