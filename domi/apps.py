from django.apps import AppConfig


class DomiConfig(AppConfig):
    """The project itself: what every app relies on and no app owns (the database connection, the request log)."""

    name = "domi"
    verbose_name = "Domi"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django_structlog.signals import bind_extra_request_finished_metadata

        from .database import timestamps_parsed_in_c
        from .request_log import user_agent_logged

        connection_created.connect(timestamps_parsed_in_c, dispatch_uid="domi.timestamps_parsed_in_c")
        bind_extra_request_finished_metadata.connect(user_agent_logged, dispatch_uid="domi.user_agent_logged")
