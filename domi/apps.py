from django.apps import AppConfig


class DomiConfig(AppConfig):
    """The project itself: what every app relies on and no app owns (the database connection's set-up)."""

    name = "domi"
    verbose_name = "Domi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .database import timestamps_parsed_in_c

        connection_created.connect(timestamps_parsed_in_c, dispatch_uid="domi.timestamps_parsed_in_c")
