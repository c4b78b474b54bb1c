"""AgentRuns in the back office: read every decision, apply or reject proposals, re-run a step; and which
steps workers are on now."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from domi.admin_site import OrganizationScopedAdmin, ReadOnly, run_service_on_each

from . import services
from .models import AgentRun, StepClaim


def _pretty(value) -> str:  # type: ignore[no-untyped-def]
    return format_html(
        "<pre style='white-space:pre-wrap;max-width:60em'>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False)
    )


@admin.register(AgentRun)
class AgentRunAdmin(ReadOnly, OrganizationScopedAdmin):
    organization_lookup = "organization"
    list_display = ["created_at", "agent", "request", "outcome", "decision", "model_name", "latency_ms", "summary"]
    list_filter = ["agent", "outcome", "decision", "model_name"]
    search_fields = ["=request__id", "request__title", "error", "decision_note"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "organization",
        "request",
        "agent",
        "model_name",
        "prompt_version",
        "input_pretty",
        "output_pretty",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "outcome",
        "error",
        "decision",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
    ]
    exclude = ["input", "output"]
    actions = ["apply_proposal", "reject_proposal"]

    @admin.display(description="Input")
    def input_pretty(self, obj: AgentRun) -> str:
        return _pretty(obj.input)

    @admin.display(description="Output")
    def output_pretty(self, obj: AgentRun) -> str:
        return _pretty(obj.output)

    @admin.display(description="Result")
    def summary(self, obj: AgentRun) -> str:
        out = obj.output or {}
        if obj.agent == AgentRun.Agent.ANALYZER and out:
            return f"{out.get('category')}/{out.get('priority')} ({out.get('confidence')})"
        if obj.agent == AgentRun.Agent.COORDINATOR and out:
            return (out.get("explanation") or "")[:80]
        if obj.agent == AgentRun.Agent.QUALITY_CONTROL and out:
            return f"{out.get('verdict')}: {(out.get('reason') or '')[:60]}"
        if obj.agent == AgentRun.Agent.COMMUNICATOR and out:
            return ", ".join(m.get("audience", "") for m in out.get("messages", []))
        return obj.error[:80]

    @admin.action(description="Apply the selected AI proposals")
    def apply_proposal(self, request, queryset):  # type: ignore[no-untyped-def]
        run_service_on_each(
            self, request, queryset, "Apply", lambda run: services.agent_run_apply(run=run, user=request.user)
        )

    @admin.action(description="Reject the selected AI proposals")
    def reject_proposal(self, request, queryset):  # type: ignore[no-untyped-def]
        run_service_on_each(
            self, request, queryset, "Reject", lambda run: services.agent_run_reject(run=run, user=request.user)
        )


# The request's page in the back office shows its agent runs and offers re-runs. maintenance does not
# know about agents (imports run one way), so the AI crew adds these to the registered request admin.
class AgentRunInline(admin.TabularInline):
    model = AgentRun
    extra = 0
    can_delete = False
    fields = ["created_at", "agent", "outcome", "decision", "model_name", "latency_ms", "decision_note", "link"]
    readonly_fields = fields
    verbose_name_plural = "AI crew runs"
    show_change_link = True

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return request.user.is_superuser or request.user.is_org_staff

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description="Details")
    def link(self, obj: AgentRun) -> str:
        from django.urls import reverse

        return format_html('<a href="{}">open</a>', reverse("admin:agents_agentrun_change", args=[obj.pk]))


def _rerun_action(agent: str, label: str):  # type: ignore[no-untyped-def]
    def action(modeladmin, request, queryset):  # type: ignore[no-untyped-def]
        from .tasks import enqueue, rerun

        sent = sum(enqueue(rerun, obj.pk, agent) for obj in queryset)
        modeladmin.message_user(request, f"{label}: {sent} queued. The result appears as a proposal to apply.")

    action.__name__ = f"rerun_{agent}"
    return admin.action(description=label)(action)


def _attach_to_request_admin() -> None:
    from maintenance.models import MaintenanceRequest

    request_admin = admin.site._registry[MaintenanceRequest]
    if AgentRunInline not in request_admin.inlines:
        request_admin.inlines = [*request_admin.inlines, AgentRunInline]
        request_admin.actions = [
            *request_admin.actions,
            _rerun_action("analyzer", "Re-run the AI triage"),
            _rerun_action("coordinator", "Re-run the AI contractor search"),
            _rerun_action("quality_control", "Re-run the AI quality check"),
        ]


_attach_to_request_admin()


@admin.register(StepClaim)
class StepClaimAdmin(ReadOnly, OrganizationScopedAdmin):
    """The crew steps workers are on now (read only): a claim left by a dead worker lapses by itself."""

    organization_lookup = "request__organization"
    list_display = ["request", "step", "until"]
    list_filter = ["step"]
    list_select_related = ["request"]
    readonly_fields = ["request", "step", "until"]
