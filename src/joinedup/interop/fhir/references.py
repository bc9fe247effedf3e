"""Resolving references inside a FHIR R4 Bundle, as the specification says
(Bundle, "Resolving references in Bundles"). No database here.

A reference is one of:

- a `urn:uuid:` or `urn:oid:` fullUrl of another entry (transactions written by
  a client before the server gave ids);
- an absolute URL, `https://server/fhir/Patient/123` (optionally with
  `/_history/2`): the entry whose fullUrl is that URL;
- a relative reference, `Patient/123`: relative to the base of the referring
  entry's fullUrl when that is an absolute RESTful URL, so that
  `https://server/fhir/Condition/9` referring to `Patient/123` means
  `https://server/fhir/Patient/123`; otherwise the entry with that type and id,
  else a resource on the receiving server (JoinedUp's own person id);
- a local reference, `#gp`, to a resource contained in the referring resource.

Every entry is indexed under canonical keys (`index_entry`), and every reference
is turned into the keys to try in order (`reference_keys`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# [base/]Type/id[/_history/version], Type and id as the R4 datatypes define them.
_RESTFUL = re.compile(
    r"^(?:(?P<base>[a-zA-Z][a-zA-Z0-9+.-]*://[^?#]+?)/)?"
    r"(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})"
    r"(?:/_history/[A-Za-z0-9\-.]{1,64})?$"
)


@dataclass(frozen=True)
class Parsed:
    base: str | None  # "https://server/fhir", None for a relative reference
    type: str
    id: str


def parse(reference: str) -> Parsed | None:
    """A RESTful reference split into base, type and id; None for anything else
    (a urn, a local reference, a conditional reference, a search)."""
    match = _RESTFUL.match(reference.strip())
    if match is None:
        return None
    base = match["base"]
    if base is not None:
        scheme, _, rest = base.partition("://")
        host, _, path = rest.partition("/")
        base = f"{scheme.lower()}://{host.lower()}" + (f"/{path}" if path else "")
        base = base.rstrip("/")
    return Parsed(base, match["type"], match["id"])


def _absolute(base: str, rtype: str, rid: str) -> str:
    return f"{base}/{rtype}/{rid}"


def entry_keys(full_url: str, resource: dict[str, Any]) -> list[str]:
    """The keys an entry is found by: its fullUrl (canonical), and its type and
    id ("rel:Patient/123") for references relative to this bundle."""
    keys: list[str] = []
    full_url = full_url.strip()
    rtype = str(resource.get("resourceType") or "")
    rid = resource.get("id")
    if full_url.startswith(("urn:uuid:", "urn:oid:")):
        keys.append(full_url.lower())
    elif full_url:
        parsed = parse(full_url)
        if parsed is not None and parsed.base is not None:
            keys.append(_absolute(parsed.base, parsed.type, parsed.id))
        elif full_url:
            keys.append(full_url)
    if isinstance(rid, str) and rid and rtype:
        keys.append(f"rel:{rtype}/{rid}")
    return keys


def reference_keys(reference: str, referring_full_url: str = "") -> list[str]:
    """The keys to look a reference up by, best first."""
    reference = reference.strip()
    if reference.startswith(("urn:uuid:", "urn:oid:")):
        return [reference.lower()]
    parsed = parse(reference)
    if parsed is None:
        return [reference] if reference else []
    if parsed.base is not None:
        return [_absolute(parsed.base, parsed.type, parsed.id)]
    keys = []
    referring = parse(referring_full_url) if referring_full_url else None
    if referring is not None and referring.base is not None:
        keys.append(_absolute(referring.base, parsed.type, parsed.id))
    keys.append(f"rel:{parsed.type}/{parsed.id}")
    return keys


def on_this_server(reference: str, referring_full_url: str = "") -> str | None:
    """The id on the receiving server (JoinedUp) a relative reference names when
    no entry of the bundle matches it: only for a relative reference whose
    referring entry does not come from another server (an absolute fullUrl)."""
    parsed = parse(reference)
    if parsed is None or parsed.base is not None:
        return None
    referring = parse(referring_full_url) if referring_full_url else None
    if referring is not None and referring.base is not None:
        return None  # relative to the other server's base
    return parsed.id


def _base_of(full_url: str) -> str | None:
    parsed = parse(full_url) if full_url else None
    return parsed.base if parsed is not None else None


@dataclass
class Index:
    """The resources of one bundle by key (see `entry_keys`), with the server
    base each came from (None: a urn or no fullUrl)."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    bases: dict[str, str | None] = field(default_factory=dict)

    def add(self, full_url: str, resource: dict[str, Any]) -> None:
        base = _base_of(full_url.strip())
        for key in entry_keys(full_url, resource):
            if key not in self.resources:
                self.resources[key] = resource
                self.bases[key] = base

    def key_for(self, reference: str, referring_full_url: str = "") -> str | None:
        """The key of the entry a (non-local) reference points to, if any: a
        relative reference from an entry of one server never finds an entry of
        another."""
        referring_base = _base_of(referring_full_url.strip())
        for key in reference_keys(reference, referring_full_url):
            if key not in self.resources:
                continue
            elsewhere = self.bases[key] not in (None, referring_base)
            if key.startswith("rel:") and referring_base is not None and elsewhere:
                continue
            return key
        return None

    def resolve(
        self,
        reference: str,
        *,
        referring: dict[str, Any] | None = None,
        referring_full_url: str = "",
    ) -> dict[str, Any] | None:
        """The resource a reference points to: contained in the referring
        resource ("#id") or an entry of the bundle; None when not in the bundle."""
        if reference.startswith("#"):
            for contained in (referring or {}).get("contained") or []:
                if isinstance(contained, dict) and contained.get("id") == reference[1:]:
                    return contained
            return None
        key = self.key_for(reference, referring_full_url)
        return self.resources[key] if key is not None else None
