"""Pre-filling the shared assessment: every answer already known is offered with
where it came from ("from GP system, 3 March 2026; confirm or change"), so the
person is asked only what is new (issue 7). Pure functions over plain facts (no
database): the selectors gather the facts the actor may read.

Sources, most authoritative first for each question:
1. the shared record's events (diagnoses, medication, falls, mental health
   contacts), as each source system recorded them;
2. the person's "About me" (PRSB), in their own words;
3. the previous assessment's answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from joinedup.coordination.assessment_form import MULTI, TEXT, Section

RECORD = "record"
ABOUT_ME = "about_me"
PREVIOUS = "previous_assessment"

CONFIRMED = "confirmed"  # the professional kept the pre-filled answer
CHANGED = "changed"  # the professional changed the pre-filled answer
NEW = "new"  # nothing was known: the professional entered it

# Words in a diagnosis that make it relevant to memory and cognition.
COGNITION_WORDS = ("dementia", "alzheimer", "cognitive", "memory", "delirium")
MEDICATION_WINDOW_DAYS = 365
FALLS_WINDOW_DAYS = 365
MENTAL_HEALTH_CONTACT_WINDOW_DAYS = 365


@dataclass(frozen=True)
class RecordFact:
    """One event of the shared record, as far as pre-filling needs it."""

    kind: str  # record EventKind: diagnosis, medication, fall, ...
    category: str
    occurred_on: dt.date
    text: str  # the diagnosis or the medicine
    source: str  # the source system's name
    course: str = ""  # medication: new, repeat or acute


@dataclass(frozen=True)
class AboutMeFact:
    answers: Mapping[str, str]  # AboutMe heading key -> text
    updated_on: dt.date


@dataclass(frozen=True)
class PreviousSection:
    answers: Mapping[str, object]
    completed_on: dt.date


@dataclass(frozen=True)
class Prefill:
    value: object
    origin: str  # RECORD, ABOUT_ME or PREVIOUS
    source: str  # in words: "GP system", "About me", "previous assessment"
    on: dt.date

    @property
    def text(self) -> str:
        return f"from {self.source}, {date_words(self.on)}; confirm or change"

    def provenance(self, status: str) -> dict[str, str]:
        return {
            "origin": self.origin,
            "source": self.source,
            "on": self.on.isoformat(),
            "status": status,
        }


def date_words(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _sources(facts: Sequence[RecordFact]) -> str:
    """The source systems, the one with the newest fact first."""
    newest_first = sorted(facts, key=lambda f: f.occurred_on, reverse=True)
    return " and ".join(dict.fromkeys(f.source for f in newest_first))


def _from_facts(facts: Sequence[RecordFact], value: object) -> Prefill:
    newest = max(facts, key=lambda f: f.occurred_on)
    return Prefill(value, RECORD, _sources(facts), newest.occurred_on)


def _distinct_lines(facts: Iterable[RecordFact]) -> str:
    newest_first = sorted(facts, key=lambda f: f.occurred_on, reverse=True)
    return "\n".join(dict.fromkeys(f.text for f in newest_first if f.text))


def record_prefill(
    facts: Sequence[RecordFact], *, today: dt.date
) -> dict[str, dict[str, Prefill]]:
    """What the record says, per section key and question key."""
    out: dict[str, dict[str, Prefill]] = {}

    def put(section: str, question: str, chosen: list[RecordFact], value: object):
        if chosen and value not in (None, ""):
            out.setdefault(section, {})[question] = _from_facts(chosen, value)

    diagnoses = [f for f in facts if f.kind == "diagnosis"]
    health = [f for f in diagnoses if f.category == "health"]
    put("health_conditions", "conditions", health, _distinct_lines(health))
    since = today - dt.timedelta(days=MEDICATION_WINDOW_DAYS)
    medicines = [
        f
        for f in facts
        if f.kind == "medication" and f.course != "acute" and f.occurred_on >= since
    ]
    put("health_conditions", "medications", medicines, _distinct_lines(medicines))
    mental = [f for f in diagnoses if f.category == "mental_health"]
    put("mental_health", "mental_health_conditions", mental, _distinct_lines(mental))
    since = today - dt.timedelta(days=MENTAL_HEALTH_CONTACT_WINDOW_DAYS)
    contacts = [
        f for f in facts if f.kind == "mental_health_contact" and f.occurred_on >= since
    ]
    if contacts:
        last = max(f.occurred_on for f in contacts)
        put(
            "mental_health",
            "mental_health_services",
            contacts,
            f"{len(contacts)} contacts in the last 12 months; "
            f"the last on {date_words(last)}",
        )
    cognition = [
        f for f in diagnoses if any(w in f.text.lower() for w in COGNITION_WORDS)
    ]
    put(
        "cognition_communication",
        "memory_cognition",
        cognition,
        _distinct_lines(cognition),
    )
    since = today - dt.timedelta(days=FALLS_WINDOW_DAYS)
    falls = [f for f in facts if f.kind == "fall" and f.occurred_on >= since]
    put("mobility_falls", "falls_last_year", falls, len(falls))
    return out


# About me heading -> (section, question) it pre-fills.
ABOUT_ME_TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "what_matters_to_me": (("about_me", "what_matters_to_me"),),
    "people_important_to_me": (
        ("about_me", "people_important_to_me"),
        ("carers_family", "people_important"),
    ),
    "how_to_communicate_with_me": (
        ("about_me", "how_to_communicate_with_me"),
        ("cognition_communication", "communication_needs"),
    ),
    "daily_routine": (("about_me", "daily_routine"),),
}


def about_me_prefill(about: AboutMeFact | None) -> dict[str, dict[str, Prefill]]:
    out: dict[str, dict[str, Prefill]] = {}
    if about is None:
        return out
    for heading, targets in ABOUT_ME_TARGETS.items():
        text = (about.answers.get(heading) or "").strip()
        if not text:
            continue
        for section, question in targets:
            out.setdefault(section, {})[question] = Prefill(
                text, ABOUT_ME, "About me", about.updated_on
            )
    return out


def prefill_section(
    section: Section,
    *,
    record: Mapping[str, Mapping[str, Prefill]],
    about_me: Mapping[str, Mapping[str, Prefill]],
    previous: PreviousSection | None,
    extra: Mapping[str, Prefill] | None = None,
) -> dict[str, Prefill]:
    """The pre-filled answers of one section: record first, then About me, then
    `extra` (e.g. the address held in the person index), then the previous
    assessment."""
    found: dict[str, Prefill] = {}
    for q in section.questions:
        for source in (
            record.get(section.key, {}),
            about_me.get(section.key, {}),
            extra or {},
        ):
            if q.key in source:
                found[q.key] = source[q.key]
                break
        else:
            if previous is not None:
                value = previous.answers.get(q.key)
                if value not in (None, "", []):
                    found[q.key] = Prefill(
                        value, PREVIOUS, "previous assessment", previous.completed_on
                    )
    return found


def _same(a: object, b: object, qtype: str) -> bool:
    if qtype == TEXT:
        return " ".join(str(a or "").split()) == " ".join(str(b or "").split())
    if qtype == MULTI:
        return sorted(a or []) == sorted(b or [])  # type: ignore[call-overload]
    return a == b


def provenance_of(
    section: Section,
    answers: Mapping[str, object],
    prefilled: Mapping[str, Prefill],
) -> dict[str, dict[str, str]]:
    """Per answered question, where the answer came from: a pre-filled answer
    kept is CONFIRMED (with its source and date), one changed is CHANGED (with
    what it changed), otherwise NEW."""
    out: dict[str, dict[str, str]] = {}
    for q in section.questions:
        value = answers.get(q.key)
        pre = prefilled.get(q.key)
        if pre is not None:
            status = CONFIRMED if _same(value, pre.value, q.type) else CHANGED
            out[q.key] = pre.provenance(status)
        elif value not in (None, "", []):
            out[q.key] = {"origin": "", "source": "", "on": "", "status": NEW}
    return out


def provenance_words(p: Mapping[str, str] | None) -> str:
    """A stored provenance in words, for pages and FHIR."""
    if not p or p.get("status") == NEW:
        return "Entered at this assessment"
    on = dt.date.fromisoformat(p["on"]) if p.get("on") else None
    when = f", {date_words(on)}" if on else ""
    if p.get("status") == CONFIRMED:
        return f"Confirmed from {p.get('source', '')}{when}"
    return f"Changed from what {p.get('source', '')} said{when}"
