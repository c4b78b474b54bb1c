"""Compare a candidate triage artefact with the current one on the held-out set; switch only when it is no worse."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents.local_model.model import ArtefactError, artefacts_dir, current_artefact, reset_model
from agents.local_model.promotion import compare_artefacts, record_promotion, write_current


class Command(BaseCommand):
    help = (
        "Evaluate CANDIDATE (an artefact folder) and the current artefact on the project's held-out set and "
        "make CANDIDATE current unless its emergency recall or category accuracy is lower. --dry-run only compares; "
        "--override REASON switches all the same and records why. Every switch is recorded in promotions.jsonl."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("candidate", type=Path)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--heldout", type=Path, default=None, help="Another labelled JSONL to compare on.")
        parser.add_argument(
            "--override",
            metavar="REASON",
            default="",
            help="Switch even though a guarded figure drops (a decision to trade it, e.g. recall for precision); "
            "REASON is recorded with the figures.",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        candidate: Path = options["candidate"].resolve()
        base = artefacts_dir()
        try:
            current = current_artefact(base)
        except ArtefactError:
            current = None
        try:
            verdict = compare_artefacts(candidate=candidate, current=current, heldout=options["heldout"])
        except ArtefactError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(verdict.figures, indent=2))
        override = options["override"].strip()
        if not verdict.better_or_equal and not override:
            raise CommandError(f"Not switching to {candidate.name}: {verdict.reason} (--override REASON to switch)")
        if options["dry_run"]:
            accepted = "would be accepted" if verdict.better_or_equal else "would be switched to by --override"
            self.stdout.write(f"{candidate.name} {accepted} ({verdict.reason}); --dry-run: nothing switched.")
            return
        write_current(base, candidate)
        record_promotion(base, current=current, candidate=candidate, verdict=verdict, override=override)
        reset_model()
        if not verdict.better_or_equal:
            self.stdout.write(self.style.WARNING(f"Overridden: {verdict.reason}. Recorded: {override}"))
        self.stdout.write(self.style.SUCCESS(f"{candidate.name} is now the current triage model ({verdict.reason})."))
