"""The portal in a real browser against the running system (see conftest.py for the servers).

A tenant reports a leak with a photo and follows it; the demo plumber accepts, does and invoices the job; the
manager's dashboard draws its charts; the report form works at phone width. Each step leaves a screenshot.

Run: DOMI_E2E=1 .venv/bin/pytest tests/e2e -q   (needs `apt-get install -y chromium`)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from .conftest import SLOW_SECONDS, Stack

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "domi-demo"
TITLE = "Leak under the kitchen sink"
DESCRIPTION = "Water drips from the pipe under the kitchen sink into the cabinet below."
STEP_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def _patient_expectations():
    """Streamlit draws after its websocket answers and a rerun: wait on elements, generously, never sleep."""
    from playwright.sync_api import expect

    expect.set_options(timeout=STEP_TIMEOUT_MS)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "leak.jpg"
    Image.new("RGB", (320, 240), (40, 90, 160)).save(path, format="JPEG", quality=85)
    return path


class Snapper:
    """Numbered screenshots of whole pages: Streamlit scrolls inside its main block, so the viewport is stretched
    to the content's height for the picture and put back after."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def __call__(self, page, name: str) -> Path:  # type: ignore[no-untyped-def]
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        size = page.viewport_size
        height = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section.main, body')]"
            ".map(e => e.scrollHeight))"
        )
        page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 8000))})
        try:
            page.screenshot(path=path, full_page=True)
        finally:
            page.set_viewport_size(size)
        return path


@pytest.fixture(scope="module")
def snap(screenshots: Path) -> Snapper:
    return Snapper(screenshots)


