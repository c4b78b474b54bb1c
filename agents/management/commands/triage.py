import json

from django.core.management.base import BaseCommand

from agents.triage import triage_text


class Command(BaseCommand):
    help = "Triage a text with the Maintenance Analyzer and print its JSON output."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("text", help="What the tenant wrote.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = triage_text(options["text"])
        self.stdout.write(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
