"""The Analyzer's verdict with the local emergency detector standing guard, and free-text triage.

Whatever model answers (an LLM, or the local model as its fallback), the offline model also reads
the message: an emergency it flags is never lowered by an LLM. The verdict is raised to emergency
with the local safety instructions, and the rationale says so; only staff may lower it (a triage
override in the back office).
"""

from __future__ import annotations

from django.conf import settings

from .costs import estimate_cost
from .crew import AnalyzerDeps, analyzer
from .llm import LOCAL, build_model
from .local_model import get_model
from .schemas import TriageInput, TriageResult


def guard_emergency(triage: TriageResult, *, text: str, answered_by: str) -> TriageResult:
    """``triage`` unchanged when the local model answered or agrees; raised to emergency when the local
    detector flags one that another model did not."""
    if answered_by == LOCAL or triage.priority == "emergency":
        return triage
    local = get_model().predict(text, emergency_number=settings.DOMI_EMERGENCY_NUMBER)
    if not local.is_emergency:
        return triage
    low, high = estimate_cost(category=triage.category, priority="emergency")
    flags = list(dict.fromkeys([*triage.safety_flags, *local.safety_flags]))
    note = (
        f"Raised to emergency: {answered_by} said {triage.priority}, but the local emergency detector flags an "
        f"emergency ({', '.join(local.safety_flags) or f'probability {local.emergency_probability:.2f}'}). "
        "Only staff may lower it."
    )
    return triage.model_copy(
        update={
            "priority": "emergency",
            "estimated_cost_min": max(triage.estimated_cost_min, low),
            "estimated_cost_max": max(triage.estimated_cost_max, high),
            "safety_flags": flags,
            "tenant_instructions": triage.tenant_instructions or local.instructions,
            "rationale": f"{note} {triage.rationale}"[:600],
        }
    )


def triage_text(text: str) -> TriageResult:
    """Run the Maintenance Analyzer (same agent, same model setting, same guard) on free text."""
    payload = TriageInput(description=text)
    result = analyzer.run_sync(payload.model_dump_json(), model=build_model("analyzer"), deps=AnalyzerDeps())
    return guard_emergency(result.output, text=text, answered_by=result.response.model_name or LOCAL)
