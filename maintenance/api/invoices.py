"""Invoices and their payments.

The job's contractor (or staff on their behalf) invoices a completed job at /requests/{id}/invoices/; an invoice
more than the allowed share above the estimate waits for staff, who approve or reject it with a reason and record
the payment made outside Domi. Every change goes through maintenance.services (409 when the invoice's or the job's
status does not allow it, 400 for input the domain refuses); what a caller may see is `invoices_visible_to`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts.models import User
from domi.api.filters import ChoicesFilter
from domi.api.permissions import CONTRACTOR, STAFF, STAFF_ONLY, CallerRole, caller_role
from domi.api.views import ScopedAPIView
from maintenance import selectors, services
from maintenance.actors import Actor
from maintenance.models import Invoice, InvoiceLine, JobLine, Payment

from .serializers import RequestContractorOutput, RequiredReasonInput
from .views import RequestScope

TAGS = ["invoices"]
STAFF_AND_CONTRACTOR = frozenset({STAFF, CONTRACTOR})


def invoices_visible_to(user: User) -> QuerySet[Invoice]:
    """Staff see the invoices of their organization's requests (the superuser every one), a contractor the
    invoices they submitted, a tenant none (as they do not see the invoice PDF among a request's files)."""
    qs = Invoice.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    match caller_role(user):
        case CallerRole.CONTRACTOR:
            return qs.filter(contractor__user=user, request__organization_id=user.organization_id)
        case CallerRole.STAFF:
            return qs.filter(request__in=selectors.request_list_visible_to(user))
    return qs.none()


def _with_details(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.select_related("contractor").prefetch_related("lines", "payments")


# --- output ----------------------------------------------------------------------------------------


class InvoiceLineOutput(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "kind", "description", "quantity", "unit_price", "amount"]


class PaymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "gateway", "status", "amount", "currency", "reference", "created_at", "completed_at"]


PAYMENT_STATES = [
    ("unpaid", "Not paid yet"),
    ("pending", "A payment is under way at the gateway"),
    ("paid", "Paid"),
]


class InvoiceOutput(serializers.ModelSerializer):
    contractor = RequestContractorOutput()
    payment_state = serializers.SerializerMethodField()
    lines = InvoiceLineOutput(many=True)
    payments = PaymentOutput(many=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "request",
            "contractor",
            "number",
            "status",
            "payment_state",
            "currency",
            "tax_rate",
            "subtotal",
            "tax",
            "total",
            "estimate",
            "needs_approval",
            "rejection_reason",
            "pdf",
            "submitted_at",
            "decided_at",
            "paid_at",
            "lines",
            "payments",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=PAYMENT_STATES))
    def get_payment_state(self, invoice: Invoice) -> str:
        # Invoice.payment_state, read off the prefetched payments so that a list costs no query per row.
        if invoice.status == Invoice.Status.PAID:
            return "paid"
        if any(p.status == Payment.Status.PENDING for p in invoice.payments.all()):
            return "pending"
        return "unpaid"


# --- input -----------------------------------------------------------------------------------------


class InvoiceLineInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JobLine.Kind.choices, default=JobLine.Kind.LABOUR)
    description = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal(0))


class InvoiceCreateInput(serializers.Serializer):
    lines = InvoiceLineInput(
        many=True,
        required=False,
        allow_empty=False,
        max_length=50,
        help_text="Line items. Leave out to invoice the labour and parts recorded when the job was completed.",
    )
    tax_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal(0),
        max_value=Decimal(1),
        default=Decimal(0),
        help_text="A share: 0.2 for 20%.",
    )
    number = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="The contractor's own invoice number."
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", required=False, default="USD", help_text="ISO 4217 code, e.g. USD."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "lines" in attrs:
            attrs["lines"] = [dict(line) for line in attrs["lines"]]
        return attrs


class PaymentRecordInput(serializers.Serializer):
    reference = serializers.CharField(max_length=200, help_text="The bank transfer's or cheque's reference.")
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="What was paid; it must be the invoice's total (the default).",
    )


# --- views -----------------------------------------------------------------------------------------


