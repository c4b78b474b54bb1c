"""The offline model: the functions behind pydantic-ai FunctionModels, one per agent.

The same Agent objects (prompts, tools, typed outputs) run on these as on an LLM. Each function
reads the run's user prompt (the agent's input model as JSON), may call the agent's tools the way
an LLM would, and answers through the agent's output tool with a validated output model.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, ToolReturnPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo

from .costs import estimate_cost
from .local_model import get_model
from .schemas import (
    CoordinationResult,
    DigestFacts,
    Message,
    MessageInput,
    MessageSet,
    QualityInput,
    QualityVerdict,
    TriageInput,
    TriageResult,
)

PRIORITY_ORDER = ["low", "medium", "high", "emergency"]
# Two earlier requests of the same trade at a unit within this many days make it a repeat problem.
REPEAT_WINDOW_DAYS = 60


def _user_prompt(messages: list[ModelMessage]) -> str:
    for message in messages:
        for part in getattr(message, "parts", []):
            if isinstance(part, UserPromptPart):
                return part.content if isinstance(part.content, str) else str(part.content)
    raise ValueError("the run has no user prompt")


def _tool_returns(messages: list[ModelMessage]) -> dict[str, Any]:
    returns: dict[str, Any] = {}
    for message in messages:
        for part in getattr(message, "parts", []):
            if isinstance(part, ToolReturnPart):
                returns[part.tool_name] = part.content
    return returns


def _call(tool: str, args: dict[str, Any] | None = None) -> ModelResponse:
    return ModelResponse(parts=[ToolCallPart(tool_name=tool, args=args or {})])


def _answer(info: AgentInfo, output: Any) -> ModelResponse:
    return ModelResponse(parts=[ToolCallPart(tool_name=info.output_tools[0].name, args=output.model_dump(mode="json"))])


def _has_tool(info: AgentInfo, name: str) -> bool:
    return any(tool.name == name for tool in info.function_tools)


def _as_list(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        content = json.loads(content)
    return [item if isinstance(item, dict) else item.model_dump(mode="json") for item in content or []]


# -- Maintenance Analyzer ------------------------------------------------------------------------


def analyzer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    request = TriageInput.model_validate_json(_user_prompt(messages))
    returns = _tool_returns(messages)
    if request.unit_id and _has_tool(info, "recent_requests_at_unit") and "recent_requests_at_unit" not in returns:
        return _call("recent_requests_at_unit")

    text = f"{request.title}. {request.description}" if request.title else request.description
    prediction = get_model().predict(text, emergency_number=settings.DOMI_EMERGENCY_NUMBER)
    priority = prediction.priority
    rationale = prediction.rationale

    history = _as_list(returns.get("recent_requests_at_unit"))
    repeats = [
        past
        for past in history
        if past.get("category") == prediction.category and past.get("days_ago", 999) <= REPEAT_WINDOW_DAYS
    ]
    if len(repeats) >= 2 and priority in ("low", "medium"):
        priority = PRIORITY_ORDER[PRIORITY_ORDER.index(priority) + 1]
        rationale = f"{rationale} Raised to {priority}: {len(repeats)} earlier {prediction.category} requests here."

    low, high = estimate_cost(category=prediction.category, priority=priority)
    result = TriageResult(
        category=prediction.category,
        priority=priority,
        trade=prediction.category,
        estimated_cost_min=low,
        estimated_cost_max=high,
        safety_flags=list(prediction.safety_flags),
        tenant_instructions=list(prediction.instructions) if priority == "emergency" else [],
        confidence=round(float(prediction.confidence), 3),
        rationale=rationale[:600],
        language=prediction.language,
    )
    return _answer(info, result)


# -- Maintenance Coordinator ---------------------------------------------------------------------


def coordinator(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    returns = _tool_returns(messages)
    if "rank_contractors" not in returns:
        return _call("rank_contractors")
    ranking = _as_list(returns["rank_contractors"])
    if not ranking:
        result = CoordinationResult(
            contractor_id=None,
            ranking=[],
            explanation="No active contractor with valid insurance covers this trade and area.",
        )
        return _answer(info, result)
    best = ranking[0]
    parts = ", ".join(f"{name} {value:.2f}" for name, value in best["breakdown"].items())
    when = f" Earliest free slot: {best['slot_start']}." if best.get("slot_start") else " No free slot was found."
    runner_up = f" Next: {ranking[1]['company_name']} ({ranking[1]['total']:.2f})." if len(ranking) > 1 else ""
    result = CoordinationResult(
        contractor_id=best["contractor_id"],
        slot_start=best.get("slot_start"),
        ranking=ranking,
        explanation=f"{best['company_name']} ranks first ({best['total']:.2f}: {parts}).{when}{runner_up}"[:800],
    )
    return _answer(info, result)


# -- Communication Agent -------------------------------------------------------------------------

_TEXT = {
    "en": {
        "received_subject": "We received your request: {title}",
        "received_body": (
            "Thanks for reporting “{title}”. We triaged it as {category}, {priority} priority: "
            "someone will act within {response_time}. We will tell you as soon as a contractor is booked."
        ),
        "received_sms": "We got your request “{title}” ({priority}). Action within {response_time}.",
        "emergency_subject": "EMERGENCY: what to do now about “{title}”",
        "emergency_body": (
            "Your report “{title}” is an emergency. Please do this now, before anyone arrives:\n{steps}\n"
            "We are alerting the on-call team and dispatching help."
        ),
        "emergency_sms": "EMERGENCY: {first_step} Help is being dispatched.",
        "staff_emergency_subject": "Emergency at {place}: {title}",
        "staff_emergency_body": (
            "An emergency was reported at {place}: “{title}” ({category}). "
            "The tenant has been sent safety instructions. Response due within {response_time}."
        ),
        "staff_emergency_sms": "EMERGENCY at {place}: {title}. Tenant has safety steps.",
        "assigned_subject": "A contractor is booked for “{title}”",
        "assigned_body": "{contractor} will handle “{title}”.{when} You will get a reminder before the visit.",
        "assigned_sms": "{contractor} will fix “{title}”.{when}",
        "job_subject": "New job at {place}: {title}",
        "job_body": (
            "You have been offered a {priority} {category} job at {place}: “{title}”.{when} "
            "Please accept or decline in Domi."
        ),
        "job_sms": "New job ({priority}) at {place}: {title}.{when} Accept or decline in Domi.",
        "approval_subject": "Approval needed: {title} (up to ${cost})",
        "approval_body": (
            "The estimate for “{title}” at {place} is up to ${cost}, above the owner's approval limit. "
            "Approve or decline it in the back office."
        ),
        "approval_sms": "Approval needed for {title} (up to ${cost}).",
        "review_subject": "Needs review: {title}",
        "review_body": "The AI crew could not triage “{title}” at {place} with confidence. Please review it.",
        "review_sms": "Request needs review: {title}.",
        "tenant_wait_subject": "Your request “{title}” is being reviewed",
        "tenant_wait_body": "A member of our team is reviewing “{title}” and will be in touch shortly.",
        "tenant_wait_sms": "Your request “{title}” is being reviewed by our team.",
        "when": " Visit: {slot}.",
    },
    "es": {
        "received_subject": "Hemos recibido su solicitud: {title}",
        "received_body": (
            "Gracias por informar de “{title}”. La clasificamos como {category}, prioridad {priority}: "
            "alguien actuará en un plazo de {response_time}. Le avisaremos en cuanto haya un técnico asignado."
        ),
        "received_sms": "Recibimos su solicitud “{title}” ({priority}). Atención en {response_time}.",
        "emergency_subject": "EMERGENCIA: qué hacer ahora con “{title}”",
        "emergency_body": (
            "Su aviso “{title}” es una emergencia. Haga esto ahora, antes de que llegue nadie:\n{steps}\n"
            "Estamos avisando al equipo de guardia y enviando ayuda."
        ),
        "emergency_sms": "EMERGENCIA: {first_step} La ayuda está en camino.",
        "assigned_subject": "Hay un técnico asignado para “{title}”",
        "assigned_body": "{contractor} se encargará de “{title}”.{when} Le enviaremos un recordatorio antes de la visita.",
        "assigned_sms": "{contractor} arreglará “{title}”.{when}",
        "tenant_wait_subject": "Estamos revisando su solicitud “{title}”",
        "tenant_wait_body": "Una persona de nuestro equipo está revisando “{title}” y le contactará en breve.",
        "tenant_wait_sms": "Nuestro equipo está revisando su solicitud “{title}”.",
        "when": " Visita: {slot}.",
    },
}

_PRIORITY_WORDS = {
    "en": {"emergency": "emergency", "high": "high", "medium": "medium", "low": "low"},
    "es": {"emergency": "emergencia", "high": "alta", "medium": "media", "low": "baja"},
}


def _t(language: str, key: str, **values: Any) -> str:
    table = _TEXT.get(language, _TEXT["en"])
    template = table.get(key) or _TEXT["en"][key]
    return template.format(**values)


def _message(audience: str, language: str, stem: str, **values: Any) -> Message:
    sms = _t(language, f"{stem}_sms", **values)
    return Message(
        audience=audience,
        subject=_t(language, f"{stem}_subject", **values)[:200],
        body=_t(language, f"{stem}_body", **values)[:4000],
        sms=sms[:320],
    )


def _slot_words(slot_start: str | None, language: str) -> str:
    if not slot_start:
        return ""
    try:
        moment = datetime.fromisoformat(slot_start)
    except ValueError:
        return ""
    return _t(language, "when", slot=moment.strftime("%a %d %b %H:%M"))


def _hours(hours: float) -> str:
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


def _digest_message(digest: DigestFacts) -> Message:
    """Staff's morning summary: what to do first and why, then how the last day went, in plain sentences."""
    counts = digest.counts
    overdue = [item for item in digest.attention if item.hours_overdue > 0]
    sentences: list[str] = []
    if overdue:
        first = overdue[0]
        urgency = f"{first.priority} priority, " if first.priority else ""
        sentences.append(
            f"Start with “{first.title}” at {first.place}: {urgency}overdue by {_hours(first.hours_overdue)}."
        )
        others = overdue[1:3]
        if others:
            names = " and ".join(f"“{item.title}” ({_hours(item.hours_overdue)})" for item in others)
            more = counts.get("overdue", 0) - 1 - len(others)
            tail = f", with {more} more overdue behind them" if more > 0 else ""
            sentences.append(f"Then {names}{tail}.")
    waiting = []
    if counts.get("needs_review"):
        waiting.append(f"{counts['needs_review']} the AI crew could not triage with confidence")
    if counts.get("awaiting_approval"):
        waiting.append(f"{counts['awaiting_approval']} estimate(s) above the owner's limit awaiting approval")
    if waiting:
        sentences.append("Waiting on staff: " + "; ".join(waiting) + ".")
    if not overdue and not waiting:
        sentences.append("Nothing is overdue and nothing waits on staff.")
    sentences.append(
        f"In the last 24 hours {counts.get('new', 0)} request(s) came in and {counts.get('completed', 0)} "
        f"were completed; {counts.get('open', 0)} are open."
    )
    if overdue:
        subject = (
            f"{digest.organization}: {counts.get('overdue', len(overdue))} overdue, start with “{overdue[0].title}”"
        )
        sms = f"{counts.get('overdue', 0)} overdue; first: {overdue[0].title} ({overdue[0].place})."
    else:
        subject = f"{digest.organization}: maintenance on track ({counts.get('open', 0)} open)"
        sms = f"On track: {counts.get('open', 0)} open, {counts.get('needs_review', 0)} to review."
    return Message(audience="staff", subject=subject[:200], body=" ".join(sentences)[:4000], sms=sms[:320])


