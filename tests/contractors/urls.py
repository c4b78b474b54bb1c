from django.urls import include, path

urlpatterns = [path("integrations/", include("maintenance.urls"))]
