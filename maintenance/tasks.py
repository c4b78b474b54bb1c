"""Background work of maintenance itself: tasks take ids and call one service."""

from celery import shared_task

from . import services


@shared_task(
    name="maintenance.make_thumbnail", acks_late=True, autoretry_for=(OSError,), retry_backoff=2, max_retries=5
)
def make_thumbnail(attachment_id: int) -> None:
    services.attachment_make_thumbnail(attachment_id=attachment_id)


@shared_task(
    name="maintenance.sweep_job_offers", acks_late=True, autoretry_for=(OSError,), retry_backoff=2, max_retries=3
)
def sweep_job_offers() -> dict[str, int]:
    """Remind unanswered job offers once; expire those still unanswered, which re-offers the job."""
    return services.job_offers_sweep()


@shared_task(
    name="maintenance.expire_direct_uploads", acks_late=True, autoretry_for=(OSError,), retry_backoff=2, max_retries=3
)
def expire_direct_uploads() -> dict[str, int]:
    """Expire direct uploads never completed, and delete what was posted for them."""
    return services.direct_uploads_expire()
