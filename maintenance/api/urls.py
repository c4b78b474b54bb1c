from django.urls import path

from . import attachments, direct_uploads, invoices, reports, scorecards, views

urlpatterns = [
    path("me/calendar-feed/", views.CalendarFeedView.as_view(), name="me-calendar-feed"),
    path("requests/", views.RequestListView.as_view(), name="requests-list"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="requests-detail"),
    path(
        "requests/<int:pk>/allowed-transitions/",
        views.AllowedTransitionsView.as_view(),
        name="requests-allowed-transitions",
    ),
    path("requests/<int:pk>/transition/", views.RequestTransitionView.as_view(), name="requests-transition"),
    path("requests/<int:pk>/cancel/", views.RequestCancelView.as_view(), name="requests-cancel"),
    path("requests/<int:pk>/confirm/", views.RequestConfirmView.as_view(), name="requests-confirm"),
    path("requests/<int:pk>/reopen/", views.RequestReopenView.as_view(), name="requests-reopen"),
    path("requests/<int:pk>/accept/", views.RequestAcceptView.as_view(), name="requests-accept"),
    path("requests/<int:pk>/decline/", views.RequestDeclineView.as_view(), name="requests-decline"),
    path("requests/<int:pk>/start/", views.RequestStartView.as_view(), name="requests-start"),
    path("requests/<int:pk>/complete/", views.RequestCompleteView.as_view(), name="requests-complete"),
    path("requests/<int:pk>/visit/", views.RequestVisitView.as_view(), name="requests-visit"),
    path("requests/<int:pk>/triage/", views.RequestTriageView.as_view(), name="requests-triage"),
    path("requests/<int:pk>/assign/", views.RequestAssignView.as_view(), name="requests-assign"),
    path("requests/<int:pk>/rate/", views.RequestRateView.as_view(), name="requests-rate"),
    path("requests/<int:pk>/comments/", views.RequestCommentsView.as_view(), name="requests-comments"),
    path(
        "requests/<int:pk>/attachments/",
        attachments.RequestAttachmentsView.as_view(),
        name="requests-attachments",
    ),
    path(
        "requests/<int:pk>/attachments/<int:attachment_id>/",
        attachments.RequestAttachmentDetailView.as_view(),
        name="requests-attachment-detail",
    ),
    path(
        "requests/<int:pk>/attachments/direct/",
        direct_uploads.DirectUploadsView.as_view(),
        name="requests-direct-uploads",
    ),
    path(
        "requests/<int:pk>/attachments/direct/<uuid:upload_id>/complete/",
        direct_uploads.DirectUploadCompleteView.as_view(),
        name="requests-direct-upload-complete",
    ),
]

# Invoices and payments (invoices.py), contractor scorecards (scorecards.py).
urlpatterns += [
    path("requests/<int:pk>/invoices/", invoices.RequestInvoicesView.as_view(), name="requests-invoices"),
    path("invoices/", invoices.InvoiceListView.as_view(), name="invoices-list"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailView.as_view(), name="invoices-detail"),
    path("invoices/<int:pk>/approve/", invoices.InvoiceApproveView.as_view(), name="invoices-approve"),
    path("invoices/<int:pk>/reject/", invoices.InvoiceRejectView.as_view(), name="invoices-reject"),
    path("invoices/<int:pk>/payments/", invoices.InvoicePaymentsView.as_view(), name="invoices-payments"),
    path("scorecards/", scorecards.ScorecardListView.as_view(), name="scorecards-list"),
    path("contractors/<int:pk>/scorecard/", scorecards.ContractorScorecardView.as_view(), name="contractors-scorecard"),
]

# The manager's dashboard figures (reports.py).
urlpatterns += [
    path("reports/overview/", reports.ReportOverviewView.as_view(), name="reports-overview"),
]
