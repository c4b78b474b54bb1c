"""Offline triage model for Domi (no Django): a multilingual encoder, trained heads and hard stops.

>>> from agents.local_model import get_model
>>> get_model().predict("I smell gas in the kitchen").priority
'emergency'
"""

from __future__ import annotations

from typing import Any

__all__ = ["CATEGORIES", "PRIORITIES", "TriageModel", "TriagePrediction", "get_model", "preload"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that `python -m agents.local_model.hazards` does not import the model.
    if name in __all__:
        from . import model

        return getattr(model, name)
    raise AttributeError(name)
