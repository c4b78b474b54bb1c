import os

ENVIRONMENTS = ("local", "test", "production")


def select_settings() -> None:
    """Point Django at the settings module for DJANGO_ENV unless DJANGO_SETTINGS_MODULE says otherwise."""
    environment = os.environ.get("DJANGO_ENV", "local")
    if environment not in ENVIRONMENTS:
        raise SystemExit(f"DJANGO_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", f"domi.settings.{environment}")
