"""The words of a message: templates per language, the AI crew's wording, and text messages that fit.

Every event has one template per language, `notifications/messages/<language>/<event>.txt`, with
these blocks (plain text; the HTML e-mail is built from `body` by `_email.html`):

    subject    the e-mail subject and the in-app title
    body       the e-mail text (between the greeting and the sign-off of `_email.txt`)
    sms        the text message and the in-app summary
    sms_link   optional: a link kept whole at the end of the text message when it is shortened

Templates carry the fixed parts and use `words.subject`, `words.body` and `words.sms` (what an AI agent
wrote) where they are given, so a message is never empty when the agent wrote nothing. They are rendered
with the recipient's language active (`translation.override`), so dates come out in that language, and
in the organization's time zone.
"""

from __future__ import annotations

import math
import unicodedata
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, select_template
from django.template.loader_tags import BlockNode
from django.urls import reverse
from django.utils import timezone, translation

from domi.taxonomy import Category, Priority
from maintenance.models import MaintenanceRequest

from .events import Audience

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

# Spanish names of the triage codes; English comes from the taxonomy itself.
_LABELS_ES = {
    Category.PLUMBING: "Fontanería",
    Category.ELECTRICAL: "Electricidad",
    Category.HVAC: "Calefacción y aire acondicionado",
    Category.APPLIANCE: "Electrodomésticos",
    Category.STRUCTURAL: "Estructura",
    Category.DOORS_WINDOWS: "Puertas y ventanas",
    Category.PEST: "Control de plagas",
    Category.SAFETY: "Seguridad",
    Category.EXTERIOR: "Exteriores y zonas comunes",
    Category.GENERAL: "General",
    Priority.EMERGENCY: "Emergencia",
    Priority.HIGH: "Alta",
    Priority.MEDIUM: "Media",
    Priority.LOW: "Baja",
}

# What an AI agent may word, and how long each part may be before it is cut.
WORD_LIMITS = {"subject": 150, "body": 4000, "sms": 600}


@dataclass(frozen=True)
class Message:
    template: str
    language: str
    subject: str
    body: str
    html_body: str
    sms: str  # fitted to the segment limit
    short: str  # the same text whole, for the in-app inbox
    link: str


def language_for(code: str | None) -> str:
    code = (code or "").lower().split("-")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def clean_words(words: dict | None) -> dict[str, str]:
    """The agent's wording as plain strings within their limits; unknown keys are dropped."""
    if words is None:
        return {}
    if not isinstance(words, dict):
        raise TypeError("words must be a dict with optional 'subject', 'body' and 'sms' strings.")
    cleaned = {}
    for key, limit in WORD_LIMITS.items():
        value = words.get(key)
        if value is None:
            continue
        text = str(value).strip()
        if key == "subject":
            # A line break in a subject is a header injection to the mail library.
            text = " ".join(text.split())
        if len(text) > limit:
            text = text[: limit - 1].rstrip() + "…"
        if text:
            cleaned[key] = text
    return cleaned


def label(code: str, language: str) -> str:
    if not code:
        return ""
    if language == "es" and code in _LABELS_ES:
        return _LABELS_ES[code]
    for choices in (Category, Priority):
        if code in choices.values:
            return str(choices(code).label)
    return code


def request_link(*, request: MaintenanceRequest | None, audience: str) -> str:
    """Staff open the request in the back office; tenants and contractors in the portal."""
    if request is None:
        return settings.DOMI_PORTAL_URL if audience != Audience.STAFF else f"{settings.DOMI_BASE_URL}/admin/"
    if audience == Audience.STAFF:
        path = reverse("admin:maintenance_maintenancerequest_change", args=[request.pk])
        return f"{settings.DOMI_BASE_URL.rstrip('/')}{path}"
    return f"{settings.DOMI_PORTAL_URL.rstrip('/')}/?request={request.public_id}"


def confirm_link(request: MaintenanceRequest) -> str:
    """Where a tenant confirms the work is done and rates it."""
    return f"{settings.DOMI_PORTAL_URL.rstrip('/')}/?request={request.public_id}&action=confirm"


