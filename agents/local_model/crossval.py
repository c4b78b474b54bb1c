"""Stratified k-fold cross-validation of the triage model on train.jsonl.

    .venv/bin/python -m agents.local_model.crossval            # 5 folds, rules included
    .venv/bin/python -m agents.local_model.crossval --no-rules # classifier alone
    .venv/bin/python -m agents.local_model.crossval --dev      # also score data/dev.jsonl

Each fold trains a fresh :class:`LocalTriageModel` on the other folds and
predicts the held-out fold; the printed figures are the mean over folds.
The rules are fixed code, written while looking at the whole training file,
so the "rules included" figures are optimistic for the rules; the
``--no-rules`` run shows what the classifier does on wording it has not seen.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from sklearn.model_selection import StratifiedKFold

from .metrics import compute_metrics, evaluate, render_report
from .model import DEFAULT_TRAIN_PATH, EMERGENCY_THRESHOLD, RULE_CATEGORY_BONUS, LocalTriageModel, load_jsonl

SCALAR_KEYS = (
    "category_accuracy",
    "priority_accuracy",
    "emergency_recall",
    "emergency_precision",
    "latency_ms_p50",
    "latency_ms_p95",
)
DEV_PATH = Path(__file__).resolve().parent / "data" / "dev.jsonl"


def cross_validate(
    items: list[dict],
    folds: int = 5,
    seed: int = 0,
    **model_kwargs,
) -> tuple[dict, dict, list]:
    """Return (mean of per-fold metrics, metrics over all pooled predictions,
    list of (item, prediction) pairs)."""
    strata = [f"{it['category']}|{it['priority'] == 'emergency'}" for it in items]
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold_metrics, pooled_gold, pooled_pred, pooled_lat = [], [], [], []
    for train_idx, test_idx in skf.split(items, strata):
        model = LocalTriageModel(items=[items[i] for i in train_idx], **model_kwargs)
        test = [items[i] for i in test_idx]
        metrics, preds = evaluate(model.predict, test, latencies_out=pooled_lat)
        fold_metrics.append(metrics)
        pooled_gold += test
        pooled_pred += preds
    pooled = compute_metrics(pooled_gold, pooled_pred, pooled_lat)
    mean = {}
    for key in SCALAR_KEYS:
        values = [m[key] for m in fold_metrics if m[key] is not None]
        mean[key] = statistics.fmean(values) if values else None
        mean[key + "_std"] = statistics.pstdev(values) if len(values) > 1 else 0.0
    mean["count"] = len(items)
    return mean, pooled, list(zip(pooled_gold, pooled_pred, strict=True))


def _print_mean(mean: dict, title: str) -> None:
    print(title)
    print("-" * len(title))
    for key in SCALAR_KEYS:
        value = mean[key]
        if value is None:
            print(f"{key:22} n/a")
        elif key.startswith("latency"):
            print(f"{key:22} {value:7.2f} ms  (sd {mean[key + '_std']:.2f})")
        else:
            print(f"{key:22} {value:7.3f}     (sd {mean[key + '_std']:.3f})")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train", type=Path, default=DEFAULT_TRAIN_PATH)
    ap.add_argument("--no-rules", action="store_true", help="evaluate the classifier without the safety rules")
    ap.add_argument("--bonus", type=float, default=RULE_CATEGORY_BONUS)
    ap.add_argument("--threshold", type=float, default=EMERGENCY_THRESHOLD)
    ap.add_argument("--errors", action="store_true", help="list the misclassified items")
    ap.add_argument("--dev", action="store_true", help="also train on all of train.jsonl and score data/dev.jsonl")
    args = ap.parse_args(argv)

    items = load_jsonl(args.train)
    kwargs = {
        "use_rules": not args.no_rules,
        "rule_category_bonus": args.bonus,
        "emergency_threshold": args.threshold,
    }
    mean, pooled, pairs = cross_validate(items, folds=args.folds, seed=args.seed, **kwargs)
    rules = "without rules" if args.no_rules else "rules included"
    _print_mean(
        mean, f"{args.folds}-fold cross-validation on {args.train.name} ({len(items)} items, {rules}), mean over folds"
    )
    print(render_report(pooled, title="Pooled out-of-fold predictions"))
    if args.errors:
        print("Errors (gold -> predicted):")
        for gold, pred in pairs:
            if gold["category"] != pred.category or gold["priority"] != pred.priority:
                print(
                    f"  [{gold.get('lang', '?')}] {gold['category']}/{gold['priority']} -> "
                    f"{pred.category}/{pred.priority} {pred.safety_flags}: {gold['text'][:110]}"
                )
        print()

    if args.dev:
        model = LocalTriageModel(train_path=args.train, **kwargs)
        dev = load_jsonl(DEV_PATH)
        metrics, preds = evaluate(model.predict, dev)
        print(render_report(metrics, title=f"dev.jsonl ({len(dev)} items, model trained on all of {args.train.name})"))
        if args.errors:
            for gold, pred in zip(dev, preds, strict=True):
                if gold["category"] != pred.category or gold["priority"] != pred.priority:
                    print(
                        f"  [{gold.get('lang', '?')}] {gold['category']}/{gold['priority']} -> "
                        f"{pred.category}/{pred.priority} {pred.safety_flags}: {gold['text'][:110]}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
