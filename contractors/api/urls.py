from django.urls import path

from . import views

urlpatterns = [
    path("contractors/", views.ContractorListView.as_view(), name="contractors-list"),
    path("contractors/<int:pk>/", views.ContractorDetailView.as_view(), name="contractors-detail"),
    path("contractors/<int:pk>/invitations/", views.ContractorInvitationView.as_view(), name="contractors-invitations"),
]
