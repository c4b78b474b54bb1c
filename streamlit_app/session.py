"""The signed-in person in Streamlit's session state, and how pages report API failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from streamlit_app.client import ApiError, ApiUnreachable, DomiClient, Me, SessionExpired

T = TypeVar("T")

CLIENT_KEY = "domi_client"
ME_KEY = "domi_me"
NOTICE_KEY = "domi_notice"
UNREACHABLE_MESSAGE = "The Domi service cannot be reached right now. Please try again in a moment."


def client() -> DomiClient:
    api = st.session_state.get(CLIENT_KEY)
    if api is None or not api.signed_in:
        raise SessionExpired("Please sign in.", status=401, code="not_authenticated")
    return api


def me() -> Me:
    return st.session_state[ME_KEY]


def signed_in() -> bool:
    api = st.session_state.get(CLIENT_KEY)
    return api is not None and api.signed_in and ME_KEY in st.session_state


def start(api: DomiClient, person: Me) -> None:
    st.session_state[CLIENT_KEY] = api
    st.session_state[ME_KEY] = person


def update_me(person: Me) -> None:
    """The person as the API answers now (after they changed their name, address or language)."""
    st.session_state[ME_KEY] = person


def end(notice: str | None = None) -> None:
    """Forget the person (and everything they typed: the next person on this browser must not see it)."""
    api = st.session_state.get(CLIENT_KEY)
    if api is not None:
        api.sign_out()
    st.session_state.clear()
    if notice:
        st.session_state[NOTICE_KEY] = notice


def timezone() -> ZoneInfo:
    """The organization's time zone: visits and windows are local times at the property."""
    organization = me().get("organization") or {}
    try:
        return ZoneInfo(organization.get("timezone") or "UTC")
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


def handle_session_errors(error: Exception) -> None:
    """Turn an expired session or an unreachable API into a message; re-raise anything else."""
    if isinstance(error, SessionExpired):
        end(notice="Your session has expired. Please sign in again.")
        st.rerun(scope="app")
    if isinstance(error, ApiUnreachable):
        st.error(UNREACHABLE_MESSAGE, icon="🔌")
        st.caption(error.message)
        st.stop()
    raise error


@contextmanager
def guarded() -> Iterator[None]:
    """For fragments, which rerun without the app's own handler around them."""
    try:
        yield
    except (SessionExpired, ApiUnreachable) as error:
        handle_session_errors(error)


def show_error(error: ApiError) -> None:
    """An API refusal that concerns no single field (e.g. the status does not allow it now)."""
    st.error(error.message, icon="⚠️")


# Validation errors are kept per form so they are drawn next to their field on the rerun after a failed
# submission; the typed values stay in the widgets' keys.


def errors_key(form: str) -> str:
    return f"{form}__errors"


def remember_errors(form: str, error: ApiError) -> None:
    st.session_state[errors_key(form)] = error


def clear_errors(form: str) -> None:
    st.session_state.pop(errors_key(form), None)


def field_error(form: str, *names: str) -> None:
    """Draw the API's messages about these fields, right below the field."""
    error: ApiError | None = st.session_state.get(errors_key(form))
    if error is None:
        return
    for name in names:
        for message in error.field_messages(name):
            st.error(message, icon="✏️")


def form_error(form: str, known_fields: set[str]) -> None:
    """Draw what the API said that is not about one of the form's fields."""
    error: ApiError | None = st.session_state.get(errors_key(form))
    if error is None:
        return
    stray = {name: value for name, value in error.fields.items() if name not in known_fields}
    if not error.fields or stray:
        st.error(error.message, icon="⚠️")
    for name in stray:
        for message in error.field_messages(name):
            st.error(f"{name}: {message}")


def keep_values(*keys: str) -> None:
    """Keep widget values when their page is left and opened again (Streamlit drops unrendered widgets)."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


FLASH_KEY = "domi_flash"


def submit(form: str, action: Callable[[], T]) -> T:
    """Run one API call for a form; on refusal keep the errors for the form and redraw it (values stay)."""
    clear_errors(form)
    try:
        return action()
    except SessionExpired:
        raise
    except ApiError as error:
        remember_errors(form, error)
        st.rerun()


def flash(message: str) -> None:
    """A confirmation shown once, on the next run (a rerun would wipe a message shown now)."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon="✅")
