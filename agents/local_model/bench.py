"""Triage latency on one core: ``python -m agents.local_model.bench [--encoders SPEC ...]``.

Times, message by message over the held-out set, each encoder alone and the whole prediction of
the current model (hard stops, encoder, heads, instructions), and prints p50 / p95 / max in ms and
the process's resident memory. Figures, not a test: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from .encoder import Encoder
from .model import preload
from .training import EVALUATION_SETS


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {pick(0.5):6.1f}  p95 {pick(0.95):6.1f}  max {ordered[-1]:6.1f}"


def _time(call, texts: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    call(texts[0])
    out = []
    for text in texts:
        started = time.perf_counter()
        call(text)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoders", nargs="*", default=["use", "e5:4", "e5:6", "e5"])
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in EVALUATION_SETS["heldout"].read_text(encoding="utf-8").splitlines()]
    print(f"{len(texts)} held-out messages, one thread (OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}), ms")
    for spec in args.encoders:
        encoder = Encoder(spec, threads=1)
        print(f"encoder {spec:10s} {_percentiles(_time(lambda t, e=encoder: e.embed([t]), texts))}")
    model = preload()  # as a server process has it: model, encoder and hard stops loaded, compiled, warm
    print(
        f"triage ({model.version}, encoder {model.card['encoder']['spec']}) {_percentiles(_time(model.predict, texts))}"
    )
    print(f"resident memory (peak) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