def message_render(
    *,
    event: str,
    audience: str,
    language: str,
    recipient_name: str,
    request: MaintenanceRequest | None,
    words: dict[str, str],
    context: dict[str, Any],
    time_zone: str = "",
) -> Message:
    """Render one event's message for one person, in their language and the organization's time zone."""
    language = language_for(language)
    tz = _zone(time_zone)
    link = context.get("link") or request_link(request=request, audience=audience)
    base = {
        **context,
        "event": event,
        "audience": audience,
        "language": language,
        "name": recipient_name,
        "request": request,
        "words": words,
        "link": link,
    }
    if request is not None:
        base.setdefault("category_label", label(request.category, language))
        base.setdefault("priority_label", label(request.priority, language))
        base.setdefault("is_emergency", request.priority == Priority.EMERGENCY)
    with translation.override(language), timezone.override(tz):
        template = select_template(
            [f"notifications/messages/{language}/{event}.txt", f"notifications/messages/{DEFAULT_LANGUAGE}/{event}.txt"]
        )
        parts = _render_blocks(template, base)
        subject = " ".join(parts.get("subject", "").split()) or words.get("subject", "")
        body = parts.get("body", "").strip()
        short = _squeeze(parts.get("sms", ""))
        sms_link = parts.get("sms_link", "").strip()
        layout = {**base, "subject": subject, "body": body}
        text = _template(language, "_email.txt").render(layout).strip() + "\n"
        html = _template(language, "_email.html").render(layout)
    return Message(
        template=template.origin.template_name,
        language=language,
        subject=subject[:255],
        body=text,
        html_body=html,
        sms=fit_sms(short, tail=sms_link),
        short=f"{short} {sms_link}".strip() if sms_link and sms_link != link else short,
        link=link,
    )


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _template(language: str, name: str):  # type: ignore[no-untyped-def]
    try:
        return get_template(f"notifications/messages/{language}/{name}")
    except TemplateDoesNotExist:
        return get_template(f"notifications/messages/{DEFAULT_LANGUAGE}/{name}")


def _render_blocks(template: Any, values: dict[str, Any]) -> dict[str, str]:
    """Render each top-level {% block %} of a message template on its own, as plain text."""
    compiled = template.template
    context = Context(values, autoescape=False)
    parts: dict[str, str] = {}
    with context.render_context.push_state(compiled), context.bind_template(compiled):
        for node in compiled.nodelist.get_nodes_by_type(BlockNode):
            parts[node.name] = node.render(context)
    return parts


def _squeeze(text: str) -> str:
    """Template whitespace out of a text message: single spaces, no blank lines."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


# --- Text messages: two segments at most ------------------------------------------------------------

# GSM 03.38: the default alphabet (one septet each) and its extension table (two septets each).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
# Typographic characters agents like to write, replaced so a message is not forced into UCS-2.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "·": "-",
        "…": "...",
        "\u00a0": " ",
    }
)
SEGMENT = {"gsm7": (160, 153), "ucs2": (70, 67)}


def sms_encoding(text: str) -> str:
    return "gsm7" if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text) else "ucs2"


def sms_units(text: str) -> int:
    """Septets for GSM-7, UTF-16 code units for UCS-2 (an emoji takes two)."""
    if sms_encoding(text) == "gsm7":
        return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    single, multi = SEGMENT[sms_encoding(text)]
    units = sms_units(text)
    return 1 if units <= single else math.ceil(units / multi)


def _without_accents(text: str) -> str:
    """Letters outside GSM-7 replaced by their base letter where that is in it (á → a, Í → I)."""
    out = []
    for ch in text:
        if ch not in _GSM_BASIC and ch not in _GSM_EXTENDED:
            base = unicodedata.normalize("NFKD", ch)[0]
            if base in _GSM_BASIC:
                ch = base
        out.append(ch)
    return "".join(out)


def fit_sms(text: str, *, tail: str = "", max_segments: int | None = None) -> str:
    """The text (and the tail, kept whole) in at most `max_segments` segments, cut at a word with an ellipsis."""
    limit = max_segments or getattr(settings, "DOMI_SMS_MAX_SEGMENTS", 2)
    text = text.translate(_PLAIN).strip()
    tail = tail.translate(_PLAIN).strip()

    def joined(head: str) -> str:
        return f"{head} {tail}".strip() if tail else head

    whole = joined(text)
    if sms_segments(whole) <= limit:
        return whole
    # Rather a whole message without accents (á → a) than a cut one: GSM-7 has twice the room.
    plain_text, plain_tail = _without_accents(text), _without_accents(tail)
    if sms_encoding(f"{plain_text} {plain_tail}") == "gsm7":
        text, tail = plain_text, plain_tail
        whole = joined(text)
        if sms_segments(whole) <= limit:
            return whole
    words = text.split(" ")
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n]).rstrip(" ,.;:-\n")
        # "…" alone would push a GSM-7 message into UCS-2 and halve its room.
        ellipsis = "..." if sms_encoding(joined(head)) == "gsm7" else "…"
        candidate = joined(head + ellipsis)
        if sms_segments(candidate) <= limit:
            return candidate
    # One very long word (or a tail that alone is too long): cut by characters.
    candidate = whole
    while candidate and sms_segments(candidate) > limit:
        candidate = candidate[:-1]
    return candidate
