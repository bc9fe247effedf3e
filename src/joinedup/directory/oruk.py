"""Open Referral UK JSON (ORUK 3.0 on HSDS 3.0) in and out, as pure functions.

Input is a list of services in the ORUK `service` shape, or a paginated list
response (`{"contents": [...]}`; `services` and `items` are accepted too). Each
service carries its `organization` (or an `organization_id` naming one in a
top-level `organizations` list), `service_at_locations` with their `location`,
`attributes` linking `taxonomy_term`s (needs and eligibility circumstances),
`contacts` with `phones`, and the eligibility fields `minimum_age`,
`maximum_age` and `eligibility_description`.

`oruk_parse` checks everything before anything is written and names each bad
field by its path (`services[2].service_at_locations[0].location.latitude`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
MAX_ERRORS = 20
ID_MAX = 64


@dataclass
class OrganizationSpec:
    oruk_id: str
    name: str
    description: str = ""
    email: str = ""
    website: str = ""


@dataclass
class TermSpec:
    oruk_id: str
    taxonomy: str
    name: str
    code: str = ""
    parent_id: str = ""


@dataclass
class LocationSpec:
    oruk_id: str
    name: str = ""
    address_1: str = ""
    city: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class ContactSpec:
    oruk_id: str
    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class ServiceSpec:
    oruk_id: str
    organization: OrganizationSpec
    name: str
    description: str = ""
    url: str = ""
    email: str = ""
    status: str = "active"
    fees: str = ""
    eligibility_description: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    terms: list[TermSpec] = field(default_factory=list)
    # (service_at_location id, location)
    locations: list[tuple[str, LocationSpec]] = field(default_factory=list)
    contacts: list[ContactSpec] = field(default_factory=list)


class OrukInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class _Check:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, path: str, problem: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.setdefault(path, problem)

    def text(
        self, obj: dict, key: str, path: str, *, required: bool = False, max_len=300
    ) -> str:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.add(f"{path}.{key}", "is required")
            return ""
        if not isinstance(value, str):
            self.add(f"{path}.{key}", "must be a string")
            return ""
        value = value.strip()
        if required and not value:
            self.add(f"{path}.{key}", "is required")
        if len(value) > max_len:
            self.add(f"{path}.{key}", f"must be {max_len} characters or fewer")
            return ""
        return value

    def ident(self, obj: dict, path: str) -> str:
        value = obj.get("id")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}.id", "is required (a unique identifier)")
            return ""
        if len(value) > ID_MAX:
            self.add(f"{path}.id", f"must be {ID_MAX} characters or fewer")
            return ""
        return value.strip()

    def number(
        self, obj: dict, key: str, path: str, low: float, high: float
    ) -> float | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                self.add(f"{path}.{key}", "must be a number")
                return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(f"{path}.{key}", "must be a number")
            return None
        if not low <= value <= high:
            self.add(f"{path}.{key}", f"must be between {low:g} and {high:g}")
            return None
        return float(value)

    def whole(self, obj: dict, key: str, path: str) -> int | None:
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{path}.{key}", "must be a whole number of years")
            return None
        if not 0 <= value <= 130:
            self.add(f"{path}.{key}", "must be between 0 and 130")
            return None
        return value

    def items(self, obj: dict, key: str, path: str) -> list[tuple[str, dict]]:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(where, "must be a list")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.add(f"{where}[{i}]", "must be an object")
                continue
            out.append((f"{where}[{i}]", item))
        return out


def _organization(check: _Check, obj: dict, path: str) -> OrganizationSpec:
    return OrganizationSpec(
        oruk_id=check.ident(obj, path),
        name=check.text(obj, "name", path, required=True, max_len=200),
        description=check.text(obj, "description", path, max_len=4000),
        email=check.text(obj, "email", path, max_len=200),
        website=check.text(obj, "website", path) or check.text(obj, "url", path),
    )


def _term(check: _Check, obj: dict, path: str) -> TermSpec | None:
    term = obj.get("taxonomy_term")
    if not isinstance(term, dict):
        check.add(f"{path}.taxonomy_term", "is required (an object)")
        return None
    tpath = f"{path}.taxonomy_term"
    name = check.text(term, "name", tpath, max_len=200) or check.text(
        term, "term", tpath, max_len=200
    )
    if not name:
        check.add(f"{tpath}.name", "is required")
    taxonomy = check.text(term, "taxonomy", tpath, max_len=100) or check.text(
        term, "vocabulary", tpath, max_len=100
    )
    if not taxonomy:
        check.add(f"{tpath}.taxonomy", "is required (which taxonomy the term is in)")
    return TermSpec(
        oruk_id=check.ident(term, tpath),
        taxonomy=taxonomy,
        name=name,
        code=check.text(term, "code", tpath, max_len=100),
        parent_id=check.text(term, "parent_id", tpath, max_len=ID_MAX),
    )


def _location(check: _Check, obj: dict, path: str) -> LocationSpec | None:
    loc = obj.get("location")
    if not isinstance(loc, dict):
        check.add(f"{path}.location", "is required (an object)")
        return None
    lpath = f"{path}.location"
    spec = LocationSpec(
        oruk_id=check.ident(loc, lpath),
        name=check.text(loc, "name", lpath, max_len=200),
        latitude=check.number(loc, "latitude", lpath, -90, 90),
        longitude=check.number(loc, "longitude", lpath, -180, 180),
    )
    if (spec.latitude is None) != (spec.longitude is None) and not any(
        k.startswith(lpath) for k in check.errors
    ):
        check.add(f"{lpath}.longitude", "give both latitude and longitude, or neither")
    key = "addresses" if "addresses" in loc else "physical_addresses"
    addresses = check.items(loc, key, lpath)
    if addresses:
        apath, address = addresses[0]
        spec.address_1 = check.text(address, "address_1", apath, max_len=200)
        spec.city = check.text(address, "city", apath, max_len=100)
        spec.postal_code = check.text(address, "postal_code", apath, max_len=10)
    return spec


def _contact(check: _Check, obj: dict, path: str) -> ContactSpec:
    phone = ""
    phones = check.items(obj, "phones", path)
    if phones:
        ppath, first = phones[0]
        phone = check.text(first, "number", ppath, max_len=40)
    return ContactSpec(
        oruk_id=check.ident(obj, path),
        name=check.text(obj, "name", path, max_len=200),
        title=check.text(obj, "title", path, max_len=200),
        email=check.text(obj, "email", path, max_len=200),
        phone=phone,
    )


def _service(
    check: _Check, obj: dict, path: str, organizations: dict[str, OrganizationSpec]
) -> ServiceSpec | None:
    organization: OrganizationSpec | None = None
    org = obj.get("organization")
    if isinstance(org, dict):
        organization = _organization(check, org, f"{path}.organization")
    elif org is not None:
        check.add(f"{path}.organization", "must be an object")
    else:
        org_id = obj.get("organization_id")
        if not isinstance(org_id, str) or not org_id:
            check.add(f"{path}.organization", "is required (who runs the service)")
        elif org_id not in organizations:
            check.add(f"{path}.organization_id", "names no organization in the file")
        else:
            organization = organizations[org_id]
    status = check.text(obj, "status", path, max_len=20) or "active"
    if status not in STATUSES:
        check.add(f"{path}.status", "must be one of: " + ", ".join(STATUSES))
    spec = ServiceSpec(
        oruk_id=check.ident(obj, path),
        organization=organization or OrganizationSpec("", ""),
        name=check.text(obj, "name", path, required=True, max_len=200),
        description=check.text(obj, "description", path, max_len=8000),
        url=check.text(obj, "url", path),
        email=check.text(obj, "email", path, max_len=200),
        status=status,
        fees=check.text(obj, "fees", path) or check.text(obj, "fees_description", path),
        eligibility_description=check.text(
            obj, "eligibility_description", path, max_len=4000
        ),
        minimum_age=check.whole(obj, "minimum_age", path),
        maximum_age=check.whole(obj, "maximum_age", path),
    )
    if (
        spec.minimum_age is not None
        and spec.maximum_age is not None
        and spec.minimum_age > spec.maximum_age
    ):
        check.add(f"{path}.maximum_age", "must not be below minimum_age")
    for apath, attribute in check.items(obj, "attributes", path):
        term = _term(check, attribute, apath)
        if term is not None:
            spec.terms.append(term)
    for spath, sal in check.items(obj, "service_at_locations", path):
        sal_id = check.ident(sal, spath)
        location = _location(check, sal, spath)
        if location is not None:
            spec.locations.append((sal_id, location))
    for cpath, contact in check.items(obj, "contacts", path):
        spec.contacts.append(_contact(check, contact, cpath))
    return spec


def _unique(check: _Check, specs: list[ServiceSpec]) -> None:
    """The same id twice must be the same thing: a second, different use of an id
    is an error naming where it was reused."""
    seen: dict[tuple[str, str], tuple[str, object]] = {}

    def claim(kind: str, oruk_id: str, path: str, value: object) -> None:
        if not oruk_id:
            return
        first = seen.get((kind, oruk_id))
        if first is None:
            seen[(kind, oruk_id)] = (path, value)
        elif kind in ("service", "service_at_location", "contact") or (
            first[1] != value
        ):
            check.add(f"{path}.id", f"is used twice (first at {first[0]})")

    for i, spec in enumerate(specs):
        path = f"services[{i}]"
        claim("service", spec.oruk_id, path, spec)
        claim(
            "organization",
            spec.organization.oruk_id,
            f"{path}.organization",
            (spec.organization),
        )
        for t, term in enumerate(spec.terms):
            claim("term", term.oruk_id, f"{path}.attributes[{t}].taxonomy_term", term)
        for s, (sal_id, location) in enumerate(spec.locations):
            spath = f"{path}.service_at_locations[{s}]"
            claim("service_at_location", sal_id, spath, None)
            claim("location", location.oruk_id, f"{spath}.location", location)
        for c, contact in enumerate(spec.contacts):
            claim("contact", contact.oruk_id, f"{path}.contacts[{c}]", None)


def oruk_parse(text: str | bytes) -> list[ServiceSpec]:
    """Every service in the file, checked; OrukInvalid lists the bad fields."""
    try:
        data: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        where = (
            f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        )
        raise OrukInvalid({"file": f"is not valid JSON{where}"}) from None
    check = _Check()
    organizations: dict[str, OrganizationSpec] = {}
    if isinstance(data, dict):
        for opath, org in check.items(data, "organizations", ""):
            org_spec = _organization(check, org, opath)
            organizations[org_spec.oruk_id] = org_spec
        for key in ("contents", "services", "items"):
            if key in data:
                data = data[key]
                break
        else:
            data = [data] if "name" in data else None
    if not isinstance(data, list):
        raise OrukInvalid(
            {"file": "must be a list of services, or an object with contents"}
        )
    if not data:
        raise OrukInvalid({"file": "holds no services"})
    specs: list[ServiceSpec] = []
    for i, obj in enumerate(data):
        if not isinstance(obj, dict):
            check.add(f"services[{i}]", "must be an object")
            continue
        spec = _service(check, obj, f"services[{i}]", organizations)
        if spec is not None:
            specs.append(spec)
    if not check.errors:
        _unique(check, specs)
    if check.errors:
        raise OrukInvalid(check.errors)
    return specs


# --- export ---------------------------------------------------------------------


def oruk_service(service: Any) -> dict[str, Any]:
    """One directory Service (with its organization, terms, locations and
    contacts loaded) in the ORUK service shape."""
    org = service.organization
    out: dict[str, Any] = {
        "id": service.oruk_id,
        "organization": {
            "id": org.oruk_id,
            "name": org.name,
            "description": org.description,
            "email": org.email,
            "website": org.website,
        },
        "name": service.name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "fees_description": service.fees,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "last_modified": service.last_modified.isoformat(),
        "attributes": [
            {
                "id": f"{service.oruk_id}:{term.oruk_id}"[:ID_MAX],
                "link_type": "service",
                "taxonomy_term": {
                    "id": term.oruk_id,
                    "code": term.code,
                    "name": term.name,
                    "taxonomy": term.taxonomy,
                    **({"parent_id": term.parent.oruk_id} if term.parent else {}),
                },
            }
            for term in service.terms.all()
        ],
        "service_at_locations": [
            {
                "id": sal.oruk_id,
                "location": {
                    "id": sal.location.oruk_id,
                    "location_type": "physical",
                    "name": sal.location.name,
                    "latitude": sal.location.latitude,
                    "longitude": sal.location.longitude,
                    "addresses": [
                        {
                            "address_1": sal.location.address_1,
                            "city": sal.location.city,
                            "postal_code": sal.location.postal_code,
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
            for sal in service.service_at_locations.all()
        ],
        "contacts": [
            {
                "id": c.oruk_id,
                "name": c.name,
                "title": c.title,
                "email": c.email,
                "phones": [{"number": c.phone}] if c.phone else [],
            }
            for c in service.contacts.all()
        ],
    }
    return out
