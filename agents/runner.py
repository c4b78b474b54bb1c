"""Run one agent on one input and record it as an AgentRun, whatever happens."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import BaseModel

from . import llm
from .crew import AGENTS
from .models import AgentRun

logger = structlog.get_logger(__name__)


@dataclass
class RunResult:
    output: Any | None
    run: AgentRun

    @property
    def ok(self) -> bool:
        return self.output is not None


def run_agent(
    name: str,
    payload: BaseModel,
    *,
    deps: Any = None,
    request_id: int | None = None,
    organization_id: int | None = None,
) -> RunResult:
    agent, prompt_version = AGENTS[name]
    configured = llm.configured_model_name()
    started = time.perf_counter()
    output = None
    error = ""
    answered_by = configured
    input_tokens = output_tokens = 0
    try:
        result = agent.run_sync(payload.model_dump_json(), model=llm.build_model(name), deps=deps)
        output = result.output
        answered_by = result.response.model_name or configured
        usage = result.usage
        input_tokens, output_tokens = usage.input_tokens or 0, usage.output_tokens or 0
    except Exception as exc:  # noqa: BLE001 - every failure is recorded; the caller decides what follows
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        logger.warning("agent_run_failed", agent=name, request_id=request_id, error=error)
    latency_ms = int((time.perf_counter() - started) * 1000)

    if output is None:
        outcome = AgentRun.Outcome.FAILED
    elif configured != llm.LOCAL and answered_by == llm.LOCAL:
        outcome = AgentRun.Outcome.FELL_BACK
    else:
        outcome = AgentRun.Outcome.SUCCEEDED
    run = AgentRun.objects.create(
        organization_id=organization_id,
        request_id=request_id,
        agent=name,
        model_name=answered_by if output is not None else configured,
        prompt_version=prompt_version,
        input=payload.model_dump(mode="json"),
        output=output.model_dump(mode="json") if output is not None else None,
        latency_ms=latency_ms,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        outcome=outcome,
        error=error,
    )
    logger.info("agent_run", agent=name, request_id=request_id, outcome=outcome, model=run.model_name, ms=latency_ms)
    return RunResult(output=output, run=run)
