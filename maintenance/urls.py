"""Machine-facing endpoints (include under "integrations/"): calendar feeds, payment and booking webhooks."""

from django.urls import path

from . import integrations

app_name = "integrations"

urlpatterns = [
    path("calendar/<str:token>.ics", integrations.calendar_feed, name="calendar-feed"),
    path("payments/stripe/webhook", integrations.stripe_webhook, name="stripe-webhook"),
    path("booking/<int:endpoint_id>/commands", integrations.booking_command, name="booking-command"),
]
