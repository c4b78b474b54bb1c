"""Measure the Analyzer on a labelled JSONL file: accuracy, emergency recall and precision, latency."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents.local_model import preload
from agents.local_model.metrics import compute_metrics, render_report
from agents.triage import triage_text


class Command(BaseCommand):
    help = 'Evaluate triage on FILE.jsonl (lines {"text", "category", "priority"}); --json OUT writes the figures.'

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", dest="json_out", type=Path, default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        gold: list[dict] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                gold.append({"text": item["text"], "category": item["category"], "priority": item["priority"]})
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise CommandError(f"{path}:{number}: expected a JSON object with text, category, priority") from exc
        if not gold:
            raise CommandError(f"{path} has no items.")

        # As a server process starts (before it forks): the model, its encoder and every hard stop loaded.
        preload()
        triage_text("warm-up: the model loads once per process")
        predictions: list[dict] = []
        for item in gold:
            started = time.perf_counter()
            result = triage_text(item["text"])
            latency_ms = (time.perf_counter() - started) * 1000
            predictions.append(
                {
                    "text": item["text"],
                    "category": result.category,
                    "priority": result.priority,
                    "confidence": result.confidence,
                    "latency_ms": round(latency_ms, 3),
                }
            )
        figures = compute_metrics(gold, predictions)
        self.stdout.write(render_report(figures))
        if options["json_out"]:
            out = {**figures, "items": predictions}
            options["json_out"].write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
            self.stdout.write(f"Figures written to {options['json_out']}")
