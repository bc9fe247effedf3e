"""The single shared assessment: start one, complete a section, amend a section.

A section is completed once, by one professional (who, their organisation and
role, and when are recorded). Submitting an already-completed section again is a
Conflict; a later change is an explicit amendment, with a reason, that keeps the
earlier answer. Each answer's provenance is stored: pre-filled from the record,
About me or the previous assessment and confirmed or changed, or new."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from joinedup.coordination import assessment_form as form
from joinedup.coordination import prefill as pf
from joinedup.coordination.models import Assessment, AssessmentSection
from joinedup.coordination.selectors.assessment import (
    assessment_open,
    prefill_sources_get,
    section_visibility,
)
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.services import audit_record
from joinedup.people.selectors import PersonAccess, person_access_open

REASON_MAX = 1000


def assessment_start(*, actor: Actor, person_id: int, kind: str) -> Assessment:
    """Start a shared assessment of a person (`adult` or `carer`). One of each
    kind is in progress at a time; the person's previous assessment of the same
    kind pre-fills the new one."""
    if kind not in form.KINDS:
        raise InvalidInput.for_field("kind", f"choose one of: {', '.join(form.KINDS)}")
    access = person_access_open(
        actor=actor, person_id=person_id, action="assessment_start"
    )
    with transaction.atomic():
        # Lock the person's assessments so two starts cannot both succeed.
        existing = list(
            Assessment.objects.select_for_update()
            .filter(person_id=access.person.pk, kind=kind)
            .order_by("-started_at", "-id")
        )
        in_progress = [a for a in existing if a.completed_at is None]
        if in_progress:
            raise Conflict(
                f"This person already has an assessment of this kind in progress "
                f"({form.KINDS[kind]}, assessment {in_progress[0].pk}): continue "
                "that one.",
                fields={"kind": "one is already in progress"},
            )
        return Assessment.objects.create(
            person_id=access.person.pk,
            kind=kind,
            started_by_id=actor.user_id,
            started_by_organisation_id=actor.organisation_id,
            started_at=timezone.now(),
            previous=existing[0] if existing else None,
        )


def _section_for_write(
    access: PersonAccess, assessment: Assessment, section_key: str, action: str
) -> form.Section:
    section = form.section_get(assessment.kind, section_key)
    readable, _, reason = section_visibility(access, section.category)
    if not readable:
        audit_record(
            actor=access.actor,
            person_id=access.person.pk,
            action=action,
            category=section.category,
            decision=Decision(False, reason),
        )
        raise AccessRefused(
            f"You cannot complete the section {section.title!r}: {reason}.",
            fields={"section": f"needs access to {section.category} information"},
        )
    return section


def _completion_check(assessment: Assessment) -> None:
    """Mark the assessment completed once every section has a current answer."""
    done = set(
        AssessmentSection.objects.filter(
            assessment=assessment, is_current=True
        ).values_list("key", flat=True)
    )
    if assessment.completed_at is None and done >= {
        s.key for s in form.sections_for(assessment.kind)
    }:
        assessment.completed_at = timezone.now()
        assessment.save(update_fields=["completed_at"])


def _write(
    *,
    actor: Actor,
    access: PersonAccess,
    assessment: Assessment,
    section: form.Section,
    answers: dict[str, object],
    supersedes: AssessmentSection | None,
    reason: str = "",
) -> AssessmentSection:
    prefilled = prefill_sources_get(access=access, assessment=assessment).section(
        section
    )
    if supersedes is not None:
        # An amendment's starting point is the answer it amends.
        prefilled = {
            **prefilled,
            **{
                k: pf.Prefill(
                    v,
                    "amended",
                    "the earlier answer",
                    timezone.localtime(supersedes.completed_at).date(),
                )
                for k, v in supersedes.answers.items()
                if v not in (None, "", [])
            },
        }
    provenance = pf.provenance_of(section, answers, prefilled)
    if supersedes is not None:
        # Keep the original provenance of answers the amendment did not change.
        for key, p in provenance.items():
            if p.get("origin") == "amended" and p["status"] == pf.CONFIRMED:
                provenance[key] = supersedes.provenance.get(key, p)
        supersedes.is_current = False
        supersedes.save(update_fields=["is_current"])
    try:
        with transaction.atomic():
            row = AssessmentSection.objects.create(
                assessment=assessment,
                key=section.key,
                answers=answers,
                provenance=provenance,
                completed_by_id=actor.user_id,
                completed_by_organisation_id=actor.organisation_id,
                completed_by_role=actor.role,
                completed_at=timezone.now(),
                supersedes=supersedes,
                amendment_reason=reason,
                is_current=True,
            )
    except IntegrityError:
        raise Conflict(
            f"The section {section.title!r} was completed by someone else a moment "
            "ago: open it again to see their answers, then amend it if needed.",
            fields={"section": "already completed"},
        ) from None
    _completion_check(assessment)
    return row


def assessment_section_complete(
    *,
    actor: Actor,
    assessment_id: int,
    section_key: str,
    answers: Mapping[str, object],
) -> AssessmentSection:
    """Complete one section (once). Answers equal to the pre-filled ones are
    recorded as confirmed from their source; others as changed or new."""
    access, assessment = assessment_open(
        actor=actor, assessment_id=assessment_id, action="assessment_section_complete"
    )
    section = _section_for_write(
        access, assessment, section_key, "assessment_section_complete"
    )
    cleaned = form.answers_clean(section, answers)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        current = (
            AssessmentSection.objects.select_related("completed_by_organisation")
            .filter(assessment=assessment, key=section.key, is_current=True)
            .first()
        )
        if current is not None:
            raise Conflict(
                f"The section {section.title!r} was already completed on "
                f"{pf.date_words(timezone.localtime(current.completed_at).date())} by "
                f"a {current.get_completed_by_role_display().lower()} at "
                f"{current.completed_by_organisation.name}. To change it, amend it "
                "and say why.",
                fields={"section": "already completed: amend it instead"},
            )
        return _write(
            actor=actor,
            access=access,
            assessment=assessment,
            section=section,
            answers=cleaned,
            supersedes=None,
        )


def assessment_section_amend(
    *,
    actor: Actor,
    assessment_id: int,
    section_key: str,
    answers: Mapping[str, object],
    reason: str,
) -> AssessmentSection:
    """Amend a completed section: a new answer that supersedes the current one,
    which is kept (with who completed it) as history."""
    reason = (reason or "").strip()
    access, assessment = assessment_open(
        actor=actor, assessment_id=assessment_id, action="assessment_section_amend"
    )
    section = _section_for_write(
        access, assessment, section_key, "assessment_section_amend"
    )
    errors: dict[str, str] = {}
    try:
        cleaned = form.answers_clean(section, answers)
    except InvalidInput as exc:
        errors.update(exc.fields)
    if not reason:
        errors["reason"] = "say why the section is being amended"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"must be {REASON_MAX} characters or fewer"
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        current = (
            AssessmentSection.objects.select_for_update()
            .filter(assessment=assessment, key=section.key, is_current=True)
            .first()
        )
        if current is None:
            raise Conflict(
                f"The section {section.title!r} has not been completed yet: "
                "complete it first.",
                fields={"section": "not completed yet"},
            )
        return _write(
            actor=actor,
            access=access,
            assessment=assessment,
            section=section,
            answers=cleaned,
            supersedes=current,
            reason=reason,
        )
