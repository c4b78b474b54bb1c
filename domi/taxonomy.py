"""The triage vocabulary of shared/TRIAGE_TAXONOMY.md: the codes every app stores."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PLUMBING = "plumbing", _("Plumbing")
    ELECTRICAL = "electrical", _("Electrical")
    HVAC = "hvac", _("Heating & cooling")
    APPLIANCE = "appliance", _("Appliance")
    STRUCTURAL = "structural", _("Structural")
    DOORS_WINDOWS = "doors_windows", _("Doors & windows")
    PEST = "pest", _("Pest control")
    SAFETY = "safety", _("Safety")
    EXTERIOR = "exterior", _("Exterior & shared areas")
    GENERAL = "general", _("General")


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


# How fast someone must act, per priority.
RESPONSE_TIME = {
    Priority.EMERGENCY: timedelta(hours=4),
    Priority.HIGH: timedelta(hours=24),
    Priority.MEDIUM: timedelta(days=3),
    Priority.LOW: timedelta(days=14),
}

# Most urgent first, for ordering.
PRIORITY_RANK = {Priority.EMERGENCY: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}
