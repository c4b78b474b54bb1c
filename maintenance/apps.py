from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "Maintenance"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Appointment, Attachment, Comment, MaintenanceRequest, RequestEvent

        for model in (MaintenanceRequest, RequestEvent, Comment, Attachment, Appointment):
            auditlog.register(model)
