from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/email/verify/", views.EmailVerifyView.as_view(), name="auth-email-verify"),
    path("auth/email/resend/", views.EmailResendView.as_view(), name="auth-email-resend"),
    path("auth/email/change/", views.EmailChangeView.as_view(), name="auth-email-change"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/invitations/inspect/", views.InvitationInspectView.as_view(), name="auth-invitation-inspect"),
    path("auth/invitations/accept/", views.InvitationAcceptView.as_view(), name="auth-invitation-accept"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/personal-data/", views.PersonalDataExportView.as_view(), name="me-personal-data"),
    path("invitations/", views.InvitationListView.as_view(), name="invitations-list"),
    path("invitations/<int:pk>/", views.InvitationDetailView.as_view(), name="invitations-detail"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitations-revoke"),
    path("invitations/<int:pk>/resend/", views.InvitationResendView.as_view(), name="invitations-resend"),
]