def signed_in(browser, stack: Stack, email: str, viewport: dict[str, int] = DESKTOP, **options):  # type: ignore[no-untyped-def]
    """A page of its own browser context (its own portal session), signed in."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=viewport, **options)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.goto(stack.portal_url)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Sign out")).to_be_attached()
    return page


def notice(page, text: str | re.Pattern):  # type: ignore[no-untyped-def]
    """The confirmation a page shows once after an action succeeded."""
    return page.get_by_test_id("stAlertContentSuccess").filter(has_text=text).first


def metric(page, label: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").filter(has_text=label))


def test_a_leak_from_report_to_invoice_and_the_dashboard(stack: Stack, browser, photo: Path, snap: Snapper):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    # --- the tenant reports a leak with a photo and sees the triage
    tenant = signed_in(browser, stack, "tenant@demo.domi")
    expect(tenant.get_by_role("heading", name="Report a problem")).to_be_visible()
    tenant.get_by_label("What is wrong, in a few words").fill(TITLE)
    tenant.get_by_label("Describe the problem").fill(DESCRIPTION)
    tenant.locator("input[type=file]").set_input_files(photo)
    expect(tenant.get_by_role("region", name="Photos (optional)")).to_contain_text("leak.jpg")
    snap(tenant, "tenant-reports-a-leak")
    tenant.get_by_role("button", name="Send").click()

    # The first triage trains the offline model inside the request that creates it: give it time.
    expect(tenant.get_by_role("heading", name="Thank you, we have your request")).to_be_visible(
        timeout=SLOW_SECONDS * 1000
    )
    expect(metric(tenant, "Category")).to_contain_text("Plumbing")
    expect(metric(tenant, "Priority")).to_contain_text(re.compile("Emergency|High|Medium|Low"))
    expect(metric(tenant, "Expected response")).to_contain_text("within")
    timeline = tenant.get_by_test_id("stExpander").filter(has_text="What happened so far")
    expect(timeline).to_contain_text("Received")
    expect(timeline).to_contain_text("1 file(s) added: leak.jpg")
    snap(tenant, "tenant-sees-the-triage")
    # The crew's pipeline offers the job to the demo plumber (the only plumber serving the building).
    expect(timeline).to_contain_text("Contractor assigned")
    snap(tenant, "tenant-timeline-contractor-assigned")

    # --- the demo plumber accepts the offer at the visit the crew proposed
    plumber = signed_in(browser, stack, "contractor@demo.domi")
    expect(plumber.get_by_role("heading", name="My jobs")).to_be_visible()
    plumber.get_by_test_id("stSelectbox").filter(has_text="Job").click()
    plumber.get_by_role("option", name=re.compile(re.escape(TITLE))).click()
    expect(plumber.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(plumber.get_by_text(re.compile(r"^New offer · #\d+"))).to_be_visible()
    snap(plumber, "contractor-sees-the-offer")
    plumber.get_by_role("button", name="Accept").click()
    expect(notice(plumber, "Job accepted and visit booked.")).to_be_visible()
    expect(plumber.get_by_role("heading", name=TITLE)).to_be_visible()
    snap(plumber, "contractor-accepted")

    # The tenant's page, left open, moves on by itself (it refreshes every few seconds, no reload).
    expect(timeline).to_contain_text("Visit scheduled", timeout=SLOW_SECONDS * 1000)
    snap(tenant, "tenant-timeline-visit-scheduled")

    # --- the plumber starts and completes the job, then invoices it
    plumber.get_by_role("button", name="Start the work").click()
    expect(notice(plumber, "Work started.")).to_be_visible()
    plumber.get_by_label("What did you do?").fill("Replaced the worn trap seal under the sink and tested it: dry.")
    plumber.get_by_role("button", name="Mark as completed").click()
    expect(notice(plumber, "Job completed. Thank you!")).to_be_visible()
    snap(plumber, "contractor-completed")

    plumber.get_by_label("Your invoice number (optional)").fill("RF-E2E-1")
    plumber.get_by_label("Item 1").fill("Labour")
    plumber.get_by_label("Quantity").first.fill("1.5")
    plumber.get_by_label("Unit price").first.fill("95")
    snap(plumber, "contractor-fills-the-invoice")
    plumber.get_by_role("button", name="Send invoice").click()
    expect(notice(plumber, "Invoice sent")).to_be_visible()
    card = plumber.get_by_test_id("stVerticalBlock").filter(has_text="Invoice RF-E2E-1").last
    expect(card).to_contain_text("142.50 USD")
    expect(card).to_contain_text(re.compile("Approved|Waiting for the manager's approval"))
    snap(plumber, "contractor-invoice-sent")

    plumber.get_by_test_id("stSidebarNav").get_by_role("link", name="My invoices").click()
    expect(plumber.get_by_role("heading", name="My invoices")).to_be_visible()
    expect(plumber.get_by_text(f"· {TITLE}")).to_be_visible()
    snap(plumber, "contractor-invoices")

    # --- the manager's dashboard draws every chart
    manager = signed_in(browser, stack, "manager@demo.domi")
    expect(manager.get_by_role("heading", name="Dashboard")).to_be_visible()
    charts = manager.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(6)
    for index in range(6):
        # vega-embed draws into a canvas (or an svg with that renderer) once the data is in.
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()
    for heading in ("Open requests by status", "Costs by property", "Costs by category", "Contractor scorecards"):
        expect(manager.get_by_role("heading", name=heading)).to_be_visible()
    expect(metric(manager, "Median time to triage")).to_contain_text(re.compile(r"\d"))
    expect(manager.get_by_test_id("stDataFrame")).to_be_visible()
    snap(manager, "manager-dashboard")

    for page in (tenant, plumber, manager):
        page.context.close()


def test_the_report_form_fits_a_phone(stack: Stack, browser, snap: Snapper):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    phone = signed_in(browser, stack, "tenant@demo.domi", PHONE, is_mobile=True, has_touch=True)
    expect(phone.get_by_role("heading", name="Report a problem")).to_be_visible()
    send = phone.get_by_role("button", name="Send")
    send.scroll_into_view_if_needed()
    expect(send).to_be_visible()

    # Nothing sticks out sideways: no horizontal scrolling, every field and the button within 390 px.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    for field in [
        phone.get_by_label("What is wrong, in a few words"),
        phone.get_by_label("Describe the problem"),
        phone.locator("[data-testid=stFileUploaderDropzone]"),
        send,
    ]:
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    # The sidebar starts folded away on a phone, so the form has the whole width.
    expect(phone.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    snap(phone, "tenant-report-at-390px")
    phone.context.close()
