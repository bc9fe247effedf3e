"""Rebuild every hospital stay from the ADT events: `joinedup manage discharge_sync`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from joinedup.discharge.services import stays_sync_all


class Command(BaseCommand):
    help = "Rebuild hospital stays from the ADT events in the event store"

    def handle(self, *args: Any, **options: Any) -> None:
        tally = stays_sync_all()
        self.stdout.write(
            f"Stays: {tally.created} created, {tally.updated} updated, "
            f"{tally.removed} removed."
        )
