"""Council social care CSV extracts: `joinedup ingest extract.csv --source NAME`.

Every row is validated against the source's declared mapping (csv/mapping.py); a bad
row goes to the quarantine with its row number and reason, good rows are applied
(each in its own savepoint, committed in batches). A file whose header lacks the
columns of required fields, or that is not text in its declared encoding, is
quarantined whole. Files are read as their mapping declares (encoding, delimiter,
date format; a byte order mark always wins): a Windows-1252 export with ";"
between values and quoted values over several lines reads as well as a UTF-8 one.
Clients become person-index records; assessments, services and safeguarding
concerns become events in the shared record."""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.errors import InvalidInput
from joinedup.governance.models import AccessCategory
from joinedup.interop.csv.mapping import (
    FileMapping,
    RowProblem,
    SourceMapping,
    header_check,
    mapping_load,
    row_validate,
)
from joinedup.interop.csv.reading import NotText, csv_decode
from joinedup.interop.models import IngestKind, QuarantineItem
from joinedup.interop.services import Tally, quarantine_record, totals_add
from joinedup.people.services import (
    SourceDemographics,
    person_for_source_id,
    person_from_source_upsert,
)
from joinedup.record.followup import Touched, followup_run
from joinedup.record.models import EventKind, SourceSystem
from joinedup.record.services import event_record

BATCH = 500
LOCAL_TZ = zoneinfo.ZoneInfo("Europe/London")
# Files of one extract that depend on others are applied after them.
RECORD_ORDER = {"client": 0, "assessment": 1, "service": 2, "safeguarding": 3}


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL_TZ)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _money(value: Any) -> str:
    return f"{value:.2f}" if value is not None else ""


def _person_id(system: SourceSystem, local_id: str, column: str) -> int:
    person = person_for_source_id(source_system=system, local_id=local_id)
    if person is None:
        raise RowProblem(
            f"{column}: no client with this ID from {system.code}; send the client "
            "row first"
        )
    return person.pk


def row_apply(
    mapping: FileMapping,
    values: dict[str, Any],
    *,
    system: SourceSystem,
    where: str,
    touched: Touched | None = None,
) -> bool:
    """Apply one validated row; True when it changed the record (False: the same
    event was already there). What it wrote is added to `touched`."""
    touched = touched if touched is not None else Touched()
    record = mapping.record
    if record == "client":
        born: dt.date = values["birth_date"]
        person_from_source_upsert(
            source_system=system,
            local_id=values["local_id"],
            demographics=SourceDemographics(
                nhs_number=values.get("nhs_number") or None,
                nhs_number_status=values.get("nhs_number_status") or "07",
                given_name=values.get("given_name", ""),
                family_name=values["family_name"],
                birth_date=born,
                sex=values.get("sex") or "unknown",
                address_line=values.get("address_line", ""),
                postcode=values.get("postcode", ""),
                phone=values.get("phone", ""),
            ),
            seen_at=timezone.now(),
            touched=touched,
        )
        return True
    person_id = _person_id(system, values["local_id"], mapping.columns["local_id"])
    touched.add(people=[person_id])
    common: dict[str, Any] = {
        "person_id": person_id,
        "source_system": system,
        "provenance": where,
    }
    if record == "assessment":
        done = values.get("completed")
        kind = values["assessment_type"]
        _, created = event_record(
            source_id=values["source_id"],
            kind=EventKind.SOCIAL_CARE_ASSESSMENT,
            category=AccessCategory.SOCIAL_CARE,
            occurred_at=_at(values["started"]),
            ended_at=_at(done, 17) if done else None,
            summary=f"{_label(kind)} {'completed' if done else 'started'}",
            detail={"assessment_type": kind, "outcome": values.get("outcome", "")},
            update=True,
            **common,
        )
        return created
    if record == "service":
        kind = values["service_type"]
        hours, cost = values.get("weekly_hours"), values.get("weekly_cost")
        detail = {"service_type": kind, "service_id": values["source_id"]}
        summary = f"{_label(kind)} started"
        if hours is not None:
            detail["weekly_hours"] = str(hours)
            summary += f": {hours} hours a week"
        elif cost is not None:
            summary += f": £{cost:.0f} a week"
        if cost is not None:
            detail["weekly_cost"] = _money(cost)
        _, created = event_record(
            source_id=values["source_id"],
            kind=EventKind.SERVICE_START,
            category=AccessCategory.SOCIAL_CARE,
            occurred_at=_at(values["start_date"]),
            summary=summary,
            detail=detail,
            update=True,
            **common,
        )
        if values.get("end_date"):
            _, ended = event_record(
                source_id=f"{values['source_id']}-end",
                kind=EventKind.SERVICE_END,
                category=AccessCategory.SOCIAL_CARE,
                occurred_at=_at(values["end_date"]),
                summary=f"{_label(kind)} ended",
                detail={"service_type": kind, "service_id": values["source_id"]},
                update=True,
                **common,
            )
            created = created or ended
        return created
    _, created = event_record(
        source_id=values["source_id"],
        kind=EventKind.SAFEGUARDING_CONCERN,
        category=AccessCategory.SAFEGUARDING,
        occurred_at=_at(values["raised"]),
        summary="Safeguarding concern raised",
        detail={"outcome": values.get("outcome", "")},
        update=True,
        **common,
    )
    return created


