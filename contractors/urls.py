"""The contractor roster's own URLs (none yet beyond the API): machine-facing endpoints that act on jobs
live in maintenance.urls, because contractors may not import maintenance."""

app_name = "contractors"

urlpatterns: list = []
