"""Which refresh is current, and the latest one's status."""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.population.models import (
    Refresh,
    RefreshStatus,
)


def refresh_current() -> Refresh | None:
    return Refresh.objects.filter(is_current=True).first()


def refresh_latest() -> Refresh | None:
    return Refresh.objects.order_by("-started_at", "-id").first()


@dataclass(frozen=True)
class RefreshStatusView:
    current: Refresh | None
    latest: Refresh | None

    @property
    def running(self) -> bool:
        return bool(self.latest and self.latest.status == RefreshStatus.RUNNING)

    @property
    def failed(self) -> bool:
        return bool(self.latest and self.latest.status == RefreshStatus.FAILED)


def refresh_status() -> RefreshStatusView:
    return RefreshStatusView(current=refresh_current(), latest=refresh_latest())
