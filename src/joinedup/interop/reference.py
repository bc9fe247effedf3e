"""Reference files of an extract folder (`joinedup generate` writes them):
organisations.csv and source_systems.csv, loaded before the extracts so the
extracts' sending organisations and source systems are known."""

from __future__ import annotations

import csv
import pathlib

from django.db import transaction

from joinedup.errors import InvalidInput
from joinedup.governance.models import Organisation, OrganisationType
from joinedup.record.models import SourceKind, SourceSystem

ORGANISATIONS = "organisations.csv"
SOURCE_SYSTEMS = "source_systems.csv"


def _rows(path: pathlib.Path, required: set[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise InvalidInput(
                f"{path.name}: missing columns {', '.join(sorted(missing))}"
            )
        return list(reader)


def reference_files_load(*, folder: pathlib.Path) -> tuple[int, int]:
    """Create or update the organisations and source systems of an extract folder.
    Returns (organisations, source systems) loaded."""
    orgs_path, systems_path = folder / ORGANISATIONS, folder / SOURCE_SYSTEMS
    org_count = system_count = 0
    with transaction.atomic():
        if orgs_path.exists():
            for row in _rows(orgs_path, {"code", "name", "type", "postcode"}):
                if row["type"] not in OrganisationType.values:
                    raise InvalidInput(
                        f"{ORGANISATIONS}: unknown organisation type {row['type']!r}"
                    )
                Organisation.objects.update_or_create(
                    code=row["code"],
                    defaults={
                        "name": row["name"],
                        "type": row["type"],
                        "postcode": row["postcode"],
                    },
                )
                org_count += 1
        if systems_path.exists():
            required = {
                "code",
                "name",
                "org_code",
                "kind",
                "identifier_system",
                "identifier_label",
            }
            for row in _rows(systems_path, required):
                org = Organisation.objects.filter(code=row["org_code"]).first()
                if org is None:
                    raise InvalidInput(
                        f"{SOURCE_SYSTEMS}: unknown organisation {row['org_code']!r}"
                    )
                if row["kind"] not in SourceKind.values:
                    raise InvalidInput(
                        f"{SOURCE_SYSTEMS}: unknown kind {row['kind']!r}"
                    )
                SourceSystem.objects.update_or_create(
                    code=row["code"],
                    defaults={
                        "name": row["name"],
                        "organisation": org,
                        "kind": row["kind"],
                        "identifier_system": row["identifier_system"],
                        "identifier_label": row["identifier_label"],
                    },
                )
                system_count += 1
    return org_count, system_count
