"""The LLM path over real HTTP: an OpenAI-compatible server on 127.0.0.1 answering with tool calls."""

from __future__ import annotations

import pytest

from maintenance import services as maintenance
from notifications.models import Delivery
from tests.agents.fake_openai import FakeOpenAI

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def llm(settings):
    with FakeOpenAI() as server:
        settings.DOMI_AI_MODEL = "openai:fake-llm"
        settings.DOMI_AI_BASE_URL = server.base_url
        settings.DOMI_AI_API_KEY = "test-key"
        settings.DOMI_AI_TIMEOUT_SECONDS = 1.5
        settings.DOMI_AI_FALLBACK = "local"
        yield server


def _report(tenant, unit):
    return maintenance.maintenance_request_create(
        reporter=tenant, unit=unit, title="Leak", description="Water drips from the pipe under the sink."
    )


def test_the_pipeline_runs_on_the_llm(llm, crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit)
    request.refresh_from_db()
    assert request.status == "assigned"
    assert request.priority == "high", "the LLM's answer, not the local model's"
    runs = {run.agent: run for run in request.agent_runs.all()}
    assert {r.model_name for r in runs.values()} == {"fake-llm"}
    assert {r.outcome for r in runs.values()} == {"succeeded"}
    assert runs["analyzer"].input_tokens > 0
    # The analyzer looked at the unit's history through its tool, then answered through the output tool.
    first = llm.calls[0]
    assert {t["function"]["name"] for t in first["tools"]} >= {"recent_requests_at_unit"}
    assert any(m["role"] == "tool" for m in llm.calls[1]["messages"])
    assert "LLM picked" in runs["coordinator"].output["explanation"]
    words = Delivery.objects.filter(request=request, recipient=crew_tenant, event="request_received", channel="email")
    assert words.get().subject.startswith("LLM words") or "LLM" in words.get().body


def test_a_failing_provider_falls_back_to_the_local_model(llm, crew_tenant, crew_unit, crew_staff, plumbers):
    llm.mode = "error"
    request = _report(crew_tenant, crew_unit)
    request.refresh_from_db()
    assert request.status == "assigned"
    analyzer = request.agent_runs.get(agent="analyzer")
    assert (analyzer.outcome, analyzer.model_name) == ("fell_back", "local")
    assert llm.calls, "the provider was tried first"


def test_a_slow_provider_times_out_and_falls_back(llm, crew_tenant, crew_unit, crew_staff, plumbers):
    llm.mode = "slow"
    llm.delay = 30
    request = _report(crew_tenant, crew_unit)
    request.refresh_from_db()
    analyzer = request.agent_runs.get(agent="analyzer")
    assert (analyzer.outcome, analyzer.model_name) == ("fell_back", "local")
    # Far under the provider's 30 s: the 1.5 s timeout cut it off. The rest of the margin is for the local
    # model's first triage in this process on a loaded machine (it took 3.4 s once while CI shared the cores).
    assert analyzer.latency_ms < 15_000
    assert request.status == "assigned"


def test_without_fallback_a_double_failure_goes_to_review(llm, settings, crew_tenant, crew_unit, crew_staff, plumbers):
    settings.DOMI_AI_FALLBACK = "none"
    llm.mode = "error"
    request = _report(crew_tenant, crew_unit)
    request.refresh_from_db()
    assert request.status == "needs_review"
    analyzer = request.agent_runs.get(agent="analyzer")
    assert analyzer.outcome == "failed" and "500" in analyzer.error
    assert Delivery.objects.filter(request=request, recipient=crew_staff, event="needs_review").exists()


def test_the_local_detector_keeps_an_emergency_the_llm_lowered(llm, crew_tenant, crew_unit, crew_staff, plumbers):
    # The fake LLM answers plumbing/high to everything; the tenant smells gas.
    request = maintenance.maintenance_request_create(
        reporter=crew_tenant,
        unit=crew_unit,
        title="Smell",
        description="There is a strong smell of gas in the kitchen.",
    )
    request.refresh_from_db()
    analyzer = request.agent_runs.get(agent="analyzer")
    assert analyzer.model_name == "fake-llm"
    assert request.priority == "emergency", "an emergency the local detector flags is never lowered by the LLM"
    assert request.safety_instructions, "with the local model's safety instructions"
    assert "gas_leak" in analyzer.output["safety_flags"]
    assert analyzer.output["rationale"].startswith("Raised to emergency: fake-llm said high")
    assert Delivery.objects.filter(request=request, recipient=crew_staff, event="emergency_alert").exists()
