"""The AI crew's model: the offline local model unless a pydantic-ai model name is given."""

from .env import BASE_DIR, env

DOMI_AI_MODEL = env("DOMI_AI_MODEL", default="local")
DOMI_AI_FALLBACK = env("DOMI_AI_FALLBACK", default="local")
DOMI_AI_TIMEOUT_SECONDS = env.float("DOMI_AI_TIMEOUT_SECONDS", default=30.0)
# Below this confidence a triage goes to a person (needs_review).
DOMI_AI_MIN_CONFIDENCE = env.float("DOMI_AI_MIN_CONFIDENCE", default=0.45)
# An OpenAI-compatible server (Ollama, vLLM, LiteLLM...) for DOMI_AI_MODEL="openai:<model>".
DOMI_AI_BASE_URL = env("DOMI_AI_BASE_URL", default="")
DOMI_AI_API_KEY = env("DOMI_AI_API_KEY", default="")
# The number tenants are told to call in an emergency, in the safety instructions (the property's country).
DOMI_EMERGENCY_NUMBER = env("DOMI_EMERGENCY_NUMBER", default="911")
# Where train_triage keeps the embeddings it has already computed (a retrain only embeds new messages).
DOMI_CACHE_DIR = env("DOMI_CACHE_DIR", default=str(BASE_DIR / ".cache"))