def _system(mapping: SourceMapping) -> SourceSystem:
    system = (
        SourceSystem.objects.select_related("organisation")
        .filter(code=mapping.source_system)
        .first()
    )
    if system is None:
        raise InvalidInput.for_field(
            "source", f"source system {mapping.source_system!r} is not set up"
        )
    return system


def _row_text(header: list[str], row: list[str], delimiter: str = ",") -> str:
    """The header and one row, as the file writes them (its delimiter), to be
    fixed and replayed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(row)
    return out.getvalue()


def csv_text_ingest(
    text: str,
    *,
    source: str,
    file_name: str,
    tally: Tally | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Ingest one CSV extract's text (the file named `file_name` of `source`)."""
    mapping = mapping_load(source)
    file_mapping = mapping.for_file(file_name)
    if file_mapping is None:
        raise InvalidInput(
            f"{file_name}: no mapping in source {source!r} for this file; mapped: "
            + ", ".join(sorted(mapping.files))
        )
    system = _system(mapping)
    tally = tally if tally is not None else Tally()
    reader = csv.reader(
        io.StringIO(text.removeprefix("\ufeff"), newline=""),
        delimiter=file_mapping.delimiter,
    )
    rows: list[list[str]] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        rows = [r for r in reader if any(value.strip() for value in r)]
        header_check(file_mapping, header)
    except (RowProblem, csv.Error) as problem:
        reason = problem.reason if isinstance(problem, RowProblem) else (
            f"line {reader.line_num}: not readable as CSV ({problem})"
        )  # fmt: skip
        _file_quarantine(system, file_name, reason, text, tally, len(rows))
        return tally
    for start in range(0, len(rows), BATCH):
        run = Tally()
        with transaction.atomic():
            touched = Touched()
            for offset, row in enumerate(rows[start : start + BATCH]):
                number = start + offset + 2  # row 1 is the header
                _row(file_mapping, mapping, system, header, row, number, run, touched)
            totals_add(tally=run)
            followup_run(touched)
        tally.merge(run)
        if progress is not None:
            progress(len(rows[start : start + BATCH]))
    return tally


def _file_quarantine(
    system: SourceSystem, file_name: str, reason: str, text: str, tally: Tally,
    rows: int,
) -> None:  # fmt: skip
    rows = max(rows, 1)
    with transaction.atomic():
        quarantine_record(
            source=system.code, kind=IngestKind.CSV, reason=reason,
            raw=text, record_type=file_name, origin=file_name,
        )  # fmt: skip
        run = Tally()
        run.add(system.code, quarantined=rows)
        totals_add(tally=run)
    tally.add(system.code, quarantined=rows)


