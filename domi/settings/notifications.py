"""Notifications: retries, the SMS provider's extras, and the size of text messages.

E-mail (EMAIL_*) and the SMS provider's keys (TWILIO_*, DOMI_SMS_BACKEND) are read in base.py.
"""

from .env import env

# A delivery that fails for a passing reason is tried again this many times, with exponential backoff.
DOMI_NOTIFY_MAX_RETRIES = env.int("DOMI_NOTIFY_MAX_RETRIES", default=5)
DOMI_NOTIFY_RETRY_BACKOFF_SECONDS = env.int("DOMI_NOTIFY_RETRY_BACKOFF_SECONDS", default=30)
# Kept under the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS), so a waiting retry is not redelivered.
DOMI_NOTIFY_RETRY_BACKOFF_MAX_SECONDS = env.int("DOMI_NOTIFY_RETRY_BACKOFF_MAX_SECONDS", default=1800)
# A worker that claimed a delivery this long ago and did not finish is taken to be dead (> CELERY_TASK_TIME_LIMIT).
DOMI_NOTIFY_SENDING_LEASE_SECONDS = env.int("DOMI_NOTIFY_SENDING_LEASE_SECONDS", default=600)
# How late a queued delivery may be before the periodic sweep sends it again.
DOMI_NOTIFY_SWEEP_GRACE_SECONDS = env.int("DOMI_NOTIFY_SWEEP_GRACE_SECONDS", default=300)

# Text messages are cut to fit this many segments (160/153 GSM-7 characters, 70/67 UCS-2).
DOMI_SMS_MAX_SEGMENTS = env.int("DOMI_SMS_MAX_SEGMENTS", default=2)
# Twilio: a Messaging Service instead of TWILIO_FROM_NUMBER, when set.
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