def communicator(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    data = MessageInput.model_validate_json(_user_prompt(messages))
    if data.occasion == "daily_digest":
        if data.digest is None:
            raise ValueError("A daily digest needs its digest facts.")
        return _answer(info, MessageSet(messages=[_digest_message(data.digest)]))
    lang = data.language if data.language in _TEXT else "en"
    values = {
        "title": data.title,
        "category": data.category.replace("_", " "),
        "priority": _PRIORITY_WORDS.get(lang, _PRIORITY_WORDS["en"]).get(data.priority, data.priority),
        "response_time": data.response_time,
        "place": f"{data.property_name} {data.unit_label}".strip(),
        "contractor": data.contractor_name,
        "cost": data.estimated_cost_max,
        "steps": "\n".join(f"• {step}" for step in data.tenant_instructions),
        "first_step": data.tenant_instructions[0] if data.tenant_instructions else "",
    }
    out: list[Message] = []
    match data.occasion:
        case "emergency":
            out.append(_message("tenant", lang, "emergency", **values))
            out.append(_message("staff", "en", "staff_emergency", **{**values, "priority": data.priority}))
        case "received":
            out.append(_message("tenant", lang, "received", **values))
        case "assigned":
            out.append(_message("tenant", lang, "assigned", **values, when=_slot_words(data.slot_start, lang)))
            out.append(
                _message(
                    "contractor",
                    "en",
                    "job",
                    **{**values, "priority": data.priority},
                    when=_slot_words(data.slot_start, "en"),
                )
            )
        case "awaiting_approval":
            out.append(_message("staff", "en", "approval", **values))
        case "needs_review":
            out.append(_message("staff", "en", "review", **values))
            out.append(_message("tenant", lang, "tenant_wait", **values))
    return _answer(info, MessageSet(messages=out))


# -- Quality Control Agent -----------------------------------------------------------------------

_COMPLAINT_WORDS = (
    "not fixed",
    "still",
    "again",
    "broken",
    "doesn't work",
    "does not work",
    "didn't",
    "leaking",
    "worse",
    "no one came",
    "nobody came",
    "never came",
    "sigue",
    "todavía",
    "otra vez",
    "no funciona",
    "no arreglado",
    "toujours",
    "encore",
    "immer noch",
    "ainda",
    "ancora",
)


def quality_control(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    data = QualityInput.model_validate_json(_user_prompt(messages))
    feedback = " ".join(data.tenant_feedback).lower()
    complaints = [word for word in _COMPLAINT_WORDS if word in feedback]
    score = Decimal(5)
    reasons: list[str] = []
    if not data.completion_notes.strip():
        score -= 1
        reasons.append("no completion notes")
    if data.completion_photos == 0:
        score -= Decimal("0.5")
        reasons.append("no completion photos")
    if data.hours_allowed and data.hours_to_complete and data.hours_to_complete > data.hours_allowed:
        score -= 1
        reasons.append("finished after the deadline")
    if data.reopen_count:
        score -= min(data.reopen_count, 2)
        reasons.append(f"reopened {data.reopen_count} time(s) before")
    if data.tenant_rating is not None:
        score = (score + Decimal(data.tenant_rating)) / 2

    reopen = bool(complaints) or (data.tenant_rating is not None and data.tenant_rating <= 2)
    if not data.completion_notes.strip() and data.completion_photos == 0:
        reopen = True
    if reopen:
        score = min(score, Decimal(2))
        if complaints:
            why = f"The tenant reports the problem persists ({', '.join(complaints[:3])})."
        elif data.tenant_rating is not None and data.tenant_rating <= 2:
            why = f"The tenant rated the work {data.tenant_rating}/5."
        else:
            why = "The job was marked complete with no notes and no photos; the work cannot be verified."
        verdict = QualityVerdict(verdict="reopen", reason=why, contractor_score=max(score, Decimal(0)))
    else:
        detail = f" Deductions: {', '.join(reasons)}." if reasons else ""
        verdict = QualityVerdict(
            verdict="close",
            reason=f"Completion notes{' and photos' if data.completion_photos else ''} show the work done "
            f"and the tenant raised no complaint.{detail}",
            contractor_score=max(min(score, Decimal(5)), Decimal(0)).quantize(Decimal("0.01")),
        )
    return _answer(info, verdict)


FUNCTIONS = {
    "analyzer": analyzer,
    "coordinator": coordinator,
    "communicator": communicator,
    "quality_control": quality_control,
}
