"""Every step the AI crew takes, recorded so staff can read, override and re-run it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domi.accounts.models import Organization
from maintenance.models import MaintenanceRequest


class AgentRun(models.Model):
    class Agent(models.TextChoices):
        ANALYZER = "analyzer", _("Maintenance Analyzer")
        COORDINATOR = "coordinator", _("Maintenance Coordinator")
        COMMUNICATOR = "communicator", _("Communication Agent")
        QUALITY_CONTROL = "quality_control", _("Quality Control Agent")

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FELL_BACK = "fell_back", _("Succeeded on the fallback model")
        FAILED = "failed", _("Failed")

    class Decision(models.TextChoices):
        APPLIED = "applied", _("Applied")
        PROPOSED = "proposed", _("Waiting for staff")
        REJECTED = "rejected", _("Rejected by staff")
        SUPERSEDED = "superseded", _("Superseded")
        NONE = "none", _("Nothing to apply")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agent_runs", null=True)
    request = models.ForeignKey(
        MaintenanceRequest, on_delete=models.CASCADE, related_name="agent_runs", null=True, blank=True
    )
    agent = models.CharField(max_length=20, choices=Agent.choices)
    model_name = models.CharField(max_length=200, help_text="The model that answered.")
    prompt_version = models.CharField(max_length=40)
    input = models.JSONField(default=dict)
    output = models.JSONField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    error = models.TextField(blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.NONE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["request", "agent", "-created_at"]),
            models.Index(fields=["organization", "decision"]),
            models.Index(fields=["agent", "outcome", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="failed") | Q(output__isnull=True), name="agent_run_failed_has_no_output"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_agent_display()} on #{self.request_id} ({self.get_outcome_display()})"


class StepClaim(models.Model):
    """One worker at a time on one step of one request (the sweep and redelivery can send a step twice).

    A claim names the step and when it lapses; a worker killed while holding one leaves it to lapse
    (after the task's hard time limit), and the sweep sends the step again.
    """

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=20, choices=AgentRun.Agent.choices)
    until = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "step"], name="one_claim_per_step")]

    def __str__(self) -> str:
        return f"{self.step} on #{self.request_id} until {self.until:%H:%M:%S}"