class RequestInvoicesView(RequestScope):
    """The invoices of one job, under the request (which scopes them: 404 outside it)."""

    roles = {"GET": STAFF_AND_CONTRACTOR, "POST": STAFF_AND_CONTRACTOR}
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="The job's invoices",
        description="Staff and the job's contractor; a rejected invoice stays listed beside its replacement.",
        responses={200: InvoiceOutput(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        invoices = _with_details(invoices_visible_to(request.user).filter(request=self.object))
        return self.paginated(invoices, InvoiceOutput)

    @extend_schema(
        tags=TAGS,
        summary="Invoice the completed job (its contractor, or staff for them)",
        description="Totals and tax are worked out from the lines. Within the allowed share above the estimate the "
        "invoice is approved at once; above it, or without an estimate, it waits for staff. 409 when the job is not "
        "completed (invalid_transition) or already has a live invoice (invoice_exists).",
        request=InvoiceCreateInput,
        responses={201: InvoiceOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(InvoiceCreateInput)
        with transaction.atomic():
            invoice = services.invoice_submit(request=self.object, actor=Actor.of(request.user), **data)
            fresh = _with_details(invoices_visible_to(request.user)).filter(pk=invoice.pk).first()
            if fresh is None:
                raise NotFound()
        return self.output(InvoiceOutput, fresh, status=201)


# Ids beyond what a database integer holds are refused (400), not sent to the database (an overflow there is a 500).
_ID_RANGE = {"min_value": 1, "max_value": 2**31 - 1}


class InvoiceFilter(django_filters.FilterSet):
    # Ids are filtered, not validated: an id outside the caller's scope gives an empty list, not an error.
    status = ChoicesFilter(choices=Invoice.Status.choices)
    request = django_filters.NumberFilter(field_name="request_id", help_text="A request's id.", **_ID_RANGE)
    contractor = django_filters.NumberFilter(field_name="contractor_id", help_text="A contractor's id.", **_ID_RANGE)

    class Meta:
        model = Invoice
        fields = ["status", "request", "contractor"]


class InvoiceScope(ScopedAPIView):
    roles = {"GET": STAFF_AND_CONTRACTOR, "POST": STAFF_ONLY}

    def visible_to(self, user: User) -> QuerySet[Invoice]:
        return _with_details(invoices_visible_to(user))

    def fresh(self) -> Response:
        """Inside the write's transaction: the invoice as it is now, as the caller sees it."""
        return self.output(InvoiceOutput, self.rescoped(self.object))


class InvoiceListView(InvoiceScope):
    filterset_class = InvoiceFilter

    @extend_schema(
        tags=TAGS,
        summary="List invoices",
        description="Staff: their organization's (`?status=awaiting_approval` is what waits for them). "
        "Contractors: the ones they submitted. Newest first.",
        responses={200: InvoiceOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, InvoiceOutput)


class InvoiceDetailView(InvoiceScope):
    @extend_schema(
        tags=TAGS,
        summary="An invoice, with its lines, payments and payment state",
        responses={200: InvoiceOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        return self.output(InvoiceOutput, self.object)


class InvoiceApproveView(InvoiceScope):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Approve an invoice (staff)",
        description="Only an invoice awaiting approval; otherwise 409 invalid_transition.",
        request=None,
        responses={200: InvoiceOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        with transaction.atomic():
            services.invoice_approve(invoice=self.object, user=request.user)
            return self.fresh()


class InvoiceRejectView(InvoiceScope):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Reject an invoice, saying why (staff)",
        description="Only an invoice awaiting approval; otherwise 409 invalid_transition. The contractor may then "
        "submit a new one.",
        request=RequiredReasonInput,
        responses={200: InvoiceOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(RequiredReasonInput)
        with transaction.atomic():
            services.invoice_reject(invoice=self.object, user=request.user, reason=data["reason"])
            return self.fresh()


class InvoicePaymentsView(InvoiceScope):
    error_statuses = {"POST": (409,)}

    @extend_schema(
        tags=TAGS,
        summary="Record a payment made outside Domi (staff)",
        description="A bank transfer or cheque, with its reference, for the invoice's total: the invoice becomes "
        "paid. Answers the invoice with its payments. 409 unless the invoice is approved and unpaid.",
        request=PaymentRecordInput,
        responses={201: InvoiceOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.validated(PaymentRecordInput)
        with transaction.atomic():
            services.payment_record_manual(invoice=self.object, user=request.user, **data)
            return self.output(InvoiceOutput, self.rescoped(self.object), status=201)
