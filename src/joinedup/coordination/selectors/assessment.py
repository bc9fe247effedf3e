"""Reads of shared assessments. Each section is read only when the access policy
lets the actor read its category (DESIGN 2): health sections need `health`,
mental health `mental_health`, finances `finance`, the Care Act outcomes
`social_care`. Where an objection limits a category to the actor's own
organisation, only sections their organisation completed are shown, and only
their organisation's records pre-fill.

Functions taking `access` (an opened record, already audited) leave no audit
entry of their own; those taking `actor` open the record (one audit entry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from joinedup.coordination import assessment_form as form
from joinedup.coordination import prefill as pf
from joinedup.coordination.eligibility import (
    Eligibility,
    adult_eligibility,
    carer_eligibility,
)
from joinedup.coordination.models import Assessment, AssessmentSection
from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.access import Actor, Scope
from joinedup.people.selectors import PersonAccess, person_access_open
from joinedup.record.models import Event, EventKind

PREFILL_KINDS = (
    EventKind.DIAGNOSIS,
    EventKind.MEDICATION,
    EventKind.FALL,
    EventKind.MENTAL_HEALTH_CONTACT,
)
PREFILL_EVENTS_MAX = 500


@dataclass(frozen=True)
class AnswerRow:
    question: form.Question
    value: object
    display: str
    provenance: str


@dataclass
class SectionView:
    section: form.Section
    readable: bool
    reason: str = ""  # why it is not shown
    current: AssessmentSection | None = None
    history: list[AssessmentSection] = field(default_factory=list)  # newest first

    @property
    def completed(self) -> bool:
        return self.current is not None

    @property
    def rows(self) -> list[AnswerRow]:
        if self.current is None:
            return []
        return answer_rows(self.section, self.current)


def answer_rows(section: form.Section, row: AssessmentSection) -> list[AnswerRow]:
    return [
        AnswerRow(
            q,
            row.answers.get(q.key),
            form.answer_display(q, row.answers.get(q.key)),
            pf.provenance_words(row.provenance.get(q.key))
            if row.answers.get(q.key) not in (None, "", [])
            else "",
        )
        for q in section.questions
    ]


@dataclass
class AssessmentView:
    access: PersonAccess
    assessment: Assessment
    sections: list[SectionView]

    def section(self, key: str) -> SectionView:
        for s in self.sections:
            if s.section.key == key:
                return s
        raise NotFound(
            f"section: this assessment has no section {key!r}",
            fields={"section": "no such section"},
        )

    @property
    def completed_count(self) -> int:
        return sum(1 for s in self.sections if s.completed)

    @property
    def eligibility(self) -> Eligibility | None:
        return assessment_eligibility(self)


def section_visibility(access: PersonAccess, category: str) -> tuple[bool, bool, str]:
    """(may read, only own organisation's, reason when not)."""
    decision = access.decisions.get(category)
    if decision is None or not decision.allowed:
        reason = decision.reason if decision else f"unknown category {category}"
        return False, False, reason
    return True, decision.scope == Scope.OWN_ORGANISATION, ""


def assessment_view_get(
    *, access: PersonAccess, assessment: Assessment
) -> AssessmentView:
    """Every section of the assessment with what the actor may read of it (two
    queries)."""
    rows = list(
        AssessmentSection.objects.select_related(
            "completed_by", "completed_by_organisation"
        )
        .filter(assessment=assessment)
        .order_by("key", "-completed_at", "-id")
    )
    views = []
    for section in form.sections_for(assessment.kind):
        readable, own_only, reason = section_visibility(access, section.category)
        if not readable:
            views.append(SectionView(section, False, reason))
            continue
        mine = [
            r
            for r in rows
            if r.key == section.key
            and (
                not own_only
                or r.completed_by_organisation_id == access.actor.organisation_id
            )
        ]
        current = next((r for r in mine if r.is_current), None)
        if own_only and current is None and any(r.key == section.key for r in rows):
            views.append(
                SectionView(
                    section,
                    False,
                    f"the person objects to sharing {section.category} with your "
                    "organisation: only your organisation's own answers are shown",
                )
            )
            continue
        views.append(
            SectionView(
                section,
                True,
                current=current,
                history=[r for r in mine if not r.is_current],
            )
        )
    return AssessmentView(access, assessment, views)


def assessments_for_person(*, access: PersonAccess) -> list[Assessment]:
    """The person's assessments, newest first, with how many sections are done."""
    from django.db.models import Count

    return list(
        Assessment.objects.select_related("started_by", "started_by_organisation")
        .filter(person_id=access.person.pk)
        .annotate(sections_done=Count("sections", filter=Q(sections__is_current=True)))
        .order_by("-started_at", "-id")
    )


def assessment_person_id(*, assessment_id: int) -> int:
    person_id = (
        Assessment.objects.filter(pk=assessment_id)
        .values_list("person_id", flat=True)
        .first()
    )
    if person_id is None:
        raise NotFound(
            f"assessment: there is no assessment with id {assessment_id}",
            fields={"assessment": "no such assessment"},
        )
    return person_id


def assessment_kind(*, assessment_id: int) -> str:
    """The kind of an assessment (which form it uses): no person data, so not
    audited; reading the assessment itself goes through `assessment_open`."""
    kind = (
        Assessment.objects.filter(pk=assessment_id)
        .values_list("kind", flat=True)
        .first()
    )
    if kind is None:
        raise NotFound(
            f"assessment: there is no assessment with id {assessment_id}",
            fields={"assessment": "no such assessment"},
        )
    return kind


def assessment_open(
    *, actor: Actor, assessment_id: int, action: str
) -> tuple[PersonAccess, Assessment]:
    """Open the person's record for an assessment (one audit entry)."""
    person_id = assessment_person_id(assessment_id=assessment_id)
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    assessment = Assessment.objects.select_related(
        "started_by", "started_by_organisation"
    ).get(pk=assessment_id)
    return access, assessment


def assessment_get(*, actor: Actor, assessment_id: int) -> AssessmentView:
    access, assessment = assessment_open(
        actor=actor, assessment_id=assessment_id, action="view_assessment"
    )
    return assessment_view_get(access=access, assessment=assessment)


# --- Pre-filling ------------------------------------------------------------------


def _record_facts(access: PersonAccess) -> list[pf.RecordFact]:
    """The events that pre-fill, in the categories the actor may read (their own
    organisation's only, where an objection limits a category)."""
    actor = access.actor
    events = Event.objects.filter(
        Q(category__in=access.full_categories)
        | Q(
            category__in=access.own_organisation_categories,
            organisation_id=actor.organisation_id,
        ),
        person_id=access.person.pk,
        kind__in=PREFILL_KINDS,
    ).order_by("-occurred_at", "-id")[:PREFILL_EVENTS_MAX]
    tz = timezone.get_current_timezone()
    facts = []
    for (
        kind,
        category,
        occurred_at,
        display,
        detail,
        summary,
        source,
    ) in events.values_list(
        "kind",
        "category",
        "occurred_at",
        "code_display",
        "detail",
        "summary",
        "source_system__name",
    ):
        detail = detail or {}
        if kind == EventKind.MEDICATION:
            text = str(detail.get("medication") or summary)
        else:
            text = display or summary.removeprefix("Diagnosis recorded: ")
        facts.append(
            pf.RecordFact(
                kind=kind,
                category=category,
                occurred_on=occurred_at.astimezone(tz).date(),
                text=text,
                source=source,
                course=str(detail.get("course", "")),
            )
        )
    return facts


def _about_me(access: PersonAccess) -> pf.AboutMeFact | None:
    about = getattr(access.person, "about_me", None)
    if about is None:
        return None
    return pf.AboutMeFact(
        answers={key: getattr(about, key) for key, _ in about.HEADINGS},
        updated_on=timezone.localtime(about.updated_at).date(),
    )


def _previous_sections(
    access: PersonAccess, assessment: Assessment
) -> dict[str, pf.PreviousSection]:
    """The current answers of the person's previous assessment that the actor may
    read (same rules as showing them)."""
    if assessment.previous_id is None:
        return {}
    previous = Assessment.objects.get(pk=assessment.previous_id)
    view = assessment_view_get(access=access, assessment=previous)
    return {
        s.section.key: pf.PreviousSection(
            answers=s.current.answers,
            completed_on=timezone.localtime(s.current.completed_at).date(),
        )
        for s in view.sections
        if s.readable and s.current is not None
    }


@dataclass(frozen=True)
class PrefillSources:
    record: dict[str, dict[str, pf.Prefill]]
    about_me: dict[str, dict[str, pf.Prefill]]
    previous: dict[str, pf.PreviousSection]
    extra: dict[str, dict[str, pf.Prefill]]

    def section(self, section: form.Section) -> dict[str, pf.Prefill]:
        return pf.prefill_section(
            section,
            record=self.record,
            about_me=self.about_me,
            previous=self.previous.get(section.key),
            extra=self.extra.get(section.key),
        )


def prefill_sources_get(
    *, access: PersonAccess, assessment: Assessment, today: dt.date | None = None
) -> PrefillSources:
    """Everything already known that may pre-fill the assessment (a few queries)."""
    today = today or timezone.localdate()
    person = access.person
    extra: dict[str, dict[str, pf.Prefill]] = {}
    if person.address_line:
        address = ", ".join(p for p in (person.address_line, person.postcode) if p)
        extra["housing"] = {
            "home_address": pf.Prefill(
                address,
                pf.RECORD,
                "the person index",
                timezone.localtime(person.updated_at).date(),
            )
        }
    return PrefillSources(
        record=pf.record_prefill(_record_facts(access), today=today),
        about_me=pf.about_me_prefill(_about_me(access)),
        previous=_previous_sections(access, assessment),
        extra=extra,
    )


def section_prefill_get(
    *, access: PersonAccess, assessment: Assessment, section_key: str
) -> dict[str, pf.Prefill]:
    section = form.section_get(assessment.kind, section_key)
    readable, _, _reason = section_visibility(access, section.category)
    if not readable:
        return {}
    return prefill_sources_get(access=access, assessment=assessment).section(section)


# --- Eligibility --------------------------------------------------------------


def assessment_eligibility(view: AssessmentView) -> Eligibility | None:
    """The Care Act determination (DESIGN 4.4) from the completed outcomes
    section; None while it is not completed or not readable."""
    try:
        outcomes = view.section(form.OUTCOMES_SECTION)
    except NotFound:
        return None
    if not outcomes.readable or outcomes.current is None:
        return None
    return eligibility_of(view.assessment.kind, outcomes.current.answers)


def eligibility_of(kind: str, answers: dict[str, object]) -> Eligibility:
    chosen = form.outcomes_of(answers)
    impact = bool(answers.get("significant_impact_on_wellbeing"))
    if kind == form.CARER:
        return carer_eligibility(
            needs_from_necessary_care=bool(answers.get("needs_from_necessary_care")),
            health_deteriorating=bool(answers.get("health_deteriorating")),
            outcomes=chosen,
            significant_impact_on_wellbeing=impact,
        )
    if kind != form.ADULT:
        raise InvalidInput.for_field("kind", "unknown assessment kind")
    return adult_eligibility(
        needs_from_impairment_or_illness=bool(
            answers.get("needs_from_impairment_or_illness")
        ),
        outcomes=chosen,
        significant_impact_on_wellbeing=impact,
    )


def assessment_views_for_person(
    *, actor: Actor, person_id: int, action: str
) -> list[AssessmentView]:
    """Every assessment of the person, newest first, each with what the actor may
    read of it (one audit entry: the record opened)."""
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    return [
        assessment_view_get(access=access, assessment=a)
        for a in assessments_for_person(access=access)
    ]