def _row(
    file_mapping: FileMapping,
    mapping: SourceMapping,
    system: SourceSystem,
    header: list[str],
    row: list[str],
    number: int,
    run: Tally,
    touched: Touched,
) -> None:
    where = f"{file_mapping.file_name}:{number}"
    try:
        if len(row) != len(header):
            raise RowProblem(
                f"row has {len(row)} values but the header has {len(header)} columns"
            )
        values = row_validate(file_mapping, dict(zip(header, row, strict=True)))
        with transaction.atomic():
            row_touched = Touched()
            changed = row_apply(
                file_mapping, values, system=system, where=where, touched=row_touched
            )
        touched.merge(row_touched)
    except RowProblem as problem:
        quarantine_record(
            source=system.code, kind=IngestKind.CSV,
            reason=f"row {number}: {problem.reason}",
            raw=_row_text(header, row, file_mapping.delimiter),
            record_type=file_mapping.file_name, origin=where, row_number=number,
        )  # fmt: skip
        run.add(system.code, quarantined=1)
        return
    run.add(system.code, applied=int(changed), duplicate=int(not changed))


def csv_file_ingest(
    path: pathlib.Path,
    *,
    source: str,
    tally: Tally | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    return csv_bytes_ingest(
        path.read_bytes(), source=source, file_name=path.name, tally=tally,
        progress=progress,
    )  # fmt: skip


def csv_bytes_ingest(
    data: bytes,
    *,
    source: str,
    file_name: str,
    tally: Tally | None = None,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Ingest one CSV extract as it arrived (bytes in the mapping's declared
    encoding); a file that is not text in that encoding is quarantined whole."""
    tally = tally if tally is not None else Tally()
    mapping = mapping_load(source)
    file_mapping = mapping.for_file(file_name)
    encoding = file_mapping.encoding if file_mapping else "utf-8"
    try:
        text = csv_decode(data, encoding)
    except NotText as problem:
        if file_mapping is None:  # no mapping: say so, as for text
            text = problem.text
        else:
            rows = len(problem.text.splitlines()) - 1  # about the rows it holds
            _file_quarantine(
                _system(mapping), file_name, problem.reason, problem.text, tally, rows
            )
            return tally
    return csv_text_ingest(
        text, source=source, file_name=file_name, tally=tally, progress=progress
    )


def csv_files_order(paths: list[pathlib.Path], source: str) -> list[pathlib.Path]:
    """Clients before the records that refer to them."""
    mapping = mapping_load(source)

    def key(path: pathlib.Path) -> tuple[int, str]:
        fm = mapping.for_file(path.name)
        return (RECORD_ORDER.get(fm.record, 9) if fm else 9, path.name)

    return sorted(paths, key=key)


def csv_replay(item: QuarantineItem, raw: str, touched: Touched) -> str | None:
    """Apply a fixed quarantined row or file (header line first), all or nothing,
    inside the caller's transaction: None when applied (what it wrote added to
    `touched`), else the reason."""
    try:
        mapping = mapping_load(item.source)
    except InvalidInput as exc:
        return exc.detail
    file_mapping = mapping.for_file(item.record_type)
    if file_mapping is None:
        return f"no mapping for {item.record_type!r} in source {item.source!r}"
    system = _system(mapping)
    reader = csv.reader(
        io.StringIO(raw.replace("\r\n", "\n").removeprefix("\ufeff"), newline=""),
        delimiter=file_mapping.delimiter,
    )
    try:
        header = [name.strip() for name in next(reader, [])]
        rows = [r for r in reader if any(value.strip() for value in r)]
    except csv.Error as exc:
        return f"line {reader.line_num}: not readable as CSV ({exc})"
    if not rows:
        return "no rows under the header line"
    try:
        header_check(file_mapping, header)
        for number, row in enumerate(rows, start=2):
            if len(row) != len(header):
                raise RowProblem(
                    f"row {number}: has {len(row)} values, not {len(header)}"
                )
            try:
                values = row_validate(file_mapping, dict(zip(header, row, strict=True)))
                row_apply(
                    file_mapping, values, system=system,
                    where=f"{item.origin or item.record_type}:replay",
                    touched=touched,
                )  # fmt: skip
            except RowProblem as problem:
                raise RowProblem(f"row {number}: {problem.reason}") from None
    except RowProblem as problem:
        return problem.reason
    return None
