"""The root of /api/v1/: every app's API routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("domi.accounts.api.urls")),
    path("", include("properties.api.urls")),
    path("", include("contractors.api.urls")),
    path("", include("maintenance.api.urls")),
    path("", include("notifications.api.urls")),
]
