"""The typed inputs and outputs of the AI crew. Every agent answers in one of these models."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from domi.taxonomy import Category, Priority

# The codes of shared/TRIAGE_TAXONOMY.md, from the one place that lists them.
CategoryCode = Literal[tuple(Category.values)]
PriorityCode = Literal[tuple(Priority.values)]
Audience = Literal["tenant", "staff", "contractor"]


class TriageInput(BaseModel):
    title: str = ""
    description: str
    unit_id: int | None = None


class PastRequest(BaseModel):
    id: int
    title: str
    category: str
    priority: str
    status: str
    days_ago: int


class TriageResult(BaseModel):
    """The Maintenance Analyzer's verdict."""

    category: CategoryCode
    priority: PriorityCode
    trade: CategoryCode = Field(description="The trade that must act first; same codes as category.")
    estimated_cost_min: Decimal = Field(ge=0)
    estimated_cost_max: Decimal = Field(ge=0)
    safety_flags: list[str] = Field(default_factory=list, description="Life-safety hazards detected.")
    tenant_instructions: list[str] = Field(
        default_factory=list, description="What the tenant should do before anyone arrives."
    )
    confidence: float = Field(ge=0, le=1)
    rationale: str = Field(max_length=600)
    language: str = "en"

    @model_validator(mode="after")
    def _consistent(self) -> TriageResult:
        if self.estimated_cost_max < self.estimated_cost_min:
            raise ValueError("estimated_cost_max must not be below estimated_cost_min")
        if self.priority == "emergency" and not self.tenant_instructions:
            raise ValueError("an emergency always carries tenant_instructions")
        return self


class CoordinationInput(BaseModel):
    request_id: int
    category: str
    priority: str
    postal_code: str
    estimated_cost_max: Decimal | None = None


class CandidateScore(BaseModel):
    contractor_id: int
    company_name: str
    total: float
    slot_start: str | None = Field(description="Earliest free slot within the deadline, ISO-8601, or null.")
    breakdown: dict[str, float]


class CoordinationResult(BaseModel):
    """The Maintenance Coordinator's choice among the ranked candidates."""

    contractor_id: int | None = Field(description="The chosen contractor, or null when nobody fits.")
    slot_start: str | None = None
    ranking: list[CandidateScore] = Field(default_factory=list)
    explanation: str = Field(max_length=800)


class DigestItem(BaseModel):
    title: str
    place: str
    status: str
    priority: str = ""
    hours_overdue: float = 0


class DigestFacts(BaseModel):
    """What the daily digest is about: an organization's figures and the requests to look at first."""

    organization: str
    date: str
    counts: dict[str, int]
    attention: list[DigestItem] = Field(default_factory=list)


class MessageInput(BaseModel):
    occasion: Literal["received", "emergency", "assigned", "awaiting_approval", "needs_review", "daily_digest"]
    language: str = "en"
    title: str = ""
    category: str = ""
    priority: str = ""
    response_time: str = ""
    tenant_instructions: list[str] = Field(default_factory=list)
    contractor_name: str = ""
    slot_start: str | None = None
    property_name: str = ""
    unit_label: str = ""
    estimated_cost_max: str = ""
    digest: DigestFacts | None = None


class Message(BaseModel):
    audience: Audience
    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    sms: str = Field(max_length=320)


class MessageSet(BaseModel):
    """The Communication Agent's words, one message per audience that should hear of it."""

    messages: list[Message]


class QualityInput(BaseModel):
    request_id: int
    title: str
    category: str
    completion_notes: str = ""
    completion_photos: int = 0
    tenant_feedback: list[str] = Field(default_factory=list)
    tenant_rating: int | None = None
    reopen_count: int = 0
    hours_to_complete: float | None = None
    hours_allowed: float | None = None


class QualityVerdict(BaseModel):
    """The Quality Control Agent's decision after completion."""

    verdict: Literal["close", "reopen"]
    reason: str = Field(max_length=600)
    contractor_score: Decimal = Field(ge=0, le=5)
