"""Train the offline triage model into a new versioned artefact (the current one is not switched)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agents.local_model.model import artefacts_dir
from agents.local_model.training import train


class Command(BaseCommand):
    help = (
        "Train the triage model on agents/local_model/data/train/*.jsonl (plus --extra files, e.g. staff "
        "corrections from export_triage_labels) and write artefacts/<version>/ with its model card. "
        "Switch to it with promote_triage."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--extra", type=Path, action="append", default=[], help="More labelled JSONL.")
        parser.add_argument("--output", type=Path, default=None, help="Where to write (default: the artefacts folder).")
        parser.add_argument(
            "--promote", action="store_true", help="Make it current when it is no worse (see promote_triage)."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for path in options["extra"]:
            if not path.is_file():
                raise CommandError(f"{path} does not exist.")
        out = options["output"] or artefacts_dir()
        try:
            target = train(
                out_dir=out,
                extra=options["extra"],
                cache_dir=Path(settings.DOMI_CACHE_DIR),
                log=lambda line: self.stdout.write(line),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Artefact written: {target}"))
        if options["promote"]:
            from django.core.management import call_command

            call_command("promote_triage", str(target), stdout=self.stdout, stderr=self.stderr)
