from celery.signals import celeryd_after_setup
from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "AI crew"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from domi import broker
        from domi.health import register_readiness_check
        from maintenance import events
        from notifications import wording

        from .models import AgentRun

        auditlog.register(AgentRun, exclude_fields=["input", "output"])
        events.request_created.connect(_on_request_created, dispatch_uid="agents.request_created")
        events.request_status_changed.connect(_on_status_changed, dispatch_uid="agents.status_changed")
        # The Communication Agent words the daily digest; notifications falls back to its template.
        wording.register("daily_digest", _word_digest)
        register_readiness_check("triage_model", _check_triage_model)
        from . import tasks

        # The requests made while the broker was down go as soon as it is back, not at the sweep's next turn.
        broker.when_back(tasks.sweep_after_outage)
        # A Celery worker loads the triage model in its main process, before the pool forks its children.
        celeryd_after_setup.connect(_load_triage_model, dispatch_uid="agents.load_triage_model")


def _load_triage_model(**kwargs) -> None:  # type: ignore[no-untyped-def]
    from .local_model.startup import load_before_fork

    load_before_fork()


def _check_triage_model() -> None:
    """The offline model is loaded (it answers alone by default, and guards an LLM's emergencies)."""
    from .local_model import get_model

    get_model()


def _on_request_created(request_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from .tasks import analyze, enqueue

    enqueue(analyze, request_id)


def _word_digest(*, organization_id: int, facts: dict) -> dict | None:
    from .services import crew_word_digest

    return crew_word_digest(organization_id=organization_id, facts=facts)


def _on_status_changed(request_id: int, to_status: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from .tasks import coordinate, enqueue, quality_control

    if to_status == "triaged":
        enqueue(coordinate, request_id)
    elif to_status == "completed":
        enqueue(quality_control, request_id)
