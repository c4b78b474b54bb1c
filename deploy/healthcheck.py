"""The container's health check: GET a path on the local web process; exit 0 on 200 (no curl in the image)."""

import os
import sys
import urllib.request

path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}{path}"
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001 - any failure is unhealthy
    print(f"{url}: {exc}", file=sys.stderr)
    sys.exit(1)
