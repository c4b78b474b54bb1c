"""The portal's one way to talk to Domi: a typed client for the REST API under /api/v1/.

It keeps the JWT pair, refreshes the access token once when the API answers 401 (refresh tokens
rotate, so the new one replaces the old), and turns every failure into one of the errors below, so a
page never sees a raw HTTP response.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, NotRequired, TypedDict

import requests

DEFAULT_API_URL = "http://127.0.0.1:8000"
# Creating a request runs the triage in the same HTTP call when tasks are in-process, which can take
# several seconds the first time the local model loads.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 90

Role = Literal["admin", "manager", "tenant", "contractor"]
Language = Literal["en", "es"]
Status = Literal[
    "submitted",
    "triaged",
    "needs_review",
    "awaiting_approval",
    "assigned",
    "scheduled",
    "in_progress",
    "completed",
    "closed",
    "reopened",
    "cancelled",
]
AttachmentKind = Literal["photo", "completion_photo", "invoice", "document", "video"]


# --- What the API answers (the OpenAPI schema's components, as far as the portal reads them) ---


class Organization(TypedDict):
    id: int
    name: str
    slug: str
    timezone: NotRequired[str]


class Me(TypedDict):
    id: int
    email: str
    first_name: str
    last_name: str
    role: Role
    is_superuser: bool
    organization: Organization | None
    phone: str
    language: Language
    email_verified: bool
    pending_email: str | None


class EmailStatus(TypedDict):
    """The sign-in address, whether it is verified, and a new address waiting for its link."""

    email: str
    email_verified: bool
    pending_email: str | None


class InvitationPreview(TypedDict):
    """What an invitation link offers, as the invitee sees it before accepting."""

    email: str
    first_name: str
    last_name: str
    role: Role
    organization: str
    summary: str
    status: Literal["pending", "accepted", "revoked", "expired"]
    expires_at: str


class PropertyBrief(TypedDict):
    id: int
    name: str
    address_line1: str
    address_line2: NotRequired[str]
    city: str
    postal_code: str


class Unit(TypedDict):
    id: int
    label: str
    floor: int | None
    property: PropertyBrief


class ContractorBrief(TypedDict):
    id: int
    company_name: str


class RequestSummary(TypedDict):
    id: int
    public_id: str
    title: str
    status: Status
    category: str
    priority: str
    unit: Unit
    assigned_contractor: ContractorBrief | None
    due_by: str | None
    is_overdue: bool
    created_at: str
    updated_at: str


class Actor(TypedDict):
    type: Literal["user", "agent"]
    name: str
    role: Role | None


class TimelineEvent(TypedDict):
    id: int
    kind: Literal["created", "status", "triage_override", "assignment", "note"]
    from_status: str
    to_status: str
    actor: Actor
    note: str
    created_at: str


class Person(TypedDict):
    name: str
    role: Role


class Comment(TypedDict):
    id: int
    author: Person
    body: str
    visibility: Literal["shared", "staff"]
    created_at: str


class Appointment(TypedDict):
    id: int
    contractor: int
    start: str
    end: str
    status: Literal["proposed", "confirmed", "completed", "cancelled"]


class Attachment(TypedDict):
    id: int
    kind: AttachmentKind
    original_name: str
    content_type: str
    size: int
    created_at: str
    url: NotRequired[str]
    thumbnail_url: NotRequired[str | None]


class Reporter(TypedDict):
    id: int
    name: str
    email: str | None
    phone: str | None


class JobOffer(TypedDict):
    id: int
    contractor: int
    status: Literal["offered", "accepted", "declined", "expired", "withdrawn"]
    offered_at: str
    expires_at: str


class Window(TypedDict):
    start: str
    end: str


class RequestDetail(RequestSummary):
    description: str
    permission_to_enter: bool
    availability_windows: list[Window]
    estimated_cost_min: str | None
    estimated_cost_max: str | None
    safety_instructions: list[str]
    reporter: Reporter
    triaged_at: str | None
    assigned_at: str | None
    completed_at: str | None
    closed_at: str | None
    tenant_rating: int | None
    job_offer: JobOffer | None
    allowed_transitions: list[Status]
    timeline: list[TimelineEvent]
    comments: list[Comment]
    appointments: list[Appointment]
    attachments: list[Attachment]


class OpenRequestCount(TypedDict):
    status: Status
    priority: str
    count: int
    overdue: int


class StageTime(TypedDict):
    stage: Literal["triage", "assign", "complete"]
    requests: int
    median_hours: float
    p90_hours: float
    month: NotRequired[str]


class PropertyCost(TypedDict):
    month: str
    currency: str
    invoices: int
    total: str
    property: dict[str, Any]


class CategoryCost(TypedDict):
    month: str
    currency: str
    invoices: int
    total: str
    category: str


class Overview(TypedDict):
    since: str
    until: str
    timezone: str
    months: list[str]
    open_requests: list[OpenRequestCount]
    times: list[StageTime]
    times_overall: list[StageTime]
    costs_by_property: list[PropertyCost]
    costs_by_category: list[CategoryCost]


class Scorecard(TypedDict):
    contractor: ContractorBrief
    rating: str | None
    jobs_scored: int
    offers_answered: int
    acceptance_rate: float | None
    on_time_rate: float | None
    avg_hours_to_complete: float | None
    reopen_rate: float | None
    cost_vs_estimate: float | None
    tenant_rating: float | None


class InvoiceLine(TypedDict):
    id: int
    kind: Literal["labour", "part"]
    description: str
    quantity: str
    unit_price: str
    amount: str


class Invoice(TypedDict):
    id: int
    request: int
    contractor: ContractorBrief
    number: str
    status: Literal["awaiting_approval", "approved", "rejected", "paid"]
    payment_state: Literal["unpaid", "pending", "paid"]
    currency: str
    tax_rate: str
    subtotal: str
    tax: str
    total: str
    estimate: str | None
    needs_approval: bool
    rejection_reason: str
    submitted_at: str
    decided_at: str | None
    paid_at: str | None
    lines: list[InvoiceLine]


class InvoiceLineInput(TypedDict):
    """A line as the person typed it: a value left empty is left out, so the API says it is required."""

    kind: str
    description: NotRequired[str]
    quantity: NotRequired[str]
    unit_price: NotRequired[str]


@dataclass(frozen=True)
class Upload:
    """A file to send: its name, its bytes and the type the browser gave."""

    name: str
    content: bytes
    content_type: str = "application/octet-stream"


# --- Errors ---


class DomiClientError(Exception):
    """Anything that went wrong talking to the API."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiUnreachable(DomiClientError):
    """No answer: the API is down, or the address is wrong."""


