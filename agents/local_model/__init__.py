"""Offline triage model for Domi (pure Python, no Django).

>>> from agents.local_model import get_model
>>> get_model().predict("I smell gas in the kitchen").priority
'emergency'
"""

from .model import CATEGORIES, PRIORITIES, LocalTriageModel, TriagePrediction, get_model

__all__ = ["CATEGORIES", "PRIORITIES", "LocalTriageModel", "TriagePrediction", "get_model"]
