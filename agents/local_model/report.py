"""The model card as Markdown tables: ``python -m agents.local_model.report [ARTEFACT_DIR]``.

Prints what the README reports: the held-out figures overall and per language, the priority
confusion table, calibration and coverage against accuracy, and the training data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .model import CARD_FILE, PRIORITIES, current_artefact


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _overall_row(name: str, s: dict[str, Any]) -> str:
    return (
        f"| {name} | {s['n']} | {_pct(s['category'])} | {_pct(s['priority'])} | {_pct(s['emergency_recall'])} "
        f"| {_pct(s['emergency_precision'])} | {s['emergencies_missed']} | {s['false_alarms']} |"
    )


def _cap(thresholds: dict) -> str:
    """How the calibration set capped the thresholds set out of fold (artefacts since 2026-12-08)."""
    if "emergency_out_of_fold" not in thresholds:
        return ""
    target = thresholds["calibration_emergency_recall_target"]
    if thresholds["emergency"] < thresholds["emergency_out_of_fold"]:
        cap = f"{thresholds['emergency_out_of_fold']:.3f} out of fold, capped where the calibration set keeps {target}"
    else:
        cap = f"as set out of fold: the calibration set keeps {target} or more there"
    return f"; {cap}; cosmetic check {thresholds['cosmetic']:.3f}, {thresholds['cosmetic_out_of_fold']:.3f} out of fold"


def _calibration_line(cal: dict[str, Any]) -> str:
    if cal["source"] != "calibration set":
        return "Confidence calibrated out of fold on the training messages written as ordinary traffic."
    return (
        f"Confidence calibrated on the calibration set ({cal['messages']} messages in {len(cal['files'])} files, "
        f"{cal['dropped_near_evaluation']} dropped near an evaluation message; sha256 `{cal['sha256'][:16]}…`): "
        f"both right {_pct(cal['both_right'])}, calibration error {cal['calibration_error_cross_validated']:.3f} "
        "cross-validated on it."
    )


def render(card: dict[str, Any]) -> str:
    lines = [f"Model `{card['version']}`, trained {card['created_at']} in {card.get('training_seconds', '?')} s.", ""]
    data = card["training_data"]
    lines += [
        f"Training data: {data['messages']} messages after dropping {data['dropped']['near_evaluation']} within "
        f"cosine 0.95 of an evaluation or calibration message and {data['dropped']['near_duplicate']} "
        f"near-duplicates; sha256 `{data['sha256'][:16]}…`.",
        "",
        _calibration_line(card.get("calibration") or {"source": "out of fold"}),
        "",
        "Emergency threshold "
        f"{card['thresholds']['emergency']:.3f} (out-of-fold recall targets: "
        f"{card['thresholds']['emergency_recall_target']} on messages written as ordinary traffic, "
        f"{card['thresholds'].get('boundary_emergency_recall_target', '-')} on the boundary files"
        + _cap(card["thresholds"])
        + "). Out of fold: "
        + ", ".join(f"{k} {_pct(v)}" for k, v in card["out_of_fold"].items())
        + ".",
        "",
    ]
    header = "| set | n | category | priority | emergency recall | emergency precision | missed | false alarms |"
    lines += [header, "|---|---|---|---|---|---|---|---|"]
    for name, figures in card.get("evaluation", {}).items():
        lines.append(_overall_row(name, figures["overall"]))
    heldout = card.get("evaluation", {}).get("heldout")
    if heldout:
        lines += [
            "",
            "Held-out set, per language:",
            "",
            header.replace("| set |", "| language |"),
            "|---|---|---|---|---|---|---|---|",
        ]
        for lang, s in heldout["per_language"].items():
            lines.append(_overall_row(lang, s))
        lines += ["", "Priority confusion on the held-out set (rows: label, columns: prediction):", ""]
        lines.append("| label \\ predicted | " + " | ".join(PRIORITIES) + " |")
        lines.append("|---|" + "---|" * len(PRIORITIES))
        for gold in PRIORITIES:
            row = heldout["priority_confusion"][gold]
            lines.append(f"| {gold} | " + " | ".join(str(row[p]) for p in PRIORITIES) + " |")
        cal = heldout["calibration"]
        lines += [
            "",
            f"Calibration on the held-out set: expected calibration error {cal['ece']:.3f} "
            f"(confidence = probability that category and priority are both acceptable; both right "
            f"{_pct(cal['both_right'])}).",
            "",
            "| confidence | n | mean confidence | share right |",
            "|---|---|---|---|",
        ]
        lines += [f"| {b['bin']} | {b['n']} | {b['confidence']:.2f} | {b['accuracy']:.2f} |" for b in cal["bins"]]
        lines += ["", "Coverage against accuracy (requests triaged without a person at each confidence floor):", ""]
        lines += ["| min confidence | coverage | both right |", "|---|---|---|"]
        lines += [
            f"| {c['min_confidence']:.2f} | {_pct(c['coverage'])} | {_pct(c['accuracy'])} |"
            for c in heldout["coverage"]
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else current_artefact()
    card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    sys.stdout.write(render(card))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