class ApiError(DomiClientError):
    """The API answered with its error shape {"error": {"code", "message", "fields"}}."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str,
        fields: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.fields: dict[str, Any] = fields or {}
        self.retry_after = retry_after

    def field_messages(self, name: str) -> list[str]:
        """The messages about one input field, flattened to sentences."""
        return list(_flatten_messages(self.fields.get(name)))


class SessionExpired(ApiError):
    """The tokens no longer work: the person must sign in again."""


class InvalidCredentials(ApiError):
    """Sign-in refused: wrong e-mail address or password."""


def _flatten_messages(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        # Upload refusals come per file: {"photo.svg": {"code": ..., "message": ...}}.
        if "message" in value and isinstance(value["message"], str):
            yield value["message"]
            return
        for key, inner in value.items():
            for message in _flatten_messages(inner):
                yield f"{key}: {message}"
    elif isinstance(value, Iterable):
        for inner in value:
            yield from _flatten_messages(inner)
    else:
        yield str(value)


def api_url_from_environment() -> str:
    return os.environ.get("DOMI_API_URL", DEFAULT_API_URL).rstrip("/")


# --- The client ---


@dataclass
class DomiClient:
    """One signed-in (or not yet signed-in) person's connection to the API."""

    base_url: str = field(default_factory=api_url_from_environment)
    access_token: str | None = None
    refresh_token: str | None = None
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    # A refresh token works once; two refreshes racing would revoke the account's tokens.
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def signed_in(self) -> bool:
        return self.refresh_token is not None

    # Sign-in and sign-out

    def sign_in(self, *, email: str, password: str) -> None:
        try:
            pair = self._send("POST", "/auth/token/", json={"email": email, "password": password}, auth=False)
        except ApiError as error:
            if error.status == 401:
                raise InvalidCredentials(
                    error.message or "Wrong e-mail address or password.", status=401, code=error.code
                ) from error
            raise
        self.access_token, self.refresh_token = pair["access"], pair["refresh"]

    def sign_out(self) -> None:
        """Revoke the refresh token; forget both tokens even when the API cannot be told."""
        refresh, self.access_token, self.refresh_token = self.refresh_token, None, None
        if refresh:
            # The token expires on its own; signing out here is what the person asked for.
            with contextlib.suppress(DomiClientError):
                self._send("POST", "/auth/logout/", json={"refresh": refresh}, auth=False)

    def _refresh(self, used_access_token: str | None) -> None:
        with self._refresh_lock:
            if self.access_token != used_access_token:
                return  # Another caller refreshed while this one waited.
            if not self.refresh_token:
                raise SessionExpired("Your session has expired. Please sign in again.", status=401, code="expired")
            try:
                pair = self._send("POST", "/auth/token/refresh/", json={"refresh": self.refresh_token}, auth=False)
            except ApiError as error:
                if error.status in (400, 401):
                    self.access_token = self.refresh_token = None
                    raise SessionExpired(
                        "Your session has expired. Please sign in again.", status=401, code=error.code
                    ) from error
                raise
            self.access_token, self.refresh_token = pair["access"], pair["refresh"]

    # The person

    def me(self) -> Me:
        return self._call("GET", "/me/")

    def calendar_feed_issue(self) -> str:
        """A new secret address of my visits' calendar feed (the previous one stops working)."""
        return self._call("POST", "/me/calendar-feed/")["url"]

    def personal_data_export(self) -> bytes:
        """My personal data: a zip of personal-data.json and the files I uploaded."""
        return self._call("GET", "/me/personal-data/", raw=True)

    def me_update(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        phone: str | None = None,
        language: Language | None = None,
    ) -> Me:
        """Edit one's own profile; only the fields given are changed."""
        changes = {"first_name": first_name, "last_name": last_name, "phone": phone, "language": language}
        return self._call("PATCH", "/me/", json={name: value for name, value in changes.items() if value is not None})

    # The account: e-mail address and password (signed in)

    def email_verification_resend(self) -> EmailStatus:
        """Mail the verification link again (to the new address while an e-mail change waits for it)."""
        return self._call("POST", "/auth/email/resend/", json={})

    def email_change(self, *, email: str, password: str) -> EmailStatus:
        """Ask to sign in with a new address: it takes over once its verification link is opened."""
        return self._call("POST", "/auth/email/change/", json={"email": email, "password": password})

    def password_change(self, *, current_password: str, new_password: str) -> None:
        """Every refresh token of the account is revoked; the answer's new pair keeps this session signed in."""
        pair = self._call(
            "POST",
            "/auth/password/change/",
            json={"current_password": current_password, "new_password": new_password},
        )
        with self._refresh_lock:
            self.access_token, self.refresh_token = pair["access"], pair["refresh"]

    # The links in the e-mails (no sign-in needed)

    def email_verify(self, *, key: str) -> EmailStatus:
        return self._send("POST", "/auth/email/verify/", json={"key": key}, auth=False)

    def password_reset_request(self, *, email: str) -> str:
        """The API's answer is the same whether or not an account uses the address."""
        answer = self._send("POST", "/auth/password/reset/", json={"email": email}, auth=False)
        return answer["detail"]

    def password_reset_confirm(self, *, uid: str, key: str, new_password: str) -> None:
        self._send(
            "POST",
            "/auth/password/reset/confirm/",
            json={"uid": uid, "key": key, "new_password": new_password},
            auth=False,
        )

    def invitation_inspect(self, *, key: str) -> InvitationPreview:
        return self._send("POST", "/auth/invitations/inspect/", json={"key": key}, auth=False)

    def invitation_accept(self, *, key: str, password: str, first_name: str = "", last_name: str = "") -> Me:
        """Make the account the invitation offers; the person then signs in with this password."""
        return self._send(
            "POST",
            "/auth/invitations/accept/",
            json={"key": key, "password": password, "first_name": first_name, "last_name": last_name},
            auth=False,
        )

    # Units

    def unit_list(self) -> list[Unit]:
        return self._all_pages("/units/", {})

    # Requests

    def request_list(self, **filters: Any) -> list[RequestSummary]:
        """Every request the person may see that matches the filters (status, priority, overdue, ...)."""
        return self._all_pages("/requests/", filters)

    def request_get(self, request_id: int) -> RequestDetail:
        return self._call("GET", f"/requests/{request_id}/")

    def request_create(
        self,
        *,
        unit: int,
        title: str,
        description: str,
        permission_to_enter: bool = False,
        availability_windows: Sequence[tuple[datetime, datetime]] = (),
    ) -> RequestDetail:
        return self._call(
            "POST",
            "/requests/",
            json={
                "unit": unit,
                "title": title,
                "description": description,
                "permission_to_enter": permission_to_enter,
                "availability_windows": [
                    {"start": start.isoformat(), "end": end.isoformat()} for start, end in availability_windows
                ],
            },
        )

    def request_cancel(self, request_id: int, *, reason: str = "") -> RequestDetail | None:
        return self._call("POST", f"/requests/{request_id}/cancel/", json={"reason": reason})

    def request_confirm(self, request_id: int) -> RequestDetail | None:
        return self._call("POST", f"/requests/{request_id}/confirm/", json={})

    def request_reopen(self, request_id: int, *, reason: str) -> RequestDetail | None:
        return self._call("POST", f"/requests/{request_id}/reopen/", json={"reason": reason})

    def request_rate(self, request_id: int, *, rating: int, feedback: str = "") -> RequestDetail:
        return self._call("POST", f"/requests/{request_id}/rate/", json={"rating": rating, "feedback": feedback})

    def request_accept(
        self, request_id: int, *, start: datetime | None = None, duration_minutes: int | None = None
    ) -> RequestDetail | None:
        body: dict[str, Any] = {}
        if start is not None:
            body["start"] = start.isoformat()
        if duration_minutes is not None:
            body["duration_minutes"] = duration_minutes
        return self._call("POST", f"/requests/{request_id}/accept/", json=body)

    def request_decline(self, request_id: int, *, reason: str) -> RequestDetail | None:
        """None when the job has left the contractor's list (the usual answer to a decline)."""
        return self._call("POST", f"/requests/{request_id}/decline/", json={"reason": reason})

    def request_start(self, request_id: int) -> RequestDetail | None:
        return self._call("POST", f"/requests/{request_id}/start/", json={})

    def request_complete(self, request_id: int, *, notes: str) -> RequestDetail | None:
        return self._call("POST", f"/requests/{request_id}/complete/", json={"notes": notes})

    def visit_propose(self, request_id: int, *, start: datetime, duration_minutes: int = 120) -> RequestDetail:
        return self._call(
            "POST",
            f"/requests/{request_id}/visit/",
            json={"start": start.isoformat(), "duration_minutes": duration_minutes},
        )

    # Comments and files

    def comment_add(self, request_id: int, *, body: str) -> Comment:
        return self._call("POST", f"/requests/{request_id}/comments/", json={"body": body})

    def attachment_list(self, request_id: int) -> list[Attachment]:
        return self._all_pages(f"/requests/{request_id}/attachments/", {})

    def attachment_upload(
        self, request_id: int, *, files: Sequence[Upload], kind: AttachmentKind = "photo"
    ) -> list[Attachment]:
        answer = self._call(
            "POST",
            f"/requests/{request_id}/attachments/",
            data={"kind": kind},
            files=[("files", (upload.name, upload.content, upload.content_type)) for upload in files],
        )
        # The API answers a plain list today; accept a page as well, as the schema describes.
        return answer["results"] if isinstance(answer, dict) else answer

    # Invoices

    def request_invoices(self, request_id: int) -> list[Invoice]:
        """The job's invoices, a rejected one beside its replacement."""
        return self._all_pages(f"/requests/{request_id}/invoices/", {})

    def invoice_list(self, **filters: Any) -> list[Invoice]:
        """Staff: their organization's invoices; a contractor: the ones they submitted. Newest first."""
        return self._all_pages("/invoices/", filters)

    def invoice_submit(
        self,
        request_id: int,
        *,
        lines: Sequence[InvoiceLineInput] | None = None,
        tax_rate: str = "0",
        number: str = "",
        currency: str = "USD",
    ) -> Invoice:
        """Invoice a completed job; without lines, the labour and parts recorded at completion are invoiced."""
        body: dict[str, Any] = {"tax_rate": tax_rate, "number": number, "currency": currency}
        if lines is not None:
            body["lines"] = list(lines)
        return self._call("POST", f"/requests/{request_id}/invoices/", json=body)

    # Reports

    def report_overview(self, *, since: date | None = None, until: date | None = None) -> Overview:
        """The manager dashboard's figures (staff only)."""
        params = {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None}
        return self._call("GET", "/reports/overview/", params=_query(params))

    def scorecard_list(self) -> list[Scorecard]:
        return self._all_pages("/scorecards/", {})

    # Transport

    def _all_pages(self, path: str, params: dict[str, Any]) -> list[Any]:
        results: list[Any] = []
        page = 1
        while True:
            answer = self._call("GET", path, params={**_query(params), "page": page, "page_size": 100})
            results.extend(answer["results"])
            if not answer.get("next"):
                return results
            page += 1

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """An authenticated call, refreshing the access token once when the API says it expired."""
        if not self.signed_in:
            raise SessionExpired("Please sign in.", status=401, code="not_authenticated")
        used = self.access_token
        try:
            return self._send(method, path, **kwargs)
        except ApiError as error:
            if error.status != 401:
                raise
        self._refresh(used)
        try:
            return self._send(method, path, **kwargs)
        except ApiError as error:
            if error.status == 401:
                raise SessionExpired(
                    "Your session has expired. Please sign in again.", status=401, code=error.code
                ) from error
            raise

    def _send(self, method: str, path: str, *, auth: bool = True, raw: bool = False, **kwargs: Any) -> Any:
        """The answer's JSON, or its bytes (`raw`: a file such as a zip; errors are JSON all the same)."""
        headers = {"Accept": "application/json"}
        if auth and self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        url = f"{self.base_url}/api/v1{path}"
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS), **kwargs
            )
        except requests.Timeout as error:
            raise ApiUnreachable(f"The Domi service at {self.base_url} did not answer in time.") from error
        except requests.RequestException as error:
            raise ApiUnreachable(f"The Domi service at {self.base_url} cannot be reached.") from error
        if response.status_code == 204:
            return None
        if response.ok and raw:
            return response.content
        if response.ok:
            try:
                return response.json()
            except ValueError as error:
                raise ApiError(
                    "The Domi service sent an answer the portal cannot read.",
                    status=response.status_code,
                    code="bad_response",
                ) from error
        raise _error_from(response)


def _query(params: dict[str, Any]) -> dict[str, Any]:
    """Booleans as the API's filters spell them, lists as repeated parameters, no empty filters."""
    query: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query[key] = "true" if value else "false"
        elif isinstance(value, list | tuple | set):
            # Repeated (?status=a&status=b): the API refuses the comma-separated form its schema shows.
            query[key] = [str(item) for item in value]
        else:
            query[key] = value
    return query


def _error_from(response: requests.Response) -> ApiError:
    retry_after = response.headers.get("Retry-After")
    try:
        detail = response.json()["error"]
        code, message, fields = detail["code"], detail["message"], detail.get("fields") or {}
    except (ValueError, KeyError, TypeError):
        code, message, fields = "http_error", f"The Domi service answered HTTP {response.status_code}.", {}
    if response.status_code == 429:
        message = f"Too many attempts; please try again in {retry_after or 'a few'} seconds."
    elif response.status_code >= 500:
        message = "The Domi service had a problem. Please try again in a moment."
    return ApiError(
        message,
        status=response.status_code,
        code=code,
        fields=fields,
        retry_after=int(retry_after) if retry_after and retry_after.isdigit() else None,
    )
