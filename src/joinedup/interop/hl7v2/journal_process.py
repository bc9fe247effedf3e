"""The entry point of the journal worker's own process (see journal.py). It
imports nothing of Django at import time: a spawned process unpickles its target
before Django is set up."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from typing import Any

WORKER_NICENESS = 5  # below the listener's CPU priority


def journal_process_main(
    wake: Any, stop: Any, drain_seconds: float, batch: int
) -> None:
    """Set Django up from the environment the listener passed on, then apply the
    journal until `stop` is set (the listener handles the signals)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    import django

    django.setup()
    logging.getLogger("joinedup").setLevel(logging.INFO)
    from joinedup.interop.hl7v2.journal import journal_work

    journal_work(wake, stop, drain_seconds, batch)
