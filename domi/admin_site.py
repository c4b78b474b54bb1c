"""The staff back office: the Django admin, limited to organization staff and scoped to their organization.

Every ModelAdmin and inline derives from OrganizationScopedAdmin / ScopedInline and names the lookup
from its model to the Organization; querysets, foreign-key choices and object lookups all go through
that one filter, so staff of one organization never see another's objects.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from domi.accounts import signin_throttle
from domi.errors import DomainError


class DomiAdminConfig(AdminConfig):
    default_site = "domi.admin_site.DomiAdminSite"


class DomiAdminSite(admin.AdminSite):
    site_header = "Domi back office"
    site_title = "Domi"
    index_title = "Property maintenance"

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The admin's login page, throttled like the API's sign-in and sharing its counts."""
        if request.method != "POST":
            return super().login(request, extra_context)
        email = request.POST.get("username", "")
        wait = signin_throttle.signin_wait(request, email=email)
        if wait:
            # The password is not checked at all: the page says why, and when to try again.
            from django.contrib.admin.forms import AdminAuthenticationForm  # needs the app registry

            form = (self.login_form or AdminAuthenticationForm)(request)
            form.cleaned_data = {}
            form.add_error(None, f"Too many sign-in attempts. Try again in {wait} seconds.")
            context = {
                **self.each_context(request),
                "title": "Log in",
                "app_path": request.get_full_path(),
                "username": email,
                "form": form,
                **(extra_context or {}),
            }
            response = TemplateResponse(request, self.login_template or "admin/login.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        response = super().login(request, extra_context)
        if request.user.is_authenticated and response.status_code == 302:
            signin_throttle.signin_succeeded(request, email=email)
        else:
            signin_throttle.signin_failed(request, email=email)
        return response

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not user.is_active or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        # Tenants and contractors never enter the back office, whatever their flags say.
        return bool(user.is_staff and user.is_org_staff)


def is_org_staff(request: HttpRequest) -> bool:
    return bool(request.user.is_active and (request.user.is_superuser or request.user.is_org_staff))


def organization_lookup_for(site: admin.AdminSite, model: type[Model]) -> str | None:
    model_admin = site._registry.get(model)
    return getattr(model_admin, "organization_lookup", None)


def scope_queryset(site: admin.AdminSite, request: HttpRequest, queryset: QuerySet, lookup: str | None) -> QuerySet:
    if request.user.is_superuser:
        return queryset
    if lookup is None:
        # A model without a path to an organization is not for organization staff.
        return queryset.none()
    return queryset.filter(**{lookup: request.user.organization_id})


class ScopedPermissions:
    """Organization staff may view, add and change; only admins delete."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_org_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_staff(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_org_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or (is_org_staff(request) and request.user.role == "admin")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scope_formfield(self.admin_site, request, db_field, formfield)

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _scope_formfield(self.admin_site, request, db_field, formfield)


class ReadOnly:
    """Before the admin class: records the system writes (events, runs, claims) are read here, never edited."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _scope_formfield(site, request, db_field, formfield):  # type: ignore[no-untyped-def]
    if formfield is None or request.user.is_superuser or not hasattr(formfield, "queryset"):
        return formfield
    related = db_field.related_model
    if related._meta.label == "accounts.Organization":
        formfield.queryset = formfield.queryset.filter(pk=request.user.organization_id)
        return formfield
    lookup = organization_lookup_for(site, related)
    if lookup is not None:
        formfield.queryset = scope_queryset(site, request, formfield.queryset, lookup)
    return formfield


class OrganizationScopedAdmin(ScopedPermissions, admin.ModelAdmin):
    organization_lookup: str = "organization"
    # Set on models that carry the organization themselves: staff never choose it.
    sets_organization: bool = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_queryset(self.admin_site, request, super().get_queryset(request), self.organization_lookup)

    def get_exclude(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        exclude = list(super().get_exclude(request, obj) or [])
        if self.sets_organization and not request.user.is_superuser:
            exclude.append("organization")
        return exclude

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self.sets_organization and not change and not request.user.is_superuser:
            obj.organization_id = request.user.organization_id
        super().save_model(request, obj, form, change)


class ScopedInline(ScopedPermissions):
    """Mixin for inlines: the parent is already scoped; foreign-key choices are scoped here."""


def run_service_on_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, verb: str, fn: Any
) -> None:
    """Call a service for every selected object and report what worked and what did not, by object."""
    done, failed = 0, []
    for obj in queryset:
        try:
            fn(obj)
            done += 1
        except (DomainError, ValidationError) as exc:
            message = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
            failed.append(f"{obj}: {message}")
    if done:
        modeladmin.message_user(request, f"{verb}: {done} done.", messages.SUCCESS)
    for line in failed:
        modeladmin.message_user(request, line, messages.ERROR)


def action_with_form(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    form_class: type[forms.Form],
    title: str,
    action_name: str,
    apply: Any,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse | None:
    """An admin action that first asks for input on an intermediate page (like delete_selected)."""
    form_kwargs = form_kwargs or {}
    if "apply" in request.POST:
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            run_service_on_each(modeladmin, request, queryset, title, lambda obj: apply(obj, form.cleaned_data))
            return None
    else:
        form = form_class(**form_kwargs)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "form": form,
        "action_name": action_name,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/domi_action_form.html", context)
