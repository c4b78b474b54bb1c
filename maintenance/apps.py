from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "Maintenance"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Appointment, Attachment, Comment, MaintenanceRequest, RequestEvent

        for model in (MaintenanceRequest, RequestEvent, Comment, Attachment, Appointment):
            auditlog.register(model)

        from . import events

        events.attachment_added.connect(_make_thumbnail, dispatch_uid="maintenance.thumbnail")


def _make_thumbnail(attachment_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from .tasks import make_thumbnail

    try:
        make_thumbnail.delay(attachment_id)
    except Exception:  # noqa: BLE001 - never fail an upload for its thumbnail; clients fall back to the file
        import structlog

        structlog.get_logger(__name__).warning("thumbnail_enqueue_failed", attachment_id=attachment_id)
