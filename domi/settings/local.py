"""Local development: the embedded defaults, debug on."""

from .base import *  # noqa: F403
from .env import env

DJANGO_ENV = "local"
DEBUG = env.bool("DEBUG", default=True)
