"""Evaluation metrics for the triage model (pure functions, no Django).

Used by the Django ``evaluate_triage`` command (strict scoring; the model card's lenient figures
are ``evaluation.py``'s).

Gold items are mappings with ``category`` and ``priority`` (and usually
``text``). Predictions are mappings or objects (e.g. ``TriagePrediction``)
with ``category`` and ``priority`` and optionally ``latency_ms``; latencies
may also be passed separately.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "CATEGORY_ORDER",
    "EMERGENCY",
    "compute_metrics",
    "evaluate",
    "percentile",
    "render_report",
]

CATEGORY_ORDER: tuple[str, ...] = (
    "plumbing",
    "electrical",
    "hvac",
    "appliance",
    "structural",
    "doors_windows",
    "pest",
    "safety",
    "exterior",
    "general",
)
EMERGENCY = "emergency"

METRIC_KEYS = (
    "category_accuracy",
    "priority_accuracy",
    "emergency_recall",
    "emergency_precision",
    "latency_ms_p50",
    "latency_ms_p95",
    "per_category_accuracy",
    "confusion_matrix",
    "count",
)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) with linear interpolation between
    closest ranks (the same definition as ``numpy.percentile``'s default).
    ``None`` for an empty sequence."""
    data = sorted(float(v) for v in values)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * (q / 100.0)
    lo = math.floor(pos)
    hi = math.ceil(pos)
    if lo == hi:
        return data[lo]
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def compute_metrics(
    gold: Sequence[Mapping[str, Any]],
    predictions: Sequence[Any],
    latencies_ms: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Compare predictions with gold labels.

    Returns a dict with exactly the keys ``category_accuracy``,
    ``priority_accuracy``, ``emergency_recall``, ``emergency_precision``,
    ``latency_ms_p50``, ``latency_ms_p95``, ``per_category_accuracy``,
    ``confusion_matrix`` and ``count``.

    * accuracies are fractions in 0..1; ``per_category_accuracy`` maps each
      gold category to the share of its items predicted with that category;
    * emergency means ``priority == "emergency"``; recall is over gold
      emergencies, precision over predicted ones (``None`` when undefined);
    * ``confusion_matrix[gold][predicted]`` counts items, over the taxonomy
      categories plus any other label seen;
    * latencies come from ``latencies_ms`` or each prediction's
      ``latency_ms``; percentiles use linear interpolation (``None`` if none).
    """
    if len(gold) != len(predictions):
        raise ValueError(f"{len(gold)} gold items but {len(predictions)} predictions")
    if latencies_ms is not None and len(latencies_ms) != len(gold):
        raise ValueError("latencies_ms must have one value per item")

    n = len(gold)
    labels = list(CATEGORY_ORDER)
    for item in list(gold) + list(predictions):
        cat = _get(item, "category")
        if cat not in labels:
            labels.append(cat)
    confusion = {g: dict.fromkeys(labels, 0) for g in labels}

    cat_ok = pri_ok = 0
    tp = fn = fp = 0
    per_cat_total: dict[str, int] = {}
    per_cat_ok: dict[str, int] = {}
    lat: list[float] = []

    for i, (g, p) in enumerate(zip(gold, predictions, strict=True)):
        g_cat, p_cat = _get(g, "category"), _get(p, "category")
        g_pri, p_pri = _get(g, "priority"), _get(p, "priority")
        confusion[g_cat][p_cat] += 1
        per_cat_total[g_cat] = per_cat_total.get(g_cat, 0) + 1
        if g_cat == p_cat:
            cat_ok += 1
            per_cat_ok[g_cat] = per_cat_ok.get(g_cat, 0) + 1
        if g_pri == p_pri:
            pri_ok += 1
        g_em, p_em = g_pri == EMERGENCY, p_pri == EMERGENCY
        if g_em and p_em:
            tp += 1
        elif g_em:
            fn += 1
        elif p_em:
            fp += 1
        value = latencies_ms[i] if latencies_ms is not None else _get(p, "latency_ms")
        if value is not None:
            lat.append(float(value))

    ordered = [c for c in labels if c in per_cat_total]
    return {
        "category_accuracy": _ratio(cat_ok, n),
        "priority_accuracy": _ratio(pri_ok, n),
        "emergency_recall": _ratio(tp, tp + fn),
        "emergency_precision": _ratio(tp, tp + fp),
        "latency_ms_p50": percentile(lat, 50),
        "latency_ms_p95": percentile(lat, 95),
        "per_category_accuracy": {c: per_cat_ok.get(c, 0) / per_cat_total[c] for c in ordered},
        "confusion_matrix": confusion,
        "count": n,
    }


def evaluate(
    predict: Callable[[str], Any],
    items: Sequence[Mapping[str, Any]],
    clock: Callable[[], float] = time.perf_counter,
    latencies_out: list[float] | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """Run ``predict`` on each item's ``text``, timing every call, and return
    ``(metrics, predictions)``. The per-item latencies (ms) are appended to
    ``latencies_out`` when it is given."""
    preds, lat = [], []
    for item in items:
        start = clock()
        preds.append(predict(item["text"]))
        lat.append((clock() - start) * 1000.0)
    if latencies_out is not None:
        latencies_out.extend(lat)
    return compute_metrics(items, preds, lat), preds


def _fmt(value: Any, pct: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:.1f}%" if pct else f"{value:.2f}"


def render_report(metrics: Mapping[str, Any], title: str = "Triage evaluation") -> str:
    """Render a metrics dict from :func:`compute_metrics` as a plain-text report."""
    lines = [title, "=" * len(title), ""]
    summary = [
        ("items", str(metrics["count"])),
        ("category accuracy", _fmt(metrics["category_accuracy"])),
        ("priority accuracy (exact)", _fmt(metrics["priority_accuracy"])),
        ("emergency recall", _fmt(metrics["emergency_recall"])),
        ("emergency precision", _fmt(metrics["emergency_precision"])),
        ("latency p50 (ms)", _fmt(metrics["latency_ms_p50"], pct=False)),
        ("latency p95 (ms)", _fmt(metrics["latency_ms_p95"], pct=False)),
    ]
    width = max(len(k) for k, _ in summary)
    lines += [f"{k.ljust(width)}  {v}" for k, v in summary]

    confusion = metrics.get("confusion_matrix") or {}
    per_cat = metrics.get("per_category_accuracy") or {}
    if per_cat:
        lines += ["", "Per category", ""]
        cw = max(len("category"), *(len(c) for c in per_cat))
        lines.append(f"{'category'.ljust(cw)}  {'items':>5}  {'correct':>7}  {'accuracy':>8}")
        lines.append(f"{'-' * cw}  {'-' * 5}  {'-' * 7}  {'-' * 8}")
        for cat, acc in per_cat.items():
            total = sum(confusion.get(cat, {}).values())
            correct = confusion.get(cat, {}).get(cat, 0)
            lines.append(f"{cat.ljust(cw)}  {total:>5}  {correct:>7}  {_fmt(acc):>8}")

    if confusion:
        rows = [g for g in confusion if sum(confusion[g].values())]
        cols = [p for p in confusion if any(confusion[g].get(p, 0) for g in confusion)]
        if rows and cols:
            abbrev = {c: c[:6] for c in cols}
            corner = "gold \\ pred"
            rw = max(len(corner), *(len(r) for r in rows))
            cw = max(6, *(len(a) for a in abbrev.values()))
            lines += ["", "Category confusion matrix (rows: gold, columns: predicted)", ""]
            lines.append(f"{corner.ljust(rw)}  " + "  ".join(abbrev[c].rjust(cw) for c in cols))
            for r in rows:
                cells = "  ".join(str(confusion[r].get(c, 0) or ".").rjust(cw) for c in cols)
                lines.append(f"{r.ljust(rw)}  {cells}")
    return "\n".join(lines) + "\n"
