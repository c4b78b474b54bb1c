"""A tenant's request submitted through a running Domi, followed until the crew has triaged and routed it.

    python deploy/e2e_submit.py http://127.0.0.1:8000
Waits for /readyz, signs in as the demo tenant, reports a leak, and polls the request (bounded: 120 s).
"""

from __future__ import annotations

import sys
import time

import requests

PIPELINE_ENDS = {"assigned", "scheduled", "awaiting_approval", "needs_review"}
HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy in front of production says


def wait_ready(base: str, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            answer = requests.get(f"{base}/readyz", headers=HEADERS, timeout=5)
            if answer.status_code == 200:
                return answer.json()
            last = answer.text[:300]
        except requests.RequestException as exc:
            last = repr(exc)
        time.sleep(1)
    raise SystemExit(f"not ready after {seconds:.0f}s: {last}")


def main(base: str) -> None:
    ready = wait_ready(base, 90)
    print(f"readyz: {ready}")
    assert requests.get(f"{base}/healthz", headers=HEADERS, timeout=5).json() == {"status": "ok"}
    api = f"{base}/api/v1"
    session = requests.Session()
    session.headers.update(HEADERS)
    pair = session.post(f"{api}/auth/token/", json={"email": "tenant@demo.domi", "password": "domi-demo"}, timeout=10)
    pair.raise_for_status()
    session.headers["Authorization"] = f"Bearer {pair.json()['access']}"
    units = session.get(f"{api}/units/", timeout=10).json()
    unit = (units["results"] if isinstance(units, dict) else units)[0]["id"]
    created = session.post(
        f"{api}/requests/",
        json={
            "unit": unit,
            "title": "Water leaking under the kitchen sink",
            "description": "The pipe under the kitchen sink drips constantly and the cabinet floor is wet.",
        },
        timeout=15,
    )
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    print(f"submitted request {request_id}: {created.json()['status']}")
    deadline = time.monotonic() + 120
    detail: dict = {}
    while time.monotonic() < deadline:
        detail = session.get(f"{api}/requests/{request_id}/", timeout=10).json()
        if detail.get("status") in PIPELINE_ENDS:
            break
        time.sleep(1)
    else:
        raise SystemExit(f"request {request_id} still {detail.get('status')!r} after 120 s")
    print(
        f"request {request_id}: {detail['status']}, category {detail.get('category')!r}, "
        f"priority {detail.get('priority')!r}, trade {detail.get('trade')!r}"
    )
    assert detail.get("category"), "the analyzer's category is missing"


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
