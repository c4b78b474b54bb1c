"""Repair cost ranges by category and priority, in the organization's currency (USD for the demo).

A range is a typical low and high for one visit that fixes the problem; urgency costs more
(out-of-hours call-outs, expedited parts). These are the offline model's estimates; an LLM may
give its own, and staff override either.
"""

from __future__ import annotations

from decimal import Decimal

# Typical range for a medium-priority job of each trade.
BASE_RANGE: dict[str, tuple[int, int]] = {
    "plumbing": (120, 450),
    "electrical": (120, 500),
    "hvac": (150, 700),
    "appliance": (100, 450),
    "structural": (250, 1500),
    "doors_windows": (90, 400),
    "pest": (150, 450),
    "safety": (80, 400),
    "exterior": (100, 600),
    "general": (80, 400),
}

PRIORITY_FACTOR: dict[str, Decimal] = {
    "emergency": Decimal("1.8"),
    "high": Decimal("1.25"),
    "medium": Decimal("1.0"),
    "low": Decimal("0.8"),
}


def estimate_cost(*, category: str, priority: str) -> tuple[Decimal, Decimal]:
    low, high = BASE_RANGE.get(category, BASE_RANGE["general"])
    factor = PRIORITY_FACTOR.get(priority, Decimal(1))
    return _round(Decimal(low) * factor), _round(Decimal(high) * factor)


def _round(amount: Decimal) -> Decimal:
    # Estimates are ranges, not quotes: round to the nearest 10.
    return (amount / 10).quantize(Decimal(1)) * 10


# With at least this many paid invoices in a category, the organization's own prices set the range.
MIN_HISTORY = 5


def adjust_with_history(*, low: Decimal, high: Decimal, paid_totals: list[Decimal]) -> tuple[Decimal, Decimal, str]:
    """Centre the range on the median of the organization's paid invoices for the category, when enough exist.

    Returns the range and a sentence for the rationale saying which estimate was used.
    """
    if len(paid_totals) < MIN_HISTORY:
        return low, high, "Cost from the standard range for this category and priority."
    ordered = sorted(paid_totals)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    # Keep the standard range's spread around the organization's own median.
    spread = (high - low) / (high + low) if high + low else Decimal("0.5")
    new_low, new_high = _round(median * (1 - spread)), _round(median * (1 + spread))
    return (
        max(new_low, Decimal(0)),
        max(new_high, new_low),
        f"Cost centred on the median of {len(ordered)} paid invoices for this category (${median:.0f}).",
    )
