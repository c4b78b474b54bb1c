"""Triage a piece of text with the Analyzer outside any request (the commands and evaluation use this)."""

from __future__ import annotations

from .crew import AnalyzerDeps, analyzer
from .llm import build_model
from .schemas import TriageInput, TriageResult


def triage_text(text: str) -> TriageResult:
    """Run the Maintenance Analyzer (same agent, same model setting) on free text."""
    payload = TriageInput(description=text)
    result = analyzer.run_sync(payload.model_dump_json(), model=build_model("analyzer"), deps=AnalyzerDeps())
    return result.output
