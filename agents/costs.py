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
