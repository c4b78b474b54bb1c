"""Contractor: the invoices they sent and what became of each (approved, paid, rejected with the reason)."""

import streamlit as st

from streamlit_app import invoicing, session

api = session.client()

st.title("My invoices")
invoices = api.invoice_list()
if not invoices:
    st.info("You have not sent an invoice yet. Finished jobs can be invoiced under My jobs.")
    st.stop()

jobs = {job["id"]: job["title"] for job in api.request_list()}
waiting = [invoice for invoice in invoices if invoice["status"] == "awaiting_approval"]
unpaid = [invoice for invoice in invoices if invoice["status"] == "approved"]
first, second = st.columns(2)
first.metric("Waiting for approval", len(waiting))
second.metric("Approved, not paid yet", len(unpaid))
for invoice in invoices:
    invoicing.invoice_card(invoice, title=jobs.get(invoice["request"], f"job #{invoice['request']}"))
