"""The contractor's invoice for a finished job: the form, and what became of the invoices already sent."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import streamlit as st

from streamlit_app import session
from streamlit_app.client import ApiError, DomiClient, Invoice, InvoiceLineInput, RequestDetail

LINE_ROWS = 4
KINDS = {"labour": "Labour", "part": "Part"}
FIELDS = {"lines", "tax_rate", "number", "currency"}
INVOICEABLE = ("completed", "closed")
STATUS_LABELS = {
    "awaiting_approval": "⏳ Waiting for the manager's approval",
    "approved": "✅ Approved",
    "rejected": "❌ Rejected",
    "paid": "💰 Paid",
}
SENT_MESSAGES = {
    "approved": "Invoice sent and approved.",
    "awaiting_approval": "Invoice sent. It is above the estimate, so it waits for the manager's approval.",
}
PAYMENT_LABELS = {"unpaid": "not paid yet", "pending": "payment under way", "paid": "paid"}


def money(amount: str | Decimal, currency: str) -> str:
    return f"{Decimal(amount):,.2f} {currency}"


def plain(number: str | Decimal) -> str:
    """1.50 as 1.5 and 10.00 as 10."""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def status_label(invoice: Invoice) -> str:
    label = STATUS_LABELS.get(invoice["status"], invoice["status"])
    if invoice["status"] == "approved":
        label += f" · {PAYMENT_LABELS.get(invoice['payment_state'], invoice['payment_state'])}"
    return label


def invoice_card(invoice: Invoice, *, title: str | None = None) -> None:
    """One invoice: its status first (what the contractor wants to know), then the figures."""
    with st.container(border=True):
        number = invoice["number"] or f"#{invoice['id']}"
        st.markdown(f"**Invoice {number}**" + (f" · {title}" if title else ""))
        st.markdown(f"{status_label(invoice)} · **{money(invoice['total'], invoice['currency'])}**")
        if invoice["status"] == "rejected" and invoice["rejection_reason"]:
            st.warning(f"Why it was rejected: {invoice['rejection_reason']}", icon="💬")
        for line in invoice["lines"]:
            st.caption(
                f"{KINDS.get(line['kind'], line['kind'])}: {line['description']} · "
                f"{plain(line['quantity'])} × {money(line['unit_price'], invoice['currency'])}"
            )
        if Decimal(invoice["tax"]):
            rate = plain(Decimal(invoice["tax_rate"]) * 100)
            st.caption(f"Tax {rate}%: {money(invoice['tax'], invoice['currency'])}")


def invoice_section(api: DomiClient, job: RequestDetail) -> None:
    """The job's invoices; the form while none is live (none yet, or the last one was rejected)."""
    if job["status"] not in INVOICEABLE:
        return
    st.subheader("Invoice")
    invoices = api.request_invoices(job["id"])
    for invoice in invoices:
        invoice_card(invoice)
    if any(invoice["status"] != "rejected" for invoice in invoices):
        return
    if invoices:
        st.info("You can send a corrected invoice.", icon="✏️")
    invoice_form(api, job)


def _keys(form: str, row: int) -> dict[str, str]:
    return {part: f"{form}_line_{row}_{part}" for part in ("kind", "description", "quantity", "price")}


def _decimal_text(value: float | None) -> str | None:
    return None if value is None else f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


def typed_lines(form: str) -> tuple[list[InvoiceLineInput], list[int]]:
    """The rows the contractor filled in (any of description, quantity or price), and which rows they are.

    A value left empty in a filled row is left out of the line, so the API's message lands next to it.
    """
    lines: list[InvoiceLineInput] = []
    rows: list[int] = []
    for row in range(LINE_ROWS):
        keys = _keys(form, row)
        description = (st.session_state.get(keys["description"]) or "").strip()
        quantity = _decimal_text(st.session_state.get(keys["quantity"]))
        price = _decimal_text(st.session_state.get(keys["price"]))
        if not description and quantity is None and price is None:
            continue
        line: InvoiceLineInput = {"kind": st.session_state.get(keys["kind"]) or "labour", "description": description}
        if quantity is not None:
            line["quantity"] = quantity
        if price is not None:
            line["unit_price"] = price
        lines.append(line)
        rows.append(row)
    return lines, rows


