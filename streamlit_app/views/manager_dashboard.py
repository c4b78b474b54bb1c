"""Manager: open requests by status and priority, how long requests take, what they cost, how contractors do."""

from datetime import date, datetime

import altair as alt
import pandas as pd
import streamlit as st

from streamlit_app import display, session
from streamlit_app.client import Overview, Scorecard

PERIOD_KEY = "dashboard_months"
PERIODS = {3: "Last 3 months", 6: "Last 6 months", 12: "Last 12 months"}
STAGE_LABELS = {"triage": "Triaged", "assign": "Assigned", "complete": "Completed"}
STAGE_NOUNS = {"triage": "triage", "assign": "assignment", "complete": "completion"}
MEASURE_LABELS = {"median_hours": "Median", "p90_hours": "90th percentile"}
PRIORITY_ORDER = [*display.PRIORITY_LABELS.values(), "Not assessed"]
PRIORITY_COLORS = ["#d62728", "#ff7f0e", "#f2c12e", "#2ca02c", "#9e9e9e"]

api = session.client()
zone = session.timezone()


def period_start(months: int, today: date) -> date:
    """The first day of the month `months - 1` months before today's: whole months, ending today."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def month_label(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%b %Y")


def hours_label(hours: float) -> str:
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def open_charts(overview: Overview) -> None:
    rows = [
        {
            "status": display.status_label(group["status"]),
            "priority": display.PRIORITY_LABELS.get(group["priority"], "Not assessed"),
            "overdue": group["overdue"],
            "on time": group["count"] - group["overdue"],
            "count": group["count"],
        }
        for group in overview["open_requests"]
    ]
    frame = pd.DataFrame(rows, columns=["status", "priority", "overdue", "on time", "count"])
    status_order = [display.status_label(status) for status in display.OPEN_STATUSES]

    st.subheader("Open requests by status")
    by_status = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", sort=status_order, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("sum(count):Q", title="Requests"),
            color=alt.Color(
                "priority:N",
                scale=alt.Scale(domain=PRIORITY_ORDER, range=PRIORITY_COLORS),
                sort=PRIORITY_ORDER,
                legend=alt.Legend(orient="bottom", title="Priority"),
            ),
            order=alt.Order("priority_rank:Q"),
            tooltip=["status:N", "priority:N", alt.Tooltip("sum(count):Q", title="requests")],
        )
        .transform_calculate(priority_rank=f"indexof({PRIORITY_ORDER!r}, datum.priority)")
    )
    st.altair_chart(by_status, width="stretch")

    st.subheader("Open requests by priority")
    by_priority = (
        alt.Chart(frame)
        .transform_fold(["overdue", "on time"], as_=["timing", "requests"])
        .mark_bar()
        .encode(
            x=alt.X("priority:N", sort=PRIORITY_ORDER, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(requests):Q", title="Requests"),
            color=alt.Color(
                "timing:N",
                scale=alt.Scale(domain=["overdue", "on time"], range=["#d62728", "#4c78a8"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["priority:N", "timing:N", alt.Tooltip("sum(requests):Q", title="requests")],
        )
    )
    st.altair_chart(by_priority, width="stretch")


def time_charts(overview: Overview) -> None:
    st.subheader("Time from report to triage, assignment and completion")
    overall = {row["stage"]: row for row in overview["times_overall"]}
    for column, (stage, noun) in zip(st.columns(3), STAGE_NOUNS.items(), strict=True):
        row = overall.get(stage)
        column.metric(
            f"Median time to {noun}",
            hours_label(row["median_hours"]) if row else "—",
            help=f"90th percentile: {hours_label(row['p90_hours'])}, over {row['requests']} requests."
            if row
            else "No request reached this stage in the period.",
        )
    if not overview["times"]:
        st.info("No request was triaged, assigned or completed in this period.")
        return
    frame = pd.DataFrame(
        [
            {
                "month": month_label(row["month"]),
                "stage": STAGE_LABELS[row["stage"]],
                "measure": MEASURE_LABELS[measure],
                "hours": row[measure],
                "requests": row["requests"],
            }
            for row in overview["times"]
            for measure in MEASURE_LABELS
        ]
    )
    months = [month_label(month) for month in overview["months"]]
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", sort=months, scale=alt.Scale(domain=months), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("hours:Q", title="Hours since the report"),
            color=alt.Color("stage:N", sort=list(STAGE_LABELS.values()), legend=alt.Legend(orient="bottom")),
            strokeDash=alt.StrokeDash(
                "measure:N", sort=list(MEASURE_LABELS.values()), legend=alt.Legend(orient="bottom")
            ),
            tooltip=["month:O", "stage:N", "measure:N", alt.Tooltip("hours:Q", format=".1f"), "requests:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")


def cost_chart(rows: list[dict], *, by: str, title: str, months: list[str]) -> None:
    st.subheader(title)
    if not rows:
        st.info("No approved or paid invoices in this period.")
        return
    currencies = sorted({row["currency"] for row in rows})
    frame = pd.DataFrame(
        [
            {
                "month": month_label(row["month"]),
                by: row["property"]["name"] if by == "property" else display.category_label(row["category"]),
                "currency": row["currency"],
                "total": float(row["total"]),
                "invoices": row["invoices"],
            }
            for row in rows
        ]
    )
    labels = [month_label(month) for month in months]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:O", sort=labels, scale=alt.Scale(domain=labels), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(total):Q", title=f"Invoiced ({', '.join(currencies)})"),
            color=alt.Color(f"{by}:N", legend=alt.Legend(orient="bottom", title=None, columns=2)),
            tooltip=["month:O", f"{by}:N", alt.Tooltip("sum(total):Q", format=",.2f"), "sum(invoices):Q"],
        )
    )
    if len(currencies) > 1:
        chart = chart.encode(column=alt.Column("currency:N", title=None))
    st.altair_chart(chart, width="stretch")


def scorecards(cards: list[Scorecard]) -> None:
    st.subheader("Contractor scorecards")
    if not cards:
        st.info("No contractors on the roster yet.")
        return
    frame = pd.DataFrame(
        [
            {
                "contractor": card["contractor"]["company_name"],
                "rating": float(card["rating"]) if card["rating"] is not None else None,
                "jobs": card["jobs_scored"],
                "acceptance": card["acceptance_rate"],
                "on time": card["on_time_rate"],
                "hours to complete": card["avg_hours_to_complete"],
                "reopened": card["reopen_rate"],
                "cost vs estimate": card["cost_vs_estimate"],
                "tenant rating": card["tenant_rating"],
            }
            for card in cards
        ]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("contractor:N", sort="-x", title=None),
            x=alt.X("rating:Q", scale=alt.Scale(domain=[0, 5]), title="Quality rating (0 to 5)"),
            color=alt.Color("rating:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[3, 5]), legend=None),
            tooltip=["contractor:N", "rating:Q", "jobs:Q", alt.Tooltip("on time:Q", format=".0%")],
        )
    )
    st.altair_chart(chart, width="stretch")
    share = {"format": "percent", "min_value": 0, "max_value": 1}
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "contractor": st.column_config.TextColumn("Contractor"),
            "rating": st.column_config.NumberColumn("Rating", format="%.1f"),
            "jobs": st.column_config.NumberColumn("Jobs rated"),
            "acceptance": st.column_config.ProgressColumn("Accepted", **share),
            "on time": st.column_config.ProgressColumn("On time", **share),
            "reopened": st.column_config.ProgressColumn("Reopened", **share),
            "hours to complete": st.column_config.NumberColumn("Hours to complete", format="%.0f"),
            "cost vs estimate": st.column_config.NumberColumn("Cost ÷ estimate", format="%.2f"),
            "tenant rating": st.column_config.NumberColumn("Tenants' rating", format="%.1f"),
        },
    )


st.title("Dashboard")
months_back = st.selectbox("Period", options=list(PERIODS), format_func=PERIODS.get, index=1, key=PERIOD_KEY)
today = datetime.now(zone).date()
overview = api.report_overview(since=period_start(months_back, today), until=today)

open_total = sum(group["count"] for group in overview["open_requests"])
overdue = sum(group["overdue"] for group in overview["open_requests"])
review = sum(group["count"] for group in overview["open_requests"] if group["status"] == "needs_review")
emergencies = sum(group["count"] for group in overview["open_requests"] if group["priority"] == "emergency")
first, second = st.columns(2)
first.metric("Open requests", open_total)
second.metric("Overdue", overdue)
third, fourth = st.columns(2)
third.metric("Needs review", review)
fourth.metric("Open emergencies", emergencies)
st.page_link("views/manager_overdue.py", label=f"See the {overdue} overdue requests", icon="⏰")
st.page_link("views/manager_review.py", label=f"See the {review} requests that need review", icon="👀")

if open_total:
    open_charts(overview)
else:
    st.info("No open requests. 🎉")
time_charts(overview)
cost_chart(overview["costs_by_property"], by="property", title="Costs by property", months=overview["months"])
cost_chart(overview["costs_by_category"], by="category", title="Costs by category", months=overview["months"])
scorecards(api.scorecard_list())
