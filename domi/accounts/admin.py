from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpRequest

from domi.admin_site import OrganizationScopedAdmin

from .models import Organization, User


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


class DomiUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["email", "role", "organization"]


class DomiUserChangeForm(UserChangeForm):
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

    def get_fieldsets(self, request, obj=None):  # type: ignore[no-untyped-def]
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Staff manage people in their organization, not back-office rights or other organizations.
        hidden = {"organization", "is_superuser", "groups", "user_permissions", "is_staff"}
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]}) for name, opts in fieldsets]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Back-office access follows the role: staff roles get it, tenants and contractors never.
        if not obj.is_superuser:
            obj.is_staff = obj.role in User.STAFF_ROLES
        super().save_model(request, obj, form, change)
