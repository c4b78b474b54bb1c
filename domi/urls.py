from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from domi import health
from maintenance import files

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("domi.api.urls", "v1"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up script as a file: no inline script, for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Machine-facing endpoints: calendar feeds, the payment gateway's webhook, booking systems' commands.
    path("integrations/", include("maintenance.urls")),
    # Stored files are never served from a public folder: only through short-lived signed links.
    path("files/<str:token>", files.download, name="file-download"),
]
