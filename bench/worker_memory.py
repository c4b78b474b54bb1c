"""The steps of bench/worker_memory.sh that need Django, Celery or /proc: one subcommand each.

    ready --hostname NAME --pid PID      until the worker answers a ping (it has loaded the model by then)
    create --messages N                  N requests through maintenance_request_create; prints the first one's id
    wait --first-id ID --expected N ...  until the crew has triaged them (and emptied the queue), then what
                                         snapshot prints, into the snapshots file
    snapshot --pid PID --label LABEL     one JSON line per process: the worker's main process and its pool
    report SNAPSHOTS.jsonl --messages N  the table

The first three run with the bench's DJANGO_ENV, DATABASE_URL and REDIS_URL; snapshot and report read /proc and
their file only (no Django), so they add nothing to what they measure.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HELDOUT = ROOT / "agents" / "evaluation" / "triage_heldout.jsonl"
CALIBRATION = ROOT / "agents" / "local_model" / "data" / "calibration"
ORGANIZATION = "Demo Property Co."
# Where Celery's Redis transport keeps the default queue and the messages taken but not yet acknowledged.
QUEUE_KEY, UNACKED_KEY = "celery", "unacked"
# The product's requirement: a worker's resident memory with the model loaded, in MB (10^6 bytes).
TARGET_MB = 400


def _django() -> None:
    from domi.environment import select_settings

    select_settings()
    import django

    django.setup()


# -- ready ----------------------------------------------------------------------------------------------


def ready(hostname: str, pid: int, seconds: float) -> None:
    """The worker answers only once its consumer runs, which is after celeryd_after_setup loaded the model."""
    _django()
    from domi.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            sys.exit(f"the worker (pid {pid}) exited while starting")
        if app.control.ping(destination=[hostname], timeout=1.0):
            return
    sys.exit(f"the worker {hostname} did not answer within {seconds:.0f} s")


# -- create ---------------------------------------------------------------------------------------------


def _texts(limit: int) -> list[str]:
    """The held-out set first (630), then the calibration sets (1,440), in file order."""
    files = [HELDOUT, *sorted(CALIBRATION.glob("*.jsonl"))]
    texts = [
        json.loads(line)["text"] for path in files for line in path.read_text(encoding="utf-8").splitlines() if line
    ]
    if limit > len(texts):
        sys.exit(f"only {len(texts)} messages are available, not {limit}")
    return texts[:limit]


def create(messages: int) -> None:
    """Each message as a tenant's request, through the service the API calls: it enqueues agents.analyze."""
    _django()
    from maintenance.models import MaintenanceRequest
    from maintenance.services import maintenance_request_create
    from properties.models import Tenancy

    tenancies = list(
        Tenancy.objects.active()
        .filter(unit__property__organization__name=ORGANIZATION)
        .select_related("tenant", "unit__property")
        .order_by("pk")
    )
    if not tenancies:
        sys.exit(f"no active tenancy in {ORGANIZATION}: was seed_demo run?")
    first_id = (MaintenanceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    started = time.monotonic()
    for i, text in enumerate(_texts(messages)):
        tenancy = tenancies[i % len(tenancies)]  # spread over the tenants, as real reports would be
        maintenance_request_create(
            reporter=tenancy.tenant,
            unit=tenancy.unit,
            title=textwrap.shorten(text, width=80, placeholder="…"),
            description=text,
        )
    print(
        f"created {messages} requests (ids from {first_id}) by {len(tenancies)} tenants "
        f"in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )
    print(first_id)


# -- the worker's processes ----------------------------------------------------------------------------


def _kb(path: Path, fields: tuple[str, ...]) -> dict[str, int]:
    """The "Name:   123 kB" lines of a /proc file."""
    found = {}
    for line in path.read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in fields:
            found[name] = int(rest.split()[0])
    return found


def _children(pid: int) -> list[int]:
    """Every process whose parent is `pid` (a pool process may be forked from any of the worker's threads)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def _processes(pid: int) -> list[dict]:
    """The main process and each pool process, in kB: RSS, its anonymous and file-backed parts and its peak
    (status), Pss (smaps_rollup)."""
    found = []
    for role, process in [("main", pid), *(("pool", child) for child in _children(pid))]:
        proc = Path(f"/proc/{process}")
        try:
            figures = {
                **_kb(proc / "status", ("VmRSS", "RssAnon", "RssFile", "VmHWM")),
                **_kb(proc / "smaps_rollup", ("Pss",)),
            }
        except OSError:
            continue  # a pool process replaced meanwhile
        found.append({"role": role, "pid": process, **figures})
    return found


def _mib(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.0f}"


# -- wait -----------------------------------------------------------------------------------------------


def wait(first_id: int, expected: int, since: float, seconds: float, pid: int, drain: bool, snapshots: Path) -> None:
    """Until every request has left "submitted" (the Analyzer decided: triaged, needs review, awaiting approval),
    then the worker's processes go to `snapshots` as "triaged"; with `drain`, until the rest of the crew's work
    (coordination, messages) has left the queue too, then as "drained". All within `seconds` of `since` (the
    epoch time the first request was reported). The worker's memory is noted each tenth of the way."""
    _django()
    import redis
    from django.conf import settings
    from django.db.models import Count

    from agents.models import AgentRun
    from maintenance.models import MaintenanceRequest

    ours = MaintenanceRequest.objects.filter(pk__gte=first_id)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    deadline = since + seconds

    def elapsed() -> float:
        return time.time() - since

    def take(label: str) -> None:
        with snapshots.open("a") as out:
            for process in _processes(pid):
                out.write(json.dumps({"label": label, **process}) + "\n")

    def note(what: str) -> None:
        processes = _processes(pid)
        # The file-backed part is mostly the e5 encoder's weights, read in as the messages' tokens use them.
        pool = "; ".join(
            f"{_mib(p['VmRSS'])} ({_mib(p['RssAnon'])} anon + {_mib(p['RssFile'])} file)"
            for p in processes
            if p["role"] == "pool"
        )
        memory = f"pool RSS {pool} MiB, worker Pss {_mib(sum(p['Pss'] for p in processes))} MiB"
        print(f"[bench {time.strftime('%H:%M:%S')}] {what} ({elapsed():.0f} s): {memory}", file=sys.stderr)

    triaged, step = 0, max(1, expected // 10)
    milestone = step
    while time.time() < deadline:
        triaged = ours.exclude(status="submitted").count()
        if triaged >= milestone or triaged >= expected:
            note(f"triaged {triaged} of {expected}")
            milestone = (triaged // step + 1) * step
        if triaged >= expected:
            break
        time.sleep(2)
    # At once: the crew's later steps (coordination, the messages) wait in the queue behind the triage.
    take("triaged")
    triage_seconds = elapsed()
    queued = broker.llen(QUEUE_KEY) + broker.hlen(UNACKED_KEY)

    drained_at, quiet, last_note = None, 0, time.monotonic()
    while drain and triaged >= expected and time.time() < deadline:
        busy = broker.llen(QUEUE_KEY) + broker.hlen(UNACKED_KEY)
        quiet = quiet + 1 if busy == 0 else 0
        if quiet >= 3:  # three looks in a row: a task that enqueues the next one is not taken for the end
            drained_at = elapsed()
            take("drained")
            note("queue empty")
            break
        if time.monotonic() - last_note >= 30:
            note(f"{busy} crew tasks still queued or running")
            last_note = time.monotonic()
        time.sleep(1)

    statuses = dict(ours.values_list("status").annotate(n=Count("pk")).order_by("status"))
    runs = (
        AgentRun.objects.filter(request_id__gte=first_id, agent=AgentRun.Agent.ANALYZER)
        .values_list("model_name", "outcome")
        .annotate(n=Count("pk"))
        .order_by("model_name", "outcome")
    )
    print(
        json.dumps(
            {
                "expected": expected,
                "triaged": triaged,
                "triage_seconds": round(triage_seconds, 1),
                "queued_when_triaged": queued,
                "drained_seconds": None if drained_at is None else round(drained_at, 1),
                "statuses": statuses,
                "analyzer_runs": {f"{model} {outcome}": n for model, outcome, n in runs},
            }
        )
    )


# -- snapshot and report --------------------------------------------------------------------------------


def snapshot(pid: int, label: str) -> None:
    for process in _processes(pid):
        print(json.dumps({"label": label, **process}))


def report(path: Path, messages: int) -> None:
    """Processes as rows (main, then the pool by pid); RSS, then Pss, at each snapshot; the peak RSS; the Pss total."""
    rows: dict[int, dict] = {}
    labels: list[str] = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        rows.setdefault(entry["pid"], {"role": entry["role"]})[entry["label"]] = entry
        if entry["label"] not in labels:
            labels.append(entry["label"])
    names = {"start": "start", "triaged": f"after {messages}", "drained": "queue empty"}
    header = [
        "process",
        *(f"RSS {names.get(label, label)}" for label in labels),
        *(f"Pss {names.get(label, label)}" for label in labels),
        "peak RSS (VmHWM)",
    ]
    table = [header]
    for pid, row in sorted(rows.items(), key=lambda item: (item[1]["role"] != "main", item[0])):
        seen = [label for label in labels if label in row]
        status = "" if seen == labels else f" (only {', '.join(seen)})"  # a pool process replaced on the way
        table.append(
            [
                f"{row['role']} {pid}{status}",
                *(_mib(row.get(label, {}).get("VmRSS")) for label in labels),
                *(_mib(row.get(label, {}).get("Pss")) for label in labels),
                _mib(row[seen[-1]]["VmHWM"]),
            ]
        )
    pss_totals = [sum(row.get(label, {}).get("Pss", 0) for row in rows.values()) for label in labels]
    table.append(["worker (sum of Pss)", *([""] * len(labels)), *(_mib(kb) for kb in pss_totals), ""])
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print("MiB (1,048,576 bytes). Pss counts a page shared by n processes as 1/n in each: their sum is the worker's")
    for i, r in enumerate(table):
        print("  ".join([r[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(r[1:], widths[1:], strict=True))]))
        if i in (0, len(table) - 2):
            print("  ".join("-" * w for w in widths))
    last = labels[-1]
    largest = max(row.get(last, {}).get("VmRSS", 0) for row in rows.values())
    total = pss_totals[-1]
    verdict = "under" if total * 1024 < TARGET_MB * 1e6 else "over"
    print(
        f"target: a worker under {TARGET_MB} MB ({TARGET_MB * 1e6 / 2**20:.0f} MiB). {names.get(last, last)}: "
        f"the worker (Pss sum) {_mib(total)} MiB = {total * 1024 / 1e6:.0f} MB, {verdict}; "
        f"its largest process (RSS) {_mib(largest)} MiB = {largest * 1024 / 1e6:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    p = steps.add_parser("ready")
    p.add_argument("--hostname", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--seconds", type=float, default=120)
    p = steps.add_parser("create")
    p.add_argument("--messages", type=int, required=True)
    p = steps.add_parser("wait")
    p.add_argument("--first-id", type=int, required=True)
    p.add_argument("--expected", type=int, required=True)
    p.add_argument("--since", type=float, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--drain", action="store_true")
    p.add_argument("--snapshots", type=Path, required=True)
    p = steps.add_parser("snapshot")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--label", required=True)
    p = steps.add_parser("report")
    p.add_argument("snapshots", type=Path)
    p.add_argument("--messages", type=int, required=True)
    args = parser.parse_args()

    if args.step == "ready":
        ready(args.hostname, args.pid, args.seconds)
    elif args.step == "create":
        create(args.messages)
    elif args.step == "wait":
        wait(args.first_id, args.expected, args.since, args.seconds, args.pid, args.drain, args.snapshots)
    elif args.step == "snapshot":
        snapshot(args.pid, args.label)
    else:
        report(args.snapshots, args.messages)


if __name__ == "__main__":
    main()
