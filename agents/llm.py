"""Which model the crew runs on: the offline local model, or any pydantic-ai model with the local one as fallback.

DOMI_AI_MODEL=local (the default) runs the offline model that ships in agents/local_model.
Any other value is a pydantic-ai model name ("openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5").
With DOMI_AI_BASE_URL set, an "openai:<name>" model talks to that OpenAI-compatible server
(Ollama, vLLM, LiteLLM...), with DOMI_AI_API_KEY if it needs one. When the provider fails or
times out, the local model answers instead (DOMI_AI_FALLBACK=local, the default; "none" turns
the fallback off).
"""

from __future__ import annotations

from django.conf import settings
from pydantic_ai.models import Model, infer_model
from pydantic_ai.models.fallback import FallbackModel
from pydantic_ai.models.function import FunctionModel
from pydantic_ai.settings import ModelSettings

from . import offline

LOCAL = "local"


def local_model(agent: str) -> FunctionModel:
    return FunctionModel(offline.FUNCTIONS[agent], model_name=LOCAL)


def configured_model_name() -> str:
    return settings.DOMI_AI_MODEL or LOCAL


def _remote_model(name: str) -> Model:
    model_settings = ModelSettings(
        timeout=settings.DOMI_AI_TIMEOUT_SECONDS,
        request_timeout=settings.DOMI_AI_TIMEOUT_SECONDS,
        max_retries=0,
        temperature=0.0,
    )
    base_url = getattr(settings, "DOMI_AI_BASE_URL", "")
    if base_url:
        provider_name, _, model_id = name.partition(":")
        if provider_name != "openai" or not model_id:
            raise ValueError("DOMI_AI_BASE_URL needs DOMI_AI_MODEL in the form 'openai:<model name>'.")
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        provider = OpenAIProvider(base_url=base_url, api_key=getattr(settings, "DOMI_AI_API_KEY", "") or "none")
        return OpenAIChatModel(model_id, provider=provider, settings=model_settings)
    model = infer_model(name)
    model._settings = {**(model.settings or {}), **model_settings}
    return model


def build_model(agent: str) -> Model:
    """The model for one agent run. Remote models are built per run: their HTTP clients bind to one event loop."""
    name = configured_model_name()
    if name == LOCAL:
        return local_model(agent)
    remote = _remote_model(name)
    if settings.DOMI_AI_FALLBACK == LOCAL:
        return FallbackModel(remote, local_model(agent))
    return remote
