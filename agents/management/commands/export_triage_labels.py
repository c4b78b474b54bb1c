"""Write the requests whose triage staff overrode as labelled JSONL: corrections become training data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from agents.models import AgentRun
from maintenance.models import MaintenanceRequest, RequestEvent


class Command(BaseCommand):
    help = "Export staff-corrected triage labels as JSONL (text, category, priority, and the AI's original)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--output", type=Path, default=None, help="File to write (default: standard output).")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        requests = (
            MaintenanceRequest.objects.filter(events__kind=RequestEvent.Kind.TRIAGE_OVERRIDE)
            .exclude(category="")
            .exclude(priority="")
            .distinct()
            .order_by("pk")
        )
        out = options["output"].open("w", encoding="utf-8") if options["output"] else sys.stdout
        count = 0
        try:
            for request in requests.iterator():
                original = (
                    AgentRun.objects.filter(request=request, agent=AgentRun.Agent.ANALYZER, output__isnull=False)
                    .order_by("created_at")
                    .first()
                )
                override = request.events.filter(kind=RequestEvent.Kind.TRIAGE_OVERRIDE).order_by("-created_at").first()
                line = {
                    "text": f"{request.title}. {request.description}",
                    "category": request.category,
                    "priority": request.priority,
                    "request_id": request.pk,
                    "original": {
                        "category": original.output.get("category"),
                        "priority": original.output.get("priority"),
                        "model": original.model_name,
                    }
                    if original
                    else None,
                    "reason": override.note if override else "",
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if options["output"]:
                out.close()
        self.stderr.write(f"{count} labelled requests exported.")
