from django.urls import path

from . import views

urlpatterns = [
    path("properties/", views.PropertyListView.as_view(), name="properties-list"),
    path("properties/<int:pk>/", views.PropertyDetailView.as_view(), name="properties-detail"),
    path("units/", views.UnitListView.as_view(), name="units-list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="units-detail"),
    path("units/<int:pk>/invitations/", views.UnitInvitationView.as_view(), name="units-invitations"),
    path("tenancies/", views.TenancyListView.as_view(), name="tenancies-list"),
    path("tenancies/<int:pk>/", views.TenancyDetailView.as_view(), name="tenancies-detail"),
]
