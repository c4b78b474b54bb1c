"""The four agents of the AI crew: pydantic-ai Agents with versioned prompts, tools and typed outputs.

The model is not fixed here: each run is given the model from agents.llm (the offline model by
default). Tools never write. pydantic-ai runs a plain `def` tool on a worker thread, where Django
would open another database connection outside the caller's transaction; so the orchestrator reads
through the selectors on its own thread first and hands the results in the run's deps, and the
tools (async, on the run's loop) serve them when the model asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic_ai import Agent, RunContext

from maintenance.models import MaintenanceRequest

from . import selectors
from .schemas import CandidateScore, CoordinationResult, MessageSet, PastRequest, QualityVerdict, TriageResult

ANALYZER_PROMPT_VERSION = "analyzer-2026-11-25.1"
ANALYZER_PROMPT = """\
You are the Maintenance Analyzer of a property-management company. A tenant describes a problem,
possibly misspelt and in any language. Classify it with exactly these codes.
Categories: plumbing, electrical, hvac, appliance, structural, doors_windows, pest, safety, exterior, general.
Priorities: emergency (respond within 4 hours, 24/7: danger to life or health or active serious damage:
gas smell, fire or smoke, CO alarm sounding, active flooding or a burst pipe, sewage backing up into the
unit, sparks or burning smell or exposed live wiring, no heat when it is freezing outside, the unit cannot
be secured, a person trapped in an elevator, a ceiling collapsing), high (24 hours: an essential service
lost or a problem that worsens fast), medium (3 days: a real defect that does not stop normal living),
low (2 weeks: cosmetic, convenience, scheduled work).
When several problems are mixed, the priority is the most urgent one and the category the trade that must
act first. `trade` uses the category codes. Give a realistic repair cost range in US dollars.
For an emergency, tenant_instructions must list what the tenant should do now, in the tenant's language
(leave and call the gas utility from outside; shut the water main; switch off the breaker; call
emergency services). Name life-safety hazards in safety_flags. Confidence is 0 to 1; use a low value when
the description is vague. If the unit's recent requests show the same problem repeatedly, raise the
priority one step and say so. The rationale is one or two sentences.
The user message is the request as JSON.
"""

COORDINATOR_PROMPT_VERSION = "coordinator-2026-11-25.1"
COORDINATOR_PROMPT = """\
You are the Maintenance Coordinator. Call rank_contractors to get the eligible contractors, already
filtered (trade, service area, active, insurance valid, 24/7 cover for emergencies) and scored on the
earliest free slot within the deadline, rating, price and workload. Choose one (normally the first; say why
if not), copy the ranking into the output, give the chosen slot_start from the ranking, and explain the
choice in two sentences. If the ranking is empty, return contractor_id null and say why.
The user message is the request as JSON.
"""

COMMUNICATOR_PROMPT_VERSION = "communicator-2026-11-26.1"
COMMUNICATOR_PROMPT = """\
You are the Communication Agent of a property-management company. Write short, warm, factual messages
for each audience that should hear of this occasion, in the given language for the tenant (English for
staff and contractors). Never invent facts: use only what the JSON gives. For an emergency put the
tenant's safety steps first. Each message has a subject, a body (under 120 words) and an SMS (under 300
characters). Occasions and audiences: received -> tenant; emergency -> tenant and staff; assigned ->
tenant and contractor; awaiting_approval -> staff; needs_review -> staff and tenant; daily_digest -> staff:
from the `digest` figures, say in a few sentences what needs attention first and why (the most urgent
overdue requests by name and place, then what waits on staff), and how yesterday went. The figures
themselves are listed below your words, so do not repeat them as a list.
"""

QUALITY_PROMPT_VERSION = "quality-2026-11-25.1"
QUALITY_PROMPT = """\
You are the Quality Control Agent. A job was marked complete. Read the contractor's completion notes, how
many completion photos there are, the tenant's feedback and rating, whether it was late and how often it
was reopened. Decide: close it, or reopen it with a concrete reason (the tenant says it is not fixed; no
evidence the work was done). Score the contractor's work from 0 to 5.
"""


@dataclass
class AnalyzerDeps:
    recent_requests: list[PastRequest] = field(default_factory=list)

    @classmethod
    def for_request(cls, *, unit_id: int | None, request_id: int | None) -> AnalyzerDeps:
        if unit_id is None:
            return cls()
        return cls(selectors.recent_requests_at_unit(unit_id=unit_id, exclude_request_id=request_id))


@dataclass
class CoordinatorDeps:
    ranking: list[CandidateScore]

    @classmethod
    def for_request(cls, request: MaintenanceRequest) -> CoordinatorDeps:
        return cls(selectors.rank_contractors(request=request))


analyzer = Agent(
    output_type=TriageResult,
    instructions=ANALYZER_PROMPT,
    deps_type=AnalyzerDeps,
    name="analyzer",
    retries=1,
)


@analyzer.tool
async def recent_requests_at_unit(ctx: RunContext[AnalyzerDeps]) -> list[PastRequest]:
    """The unit's requests of the last 180 days (newest first), to spot repeat problems."""
    return ctx.deps.recent_requests


coordinator = Agent(
    output_type=CoordinationResult,
    instructions=COORDINATOR_PROMPT,
    deps_type=CoordinatorDeps,
    name="coordinator",
    retries=1,
)


@coordinator.tool
async def rank_contractors(ctx: RunContext[CoordinatorDeps]) -> list[CandidateScore]:
    """Eligible contractors for this request, best first, each with its earliest slot and score breakdown."""
    return ctx.deps.ranking


communicator = Agent(output_type=MessageSet, instructions=COMMUNICATOR_PROMPT, name="communicator", retries=1)

quality_control = Agent(output_type=QualityVerdict, instructions=QUALITY_PROMPT, name="quality_control", retries=1)

AGENTS = {
    "analyzer": (analyzer, ANALYZER_PROMPT_VERSION),
    "coordinator": (coordinator, COORDINATOR_PROMPT_VERSION),
    "communicator": (communicator, COMMUNICATOR_PROMPT_VERSION),
    "quality_control": (quality_control, QUALITY_PROMPT_VERSION),
}