def _messages(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _messages(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _messages(item)


def line_field_error(form: str, row: int, name: str) -> None:
    """The API's message about one field of one line, below that field."""
    error: ApiError | None = st.session_state.get(session.errors_key(form))
    sent: list[int] = st.session_state.get(f"{form}_sent_rows", [])
    if error is None or row not in sent:
        return
    for message in _messages(_line_errors(error).get(sent.index(row), {}).get(name)):
        st.error(message, icon="✏️")


def _line_errors(error: ApiError) -> dict[int, dict[str, Any]]:
    """The messages per line sent, by its position. The API keys them by position ({"0": {...}}); a list of
    one entry per line is read the same way."""
    lines = error.fields.get("lines")
    if isinstance(lines, dict):
        return {int(k): v for k, v in lines.items() if str(k).isdigit() and isinstance(v, dict)}
    if isinstance(lines, list):
        return {i: v for i, v in enumerate(lines) if isinstance(v, dict)}
    return {}


def lines_error(form: str) -> None:
    """What the API said about the lines as a whole (e.g. there are none)."""
    error: ApiError | None = st.session_state.get(session.errors_key(form))
    lines = error.fields.get("lines") if error else None
    if isinstance(lines, dict):
        lines = [v for k, v in lines.items() if not str(k).isdigit()]
    for message in _messages(lines or []):
        st.error(message, icon="✏️")


def invoice_form(api: DomiClient, job: RequestDetail) -> None:
    rid = job["id"]
    form = f"invoice_{rid}"
    descriptions = [_keys(form, row)["description"] for row in range(LINE_ROWS)]
    session.keep_values(f"{form}_number", f"{form}_currency", *descriptions)
    with st.form(form):
        st.markdown("**Send your invoice**")
        number, currency = st.columns([2, 1])
        with number:
            st.text_input("Your invoice number (optional)", key=f"{form}_number", max_chars=64)
            session.field_error(form, "number")
        with currency:
            if f"{form}_currency" not in st.session_state:
                st.session_state[f"{form}_currency"] = "USD"
            st.text_input("Currency", key=f"{form}_currency", max_chars=3, help="ISO code, e.g. USD")
            session.field_error(form, "currency")
        st.markdown("**Labour and parts**")
        st.caption("Fill in a row for each item. Leave them all empty to invoice what you recorded at completion.")
        for row in range(LINE_ROWS):
            keys = _keys(form, row)
            st.text_input(f"Item {row + 1}", key=keys["description"], max_chars=200, placeholder="e.g. Labour")
            line_field_error(form, row, "description")
            kind, quantity, price = st.columns(3)
            with kind:
                st.selectbox("Kind", options=list(KINDS), format_func=KINDS.get, key=keys["kind"])
                line_field_error(form, row, "kind")
            with quantity:
                st.number_input("Quantity", min_value=0.0, value=None, step=0.5, format="%.2f", key=keys["quantity"])
                line_field_error(form, row, "quantity")
            with price:
                st.number_input("Unit price", min_value=0.0, value=None, step=5.0, format="%.2f", key=keys["price"])
                line_field_error(form, row, "unit_price")
        lines_error(form)
        st.number_input("Tax (%)", min_value=0.0, max_value=100.0, value=0.0, step=0.5, key=f"{form}_tax")
        session.field_error(form, "tax_rate")
        session.form_error(form, FIELDS)
        submitted = st.form_submit_button("Send invoice", type="primary", width="stretch")
    if submitted:
        lines, rows = typed_lines(form)
        st.session_state[f"{form}_sent_rows"] = rows
        tax_share = Decimal(str(st.session_state[f"{form}_tax"] or 0)) / 100
        invoice = session.submit(
            form,
            lambda: api.invoice_submit(
                rid,
                lines=lines or None,
                tax_rate=f"{tax_share.quantize(Decimal('0.0001'))}",
                number=st.session_state[f"{form}_number"].strip(),
                currency=st.session_state[f"{form}_currency"].strip().upper(),
            ),
        )
        for key in [k for k in st.session_state if str(k).startswith(f"{form}_")]:
            del st.session_state[key]
        session.flash(SENT_MESSAGES.get(invoice["status"], "Invoice sent."))
        st.rerun()
