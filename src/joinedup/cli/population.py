"""`joinedup population refresh`: the refresh with a progress bar (rich)."""

from __future__ import annotations

from joinedup.population.models import Refresh


def refresh_with_progress() -> Refresh:
    """Run the refresh, showing each stage; raises services.RefreshError."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from joinedup.population.services import population_refresh

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        tasks: dict[str, object] = {}

        def progress(stage: str, done: int, total: int) -> None:
            key = stage.split(":")[0]
            if key not in tasks:
                tasks[key] = bar.add_task(stage, total=total or None)
            bar.update(
                tasks[key],  # type: ignore[arg-type]
                description=stage,
                completed=done,
                total=total or None,
            )

        return population_refresh(progress=progress)
