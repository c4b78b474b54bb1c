import allauth.account.admin as allauth_admin
from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from domi.admin_site import OrganizationScopedAdmin, run_service_on_each
from domi.errors import DomainError

from . import personal_data, services
from .models import Invitation, Organization, User


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_lookup = "pk"
    list_display = ["name", "slug", "ai_autonomy", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


class RoleRulesForm:
    """The role field obeys services.user_role_change_check for the person filling the form in."""

    request_user: User

    def clean_role(self):  # type: ignore[no-untyped-def]
        role = self.cleaned_data["role"]
        person = self.instance if self.instance.pk else None
        if person is not None:
            person = User.objects.get(pk=person.pk)  # the role as stored, not as the form set it
        try:
            services.user_role_change_check(by=self.request_user, user=person, role=role)
        except DomainError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return role


class DomiUserCreationForm(RoleRulesForm, UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "role", "organization"]


class DomiUserChangeForm(RoleRulesForm, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(OrganizationScopedAdmin, DjangoUserAdmin):
    organization_lookup = "organization"
    sets_organization = True
    form = DomiUserChangeForm
    add_form = DomiUserCreationForm
    ordering = ["email"]
    list_display = ["email", "get_full_name", "role", "organization", "is_active", "last_login"]
    list_filter = ["role", "is_active", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["email", "first_name", "last_name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "phone", "language"]}),
        ("Role", {"fields": ["role", "organization", "is_active"]}),
        ("Back office", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "organization", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["export_personal_data", "erase_personal_data"]

    @admin.action(description="Export the personal data of the selected person (a zip)")
    def export_personal_data(self, request, queryset):  # type: ignore[no-untyped-def]
        if queryset.count() != 1:
            self.message_user(request, "Select one person to export.", messages.ERROR)
            return None
        person = queryset.get()
        try:
            archive = personal_data.personal_data_export(user=person, by=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        response = HttpResponse(archive, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.zip"'
        return response

    @admin.action(description="Erase the personal data of the selected people (cannot be undone)")
    def erase_personal_data(self, request, queryset):  # type: ignore[no-untyped-def]
        run_service_on_each(
            self,
            request,
            queryset,
            "Personal data erased",
            lambda person: personal_data.personal_data_erase(user=person, by=request.user),
        )

    def get_fieldsets(self, request, obj=None):  # type: ignore[no-untyped-def]
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Staff manage people in their organization, not back-office rights or other organizations.
        hidden = {"organization", "is_superuser", "groups", "user_permissions", "is_staff"}
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]}) for name, opts in fieldsets]

    def get_form(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def formfield_for_choice_field(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "role" and not (request.user.is_superuser or request.user.role == User.Role.ADMIN):
            kwargs["choices"] = [(value, label) for value, label in User.Role.choices if value != User.Role.ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A manager may not edit an admin (their address, their password): that would be the admin's rights.
        by_admin = request.user.is_superuser or request.user.role == User.Role.ADMIN
        if obj is not None and obj.role == User.Role.ADMIN and obj.pk != request.user.pk and not by_admin:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly.append("role")  # nobody changes their own role
        return readonly

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Back-office access follows the role: staff roles get it, tenants and contractors never.
        if not obj.is_superuser:
            obj.is_staff = obj.role in User.STAFF_ROLES
        super().save_model(request, obj, form, change)


# allauth registers its e-mail address admin unscoped; staff see only their organization's people's.
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(OrganizationScopedAdmin, allauth_admin.EmailAddressAdmin):
    organization_lookup = "user__organization"
    list_select_related = ["user"]
    readonly_fields = ["user", "email", "primary"]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        # Addresses come with accounts and e-mail changes, not by hand.
        return False


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    list_display = ["email", "role", "summary", "status_now", "invited_by", "sent_at", "expires_at"]
    list_filter = ["role", "status", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["email", "first_name", "last_name", "summary"]
    list_select_related = ["invited_by", "organization"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "organization",
        "role",
        "email",
        "first_name",
        "last_name",
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
    fields = readonly_fields
    actions = ["resend", "revoke"]

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        # An invitation is sent for a unit or a roster entry: from their pages in the API or the portal.
        return False

    @admin.display(description="Status")
    def status_now(self, obj: Invitation) -> str:
        return Invitation.Status(obj.current_status).label

    @admin.action(description="Send the selected invitations again (new link, new expiry)")
    def resend(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        run_service_on_each(
            self,
            request,
            queryset,
            "Sent again",
            lambda inv: services.invitation_resend(invitation=inv, by=request.user),
        )

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        run_service_on_each(
            self, request, queryset, "Revoked", lambda inv: services.invitation_revoke(invitation=inv, by=request.user)
        )
