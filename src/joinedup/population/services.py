"""Writes of population health: the refresh (risk, levels, JSNA figures) and the
case-finding decisions (accept into a caseload, dismiss with a reason)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember, Task, TaskSource
from joinedup.coordination.services import care_team_join, task_create
from joinedup.db.bulk import csv_copy, rows_insert
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Role
from joinedup.people.areas import person_areas_apply
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open
from joinedup.population.engine.jobs import FEATURES
from joinedup.population.engine.run import EngineError, Results, refresh_compute
from joinedup.population.engine.snapshot import snapshot_write, table_count
from joinedup.population.models import (
    CaseFindingDismissal,
    Figure,
    PersonRisk,
    Refresh,
    RefreshStatus,
    RiskModel,
)

log = logging.getLogger(__name__)

CASE_MANAGER_ROLES = frozenset({Role.COMMUNITY_MATRON, Role.MDT_COORDINATOR})
WRITE_BATCH = 20_000


class RefreshError(Exception):
    """The refresh could not complete; nothing was written (the reason is for
    people, without personal data)."""


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _stage(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress:
        progress(stage, done, total)


def population_refresh(
    *, progress: Progress | None = None, work_dir: Path | None = None
) -> Refresh:
    """Snapshot the operational data, compute eFI, admission risk, levels and
    JSNA figures in DuckDB, then write them under a new refresh in one
    transaction: the previous refresh's figures stay current until the new ones
    are all written, and a failure leaves them untouched."""
    if not Person.objects.filter(merged_into__isnull=True).exists():
        raise RefreshError(
            "there are no people in the database: load or ingest data first "
            "(nothing was written)"
        )
    # People's LSOA and IMD decile follow their current postcode (a no-op when no
    # postcode reference data is loaded: people/areas.py).
    person_areas_apply()
    started = time.monotonic()
    refresh = Refresh.objects.create(started_at=timezone.now())
    base = work_dir or Path(settings.DATA_DIR)
    base.mkdir(parents=True, exist_ok=True)
    snapshot = Path(tempfile.mkdtemp(prefix="population-", dir=base))
    try:
        totals = {name: table_count(name) for name in ("people", "events")}
        counted = {"people": 0, "events": 0}

        def advance(table: str, n: int) -> None:
            if table in counted:
                counted[table] += n
                # events: only those the jobs use are copied, so no known total
                total = totals[table] if table == "people" else 0
                _stage(progress, f"Snapshot: {table}", counted[table], total)

        snapshot_write(snapshot, advance=advance)
        snapshot_s = time.monotonic() - started
        steps = ["eFI", "risk features", "risk model", "scores and levels", "JSNA"]

        def step(what: str) -> None:
            done = next((i for i, s in enumerate(steps) if what.startswith(s)), 0)
            _stage(progress, f"Computing: {what}", done, len(steps))

        results = refresh_compute(snapshot, step=step)
        results.timings = {
            "snapshot": snapshot_s,
            "compute": time.monotonic() - started - snapshot_s,
        }
        results.events = totals["events"]  # all events in the record
        _results_write(
            refresh, results, progress=progress, started=started, work=snapshot
        )
    except (EngineError, OSError) as exc:
        Refresh.objects.filter(pk=refresh.pk).update(
            status=RefreshStatus.FAILED,
            finished_at=timezone.now(),
            message=str(exc)[:300],
        )
        raise RefreshError(f"{exc} (the previous figures are still shown)") from exc
    except BaseException:
        Refresh.objects.filter(pk=refresh.pk).update(
            status=RefreshStatus.FAILED,
            finished_at=timezone.now(),
            message="the refresh stopped before it finished",
        )
        raise
    finally:
        shutil.rmtree(snapshot, ignore_errors=True)
    refresh.refresh_from_db()
    return refresh


def _scores_copy(
    refresh_id: int, scores: pa.Table, columns: tuple[str, ...], work: Path
) -> None:
    """PostgreSQL: DuckDB formats the scores as CSV (the JSON columns included)
    and COPY ... FROM STDIN loads them: no Python per row."""
    path = work / "scores.csv"
    factors = (
        "'[' || array_to_string(list_transform(list_zip(COALESCE(factors, "
        "[]::VARCHAR[]), COALESCE(weights, []::DOUBLE[])), lambda x: '[' || "
        "to_json(x[1]) || ', ' || to_json(x[2]) || ']'), ', ') || ']'"
    )
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("scores", scores)
        con.execute(
            f"COPY (SELECT {int(refresh_id)}, person_id, practice_id, "  # noqa: S608
            "LEAST(GREATEST(age, 0), 150), efi_score, efi_category, "
            "to_json(COALESCE(deficits, []::VARCHAR[])), risk, "
            f"{factors}, level, rank FROM scores) TO '{path}' "
            "(FORMAT csv, HEADER false)"
        )
    finally:
        con.close()
    csv_copy("population_personrisk", columns, path)
    path.unlink(missing_ok=True)


def _results_write(
    refresh: Refresh,
    results: Results,
    *,
    progress: Progress | None,
    started: float,
    work: Path | None = None,
) -> None:
    model = results.model
    now = timezone.now()
    scores = results.scores
    total = scores.num_rows
    with transaction.atomic():
        RiskModel.objects.create(
            refresh=refresh,
            version=f"admission-risk-{now:%Y%m%d%H%M%S}-{refresh.pk}",
            trained_at=now,
            features=[key for key, _, _ in FEATURES],
            coefficients={
                "intercept": model.coefficients[0],
                **{
                    key: c
                    for (key, _, _), c in zip(
                        FEATURES, model.coefficients[1:], strict=True
                    )
                },
            },
            means=model.means,
            train_period=model.train_period,
            test_period=model.test_period,
            train_people=model.train_people,
            train_outcomes=model.train_outcomes,
            test_people=model.test_people,
            test_outcomes=model.test_outcomes,
            auc=model.auc,
            calibration=model.calibration,
        )
        columns = (
            "refresh_id",
            "person_id",
            "practice_id",
            "age",
            "efi_score",
            "efi_category",
            "deficits",
            "risk",
            "factors",
            "level",
            "rank",
        )
        if connection.vendor == "postgresql" and work is not None:
            _scores_copy(refresh.pk, scores, columns, work)
            _stage(progress, "Writing scores", total, total)
        else:
            done = 0
            for batch in scores.to_batches(WRITE_BATCH):
                rows = []
                for r in batch.to_pylist():
                    factors = [
                        [f, float(w)]
                        for f, w in zip(
                            r["factors"] or (), r["weights"] or (), strict=False
                        )
                    ]
                    rows.append(
                        (
                            refresh.pk,
                            r["person_id"],
                            r["practice_id"],
                            max(0, min(150, r["age"])),
                            float(r["efi_score"]),
                            r["efi_category"],
                            list(r["deficits"] or ()),
                            float(r["risk"]),
                            factors,
                            r["level"],
                            r["rank"],
                        )
                    )
                rows_insert(PersonRisk, columns, rows)
                done += len(rows)
                _stage(progress, "Writing scores", done, total)
        figure_rows = [
            (
                refresh.pk,
                f["measure"],
                f["dimension"],
                str(f["grp"])[:100],
                f["period"],
                int(f["numerator"] or 0),
                int(f["denominator"] or 0),
            )
            for f in results.figures.to_pylist()
        ]
        rows_insert(
            Figure,
            (
                "refresh_id",
                "measure",
                "dimension",
                "group",
                "period",
                "numerator",
                "denominator",
            ),
            figure_rows,
        )
        # Swap: the new refresh becomes current; older ones (and their rows) go.
        old = list(
            Refresh.objects.exclude(pk=refresh.pk)
            .filter(status=RefreshStatus.COMPLETE)
            .values_list("pk", flat=True)
        )
        Refresh.objects.filter(pk__in=old).update(is_current=False)
        Refresh.objects.filter(pk=refresh.pk).update(
            status=RefreshStatus.COMPLETE,
            is_current=True,
            finished_at=timezone.now(),
            history_start=results.history_start,
            history_end=results.history_end,
            people=results.people,
            events=results.events,
            seconds=round(time.monotonic() - started, 1),
            message=(
                f"{results.people:,} people, {results.events:,} events; "
                f"model AUC {model.auc:.3f}; snapshot "
                f"{results.timings.get('snapshot', 0):.0f} s, compute "
                f"{results.timings.get('compute', 0):.0f} s, write "
                f"{time.monotonic() - started - sum(results.timings.values()):.0f} s"
            ),
        )
        PersonRisk.objects.filter(refresh_id__in=old).delete()
        Figure.objects.filter(refresh_id__in=old).delete()
    if connection.vendor == "postgresql":
        # Fresh statistics, so the case-finding list walks the level/rank index
        # and stops at a page instead of sorting every level-3 person.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE population_personrisk")
            cursor.execute("ANALYZE population_figure")
    log.info("population refresh %s complete", refresh.pk)


# --- case finding -------------------------------------------------------------------


def _proposal(person_id: int) -> PersonRisk:
    risk = (
        PersonRisk.objects.filter(
            refresh__is_current=True, person_id=person_id, level=3
        )
        .select_related("refresh")
        .first()
    )
    if risk is None:
        raise NotFound(
            f"person: person {person_id} is not proposed by case finding",
            fields={"person": "not on the case-finding list"},
        )
    return risk


def _case_manager_required(actor: Actor) -> None:
    if actor.role not in CASE_MANAGER_ROLES:
        raise AccessRefused(
            "role: only a community matron or MDT coordinator manages a caseload "
            "from case finding"
        )


def case_finding_accept(
    *, actor: Actor, person_id: int, due_on: dt.date | None = None
) -> tuple[CareTeamMember, Task]:
    """Take a proposed person into the actor's caseload: the actor joins their
    care team as lead professional (case manager) and gets a care-plan task to
    make a proactive care plan (source "case_finding"), which puts them on MDT
    lists."""
    _case_manager_required(actor)
    risk = _proposal(person_id)
    person_access_open(actor=actor, person_id=person_id, action="case_finding_accept")
    with transaction.atomic():
        member = care_team_join(
            actor=actor,
            person_id=person_id,
            user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            lead=True,
            reason="accepted from case finding",
        )
        task = task_create(
            actor=actor,
            person_id=person_id,
            title="Case management: agree a proactive care plan",
            detail=(
                f"Proposed by case finding (admission risk {risk.risk:.0%}, "
                f"eFI {risk.efi_category}); accepted into the caseload."
            ),
            source=TaskSource.CASE_FINDING,
            source_ref=f"population-refresh-{risk.refresh_id}",
            assignee_user_id=actor.user_id,
            due_on=due_on or timezone.localdate() + dt.timedelta(days=14),
            check_access=False,
        )
    return member, task


def case_finding_dismiss(
    *, actor: Actor, person_id: int, reason: str
) -> CaseFindingDismissal:
    """Record that a proposed person does not need case management now. They are
    not proposed again unless their risk rises materially."""
    _case_manager_required(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.for_field("reason", "enter why this person is dismissed")
    if len(reason) > 500:
        raise InvalidInput.for_field("reason", "must be 500 characters or fewer")
    risk = _proposal(person_id)
    person_access_open(actor=actor, person_id=person_id, action="case_finding_dismiss")
    if CaseFindingDismissal.objects.filter(
        person_id=person_id, risk__gte=risk.risk - 1e-9
    ).exists():
        raise Conflict(
            "person: already dismissed at this level of risk",
            fields={"person": "already dismissed"},
        )
    with transaction.atomic():
        return CaseFindingDismissal.objects.create(
            person_id=person_id,
            dismissed_by_id=actor.user_id,
            organisation_id=actor.organisation_id,
            reason=reason,
            risk=risk.risk,
            level=risk.level,
            dismissed_at=timezone.now(),
        )
