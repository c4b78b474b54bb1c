"""Loading the triage model when a server process starts, before it forks its workers.

A failure is logged, not raised: the web process still serves everything else, /readyz reports the
model as failing, and a triage that cannot run sends the request to a person (needs_review).
"""

from __future__ import annotations

import gc
import logging
import os
import time

logger = logging.getLogger(__name__)


def load_before_fork() -> bool:
    """Load the model now unless ``DOMI_TRIAGE_PRELOAD=0`` (then the first triage loads it)."""
    if os.environ.get("DOMI_TRIAGE_PRELOAD", "1") == "0":
        return False
    from .model import preload

    started = time.perf_counter()
    try:
        model = preload()
    except Exception:
        logger.exception("triage_model_not_loaded")
        return False
    # What is loaded now is shared with the processes forked next, page by page until one writes to it. A
    # collection in a child writes to every object it visits (its header), so the frozen objects are left out
    # of collections: without this, a worker's pool process copied about 80 MiB of the model at its first
    # full collection.
    gc.collect()
    gc.freeze()
    logger.info("triage_model_loaded version=%s seconds=%.2f", model.version, time.perf_counter() - started)
    return True
