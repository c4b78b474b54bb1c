"""Switching the current triage artefact, only to one that is no worse where it matters most.

A retrained candidate (for instance with staff corrections added) is compared with the current
artefact on the project's held-out set. It replaces it only when emergency recall and category
accuracy do not drop; the other figures are shown for the person deciding.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .evaluation import evaluate_predictions
from .hazards import safety_languages, scan_hazards
from .model import CARD_FILE, CURRENT_FILE, ArtefactError, TriageModel
from .training import EVALUATION_SETS, load_items

__all__ = ["GUARDED", "PROMOTIONS_FILE", "Verdict", "compare_artefacts", "record_promotion", "write_current"]

# One JSON line per switch, beside the artefacts: when, from which to which, the figures, and why.
PROMOTIONS_FILE = "promotions.jsonl"

# The figures a candidate may not lower.
GUARDED = ("emergency_recall", "category")


@dataclass
class Verdict:
    better_or_equal: bool
    reason: str
    figures: dict[str, Any]


def _figures(model: TriageModel, rows: list, texts: list[str]) -> dict[str, Any]:
    languages = safety_languages()
    vectors = model.encoder.embed(texts)
    predictions = model.predict_from(texts, vectors, [scan_hazards(t, languages) for t in texts])
    return evaluate_predictions(rows, predictions)["overall"]


def compare_artefacts(*, candidate: Path, current: Path | None, heldout: Path | None = None) -> Verdict:
    """Evaluate both artefacts on ``heldout`` (the project's held-out set by default)."""
    if not (candidate / CARD_FILE).is_file():
        raise ArtefactError(f"{candidate} is not a triage artefact (no {CARD_FILE})")
    rows = load_items([heldout or EVALUATION_SETS["heldout"]])
    texts = [row.text for row in rows]
    new = _figures(TriageModel.load(candidate), rows, texts)
    if current is None or not (current / CARD_FILE).is_file():
        return Verdict(True, "there is no current artefact", {"candidate": new})
    if current.resolve() == candidate.resolve():
        return Verdict(True, "it is already the current artefact", {"candidate": new})
    old = _figures(TriageModel.load(current), rows, texts)
    figures = {"candidate": new, "current": old}
    drops = [key for key in GUARDED if (new[key] or 0) < (old[key] or 0)]
    if drops:
        details = ", ".join(f"{key} {old[key]} -> {new[key]}" for key in drops)
        return Verdict(False, f"it would lower {details}", figures)
    return Verdict(True, "emergency recall and category accuracy are no lower", figures)


def write_current(base: Path, candidate: Path) -> None:
    """Make ``candidate`` the current artefact of ``base`` (copied in when it lives elsewhere); the
    pointer is replaced atomically, so a process starting meanwhile reads the old one or the new one."""
    base.mkdir(parents=True, exist_ok=True)
    if candidate.resolve().parent != base.resolve():
        target = base / candidate.name
        if not target.exists():
            shutil.copytree(candidate, target)
        candidate = target
    handle, tmp = tempfile.mkstemp(dir=base, prefix=".current-")
    with os.fdopen(handle, "w", encoding="utf-8") as fh:
        fh.write(candidate.name + "\n")
    os.replace(tmp, base / CURRENT_FILE)


def record_promotion(base: Path, *, current: Path | None, candidate: Path, verdict: Verdict, override: str) -> None:
    """Append the switch to ``base/promotions.jsonl``: a switch over a guarded figure's drop names who
    decided it and why (``override``), with the figures both artefacts had on the held-out set."""
    keep = ("category", "priority", "emergency_recall", "emergency_precision", "emergencies_missed", "false_alarms")
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "from": current.name if current else None,
        "to": candidate.name,
        "verdict": verdict.reason,
        "override": override or None,
        "figures": {name: {k: v.get(k) for k in keep} for name, v in verdict.figures.items()},
    }
    with (base / PROMOTIONS_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
