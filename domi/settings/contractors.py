"""Contractors, job offers, invoices, payments and booking-system webhooks."""

from .env import env

# A job offer: reminded after this long without an answer, then expired (and re-offered) this long after.
DOMI_JOB_OFFER_REMIND_AFTER_MINUTES = env.int("DOMI_JOB_OFFER_REMIND_AFTER_MINUTES", default=120)
DOMI_JOB_OFFER_EXPIRE_AFTER_REMINDER_MINUTES = env.int("DOMI_JOB_OFFER_EXPIRE_AFTER_REMINDER_MINUTES", default=120)

# An invoice more than this share above the estimate (estimated_cost_max) waits for staff approval.
DOMI_INVOICE_APPROVAL_TOLERANCE = env("DOMI_INVOICE_APPROVAL_TOLERANCE", default="0.10")

# A contractor sees the tenant's phone and e-mail from accepting a job until this many hours after they
# completed it (a question about the invoice, a forgotten tool); then the contact is hidden again.
DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION = env.int("DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION", default=48)

# Payments: manual unless a Stripe key is set.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")

# Booking-system webhooks.
DOMI_WEBHOOK_TOLERANCE_SECONDS = env.int("DOMI_WEBHOOK_TOLERANCE_SECONDS", default=300)
DOMI_WEBHOOK_TIMEOUT_SECONDS = env.int("DOMI_WEBHOOK_TIMEOUT_SECONDS", default=10)
DOMI_WEBHOOK_MAX_ATTEMPTS = env.int("DOMI_WEBHOOK_MAX_ATTEMPTS", default=6)
DOMI_WEBHOOK_BACKOFF_SECONDS = env.int("DOMI_WEBHOOK_BACKOFF_SECONDS", default=30)

# Requests to addresses people typed in (domi/outbound.py): only public addresses, https where required
# (production turns it on), and these networks besides (e.g. "10.20.0.0/16" for a booking system on the
# company's own network); the reply's body is read up to this size and only its size kept.
DOMI_OUTBOUND_REQUIRE_HTTPS = env.bool("DOMI_OUTBOUND_REQUIRE_HTTPS", default=False)
DOMI_OUTBOUND_ALLOWED_NETWORKS = env.list("DOMI_OUTBOUND_ALLOWED_NETWORKS", default=[])
DOMI_OUTBOUND_MAX_REPLY_BYTES = 64 * 1024
