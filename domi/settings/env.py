"""The one environment reader every settings module uses."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is read for convenience in development; the real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
