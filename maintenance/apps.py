from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    name = "maintenance"
    verbose_name = "Maintenance"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from domi.accounts.personal_data import personal_data_register

        from .personal_data import section

        personal_data_register(section)

        from .models import (
            Appointment,
            Attachment,
            CalendarFeedToken,
            Comment,
            Invoice,
            InvoiceLine,
            JobLine,
            JobOffer,
            MaintenanceRequest,
            Payment,
            RequestEvent,
        )

        for model in (MaintenanceRequest, RequestEvent, Comment, Attachment, Appointment, JobOffer):
            auditlog.register(model)
        # Every change of the job's money: what was done and charged, invoiced and paid.
        for model in (JobLine, Invoice, InvoiceLine, Payment):
            auditlog.register(model)
        # Integrations: a calendar feed issued or rotated (its secret's digest is not logged).
        auditlog.register(CalendarFeedToken, exclude_fields=["token_hash"])

        from . import events

        events.attachment_added.connect(_make_thumbnail, dispatch_uid="maintenance.thumbnail")


def _make_thumbnail(attachment_id: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    from domi.broker import publish

    from .tasks import make_thumbnail

    publish(make_thumbnail, attachment_id)  # not sent: clients fall back to the file
