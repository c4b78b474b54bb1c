"""The AI crew's model: the offline local model unless a pydantic-ai model name is given."""

from .env import env

DOMI_AI_MODEL = env("DOMI_AI_MODEL", default="local")
DOMI_AI_FALLBACK = env("DOMI_AI_FALLBACK", default="local")
DOMI_AI_TIMEOUT_SECONDS = env.float("DOMI_AI_TIMEOUT_SECONDS", default=30.0)
# Below this confidence a triage goes to a person (needs_review).
DOMI_AI_MIN_CONFIDENCE = env.float("DOMI_AI_MIN_CONFIDENCE", default=0.45)
# An OpenAI-compatible server (Ollama, vLLM, LiteLLM...) for DOMI_AI_MODEL="openai:<model>".
DOMI_AI_BASE_URL = env("DOMI_AI_BASE_URL", default="")
DOMI_AI_API_KEY = env("DOMI_AI_API_KEY", default="")
