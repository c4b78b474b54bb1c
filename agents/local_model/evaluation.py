"""Figures for a triage model on a labelled set: what the model card and the README report.

Scoring counts the answers a dispatcher would accept: an item's ``accept`` lists the other
category or priority a careful dispatcher would also take (``strict`` figures ignore it). An
emergency is missed when a gold emergency is not predicted one; a predicted emergency is a false
alarm when emergency is not among the acceptable priorities.

Pure functions; no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .model import CATEGORIES, PRIORITIES

__all__ = ["COVERAGE_LEVELS", "acceptable", "coverage", "evaluate_predictions", "reliability"]

COVERAGE_LEVELS = (0.0, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8)
CALIBRATION_BINS = 10


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key)


def acceptable(item: Any, key: str) -> set[str]:
    """The labelled answer for ``key`` and the alternatives the item accepts."""
    accept = _get(item, "accept") or {}
    return {_get(item, key), *accept.get(key, [])}


def reliability(confidence: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS) -> dict[str, Any]:
    """Expected calibration error over equal-width bins, and the bins themselves."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    ece = 0.0
    for lo, hi in pairwise(edges):
        inside = (conf >= lo) & ((conf < hi) if hi < 1 else (conf <= hi))
        if not inside.any():
            continue
        gap = abs(conf[inside].mean() - hit[inside].mean())
        ece += inside.mean() * gap
        rows.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": int(inside.sum()),
                "confidence": round(float(conf[inside].mean()), 3),
                "accuracy": round(float(hit[inside].mean()), 3),
            }
        )
    return {"ece": round(float(ece), 4), "bins": rows}


def coverage(confidence: Sequence[float], correct: Sequence[bool]) -> list[dict[str, Any]]:
    """At each confidence floor: the share triaged without a person, and how often those are right."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=bool)
    return [
        {
            "min_confidence": level,
            "coverage": round(float((conf >= level).mean()), 4),
            "accuracy": round(float(hit[conf >= level].mean()), 4) if (conf >= level).any() else None,
        }
        for level in COVERAGE_LEVELS
    ]


def _summary(gold: Sequence[Any], preds: Sequence[Any]) -> dict[str, Any]:
    n = len(gold)
    if not n:
        return {"n": 0}
    cat_ok = [_get(p, "category") in acceptable(g, "category") for g, p in zip(gold, preds, strict=True)]
    pri_ok = [_get(p, "priority") in acceptable(g, "priority") for g, p in zip(gold, preds, strict=True)]
    gold_em = [_get(g, "priority") == "emergency" for g in gold]
    pred_em = [_get(p, "priority") == "emergency" for p in preds]
    acceptable_em = ["emergency" in acceptable(g, "priority") for g in gold]
    found = sum(g and p for g, p in zip(gold_em, pred_em, strict=True))
    raised_ok = sum(a and p for a, p in zip(acceptable_em, pred_em, strict=True))
    return {
        "n": n,
        "category": round(sum(cat_ok) / n, 4),
        "priority": round(sum(pri_ok) / n, 4),
        "category_strict": round(
            sum(_get(p, "category") == _get(g, "category") for g, p in zip(gold, preds, strict=True)) / n, 4
        ),
        "priority_strict": round(
            sum(_get(p, "priority") == _get(g, "priority") for g, p in zip(gold, preds, strict=True)) / n, 4
        ),
        "emergencies": sum(gold_em),
        "emergency_recall": round(found / sum(gold_em), 4) if sum(gold_em) else None,
        "emergency_precision": round(raised_ok / sum(pred_em), 4) if sum(pred_em) else None,
        "emergencies_missed": sum(gold_em) - found,
        "false_alarms": sum(pred_em) - raised_ok,
    }


def evaluate_predictions(gold: Sequence[Any], preds: Sequence[Any]) -> dict[str, Any]:
    """Overall, per-language, per-class figures, the priority confusion table, calibration and
    coverage against accuracy (what share is triaged automatically above each confidence level, and
    how often those are right)."""
    if len(gold) != len(preds):
        raise ValueError(f"{len(gold)} gold items but {len(preds)} predictions")
    languages = sorted({_get(g, "lang") or "?" for g in gold})
    per_language = {}
    for lang in languages:
        idx = [i for i, g in enumerate(gold) if (_get(g, "lang") or "?") == lang]
        per_language[lang] = _summary([gold[i] for i in idx], [preds[i] for i in idx])
    per_category = {}
    for cat in CATEGORIES:
        idx = [i for i, g in enumerate(gold) if _get(g, "category") == cat]
        if idx:
            ok = sum(_get(preds[i], "category") in acceptable(gold[i], "category") for i in idx)
            per_category[cat] = {"n": len(idx), "accuracy": round(ok / len(idx), 4)}
    per_priority = {}
    confusion = {g: dict.fromkeys(PRIORITIES, 0) for g in PRIORITIES}
    for g, p in zip(gold, preds, strict=True):
        confusion[_get(g, "priority")][_get(p, "priority")] += 1
    for pri in PRIORITIES:
        idx = [i for i, g in enumerate(gold) if _get(g, "priority") == pri]
        if idx:
            ok = sum(_get(preds[i], "priority") in acceptable(gold[i], "priority") for i in idx)
            per_priority[pri] = {"n": len(idx), "accuracy": round(ok / len(idx), 4)}

    correct = [
        _get(p, "category") in acceptable(g, "category") and _get(p, "priority") in acceptable(g, "priority")
        for g, p in zip(gold, preds, strict=True)
    ]
    confidence = [float(_get(p, "confidence")) for p in preds]
    return {
        "overall": _summary(gold, preds),
        "per_language": per_language,
        "per_category": per_category,
        "per_priority": per_priority,
        "priority_confusion": confusion,
        "calibration": {"both_right": round(sum(correct) / len(gold), 4), **reliability(confidence, correct)},
        "coverage": coverage(confidence, correct),
    }
