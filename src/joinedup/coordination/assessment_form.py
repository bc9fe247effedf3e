"""The single shared assessment form: its sections and questions, as plain data.

One form across health and social care (issue 7): About me (PRSB), the Care Act
outcomes (DESIGN 4.4, SI 2015/313) with the needs-from-impairment and wellbeing
questions, health conditions and medication, mental health, cognition and
communication, mobility and falls, carers and family, housing, finances and
risks. Each section belongs to one access category: reading or completing it
needs that category (DESIGN 2, the access policy). The FHIR Questionnaire is
built from this data, so the web form, the REST API and FHIR agree.

`answers_clean` is pure: it validates submitted answers and names the question
at fault."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from joinedup.coordination.eligibility import ADULT_OUTCOMES, CARER_OUTCOMES, REASONS
from joinedup.errors import InvalidInput

ADULT = "adult"
CARER = "carer"
KINDS = {ADULT: "Adult needs assessment", CARER: "Carer's assessment"}

TEXT = "text"
BOOLEAN = "boolean"
CHOICE = "choice"
MULTI = "multi"  # several choices; none chosen is a valid answer
INTEGER = "integer"

TEXT_MAX = 4000


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    type: str
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    required: bool = False

    def option_label(self, value: str) -> str:
        return dict(self.options).get(value, value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    category: str
    questions: tuple[Question, ...]
    description: str = ""

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


_REASON_OPTIONS = tuple(REASONS.items())
OUTCOMES_SECTION = "care_act_outcomes"
OUTCOME_PREFIX = "outcome_"
YES_NO = (("yes", "Yes"), ("no", "No"))


def _outcome_questions(outcomes: Mapping[str, str]) -> tuple[Question, ...]:
    return tuple(
        Question(
            f"{OUTCOME_PREFIX}{key}",
            description[:1].upper() + description[1:],
            MULTI,
            _REASON_OPTIONS,
            hint="Tick each reason the outcome cannot be achieved; tick none if "
            "it can be achieved.",
        )
        for key, description in outcomes.items()
    )


_ADULT_OUTCOMES_SECTION = Section(
    OUTCOMES_SECTION,
    "Care Act outcomes",
    "social_care",
    (
        Question(
            "needs_from_impairment_or_illness",
            "Do the needs arise from a physical or mental impairment or illness?",
            BOOLEAN,
            required=True,
        ),
        *_outcome_questions(ADULT_OUTCOMES),
        Question(
            "significant_impact_on_wellbeing",
            "As a result, is there, or is there likely to be, a significant impact "
            "on wellbeing?",
            BOOLEAN,
            required=True,
        ),
        Question("wellbeing_impact", "How is wellbeing affected?", TEXT),
    ),
    "The outcomes of the Care and Support (Eligibility Criteria) Regulations 2015.",
)
_CARER_OUTCOMES_SECTION = Section(
    OUTCOMES_SECTION,
    "Carer's outcomes",
    "social_care",
    (
        Question(
            "needs_from_necessary_care",
            "Do the carer's needs arise from providing necessary care?",
            BOOLEAN,
            required=True,
        ),
        Question(
            "health_deteriorating",
            "Is the carer's physical or mental health deteriorating, or at risk of "
            "deteriorating?",
            BOOLEAN,
            required=True,
        ),
        *_outcome_questions(CARER_OUTCOMES),
        Question(
            "significant_impact_on_wellbeing",
            "As a result, is there, or is there likely to be, a significant impact "
            "on the carer's wellbeing?",
            BOOLEAN,
            required=True,
        ),
        Question("wellbeing_impact", "How is wellbeing affected?", TEXT),
    ),
    "The carers' outcomes of the Care and Support (Eligibility Criteria) "
    "Regulations 2015.",
)

_COMMON_BEFORE = (
    Section(
        "about_me",
        "About me",
        "demographics",
        (
            Question("what_matters_to_me", "What matters to me", TEXT),
            Question("people_important_to_me", "People who are important to me", TEXT),
            Question(
                "how_to_communicate_with_me", "How best to communicate with me", TEXT
            ),
            Question("daily_routine", "My daily routine", TEXT),
        ),
        "In the person's own words (PRSB About me).",
    ),
)
_COMMON_AFTER = (
    Section(
        "health_conditions",
        "Health conditions and medication",
        "health",
        (
            Question("conditions", "Health conditions", TEXT, hint="One per line"),
            Question("medications", "Current medication", TEXT, hint="One per line"),
            Question("allergies", "Allergies and reactions", TEXT),
        ),
    ),
    Section(
        "mental_health",
        "Mental health",
        "mental_health",
        (
            Question("mental_health_conditions", "Mental health conditions", TEXT),
            Question(
                "mental_health_services",
                "Contact with mental health services",
                TEXT,
            ),
            Question("mental_health_needs", "Support needed with mental health", TEXT),
        ),
    ),
    Section(
        "cognition_communication",
        "Cognition and communication",
        "health",
        (
            Question("memory_cognition", "Memory and cognition", TEXT),
            Question(
                "mental_capacity_concern", "Any concern about mental capacity?", BOOLEAN
            ),
            Question("communication_needs", "Communication needs", TEXT),
        ),
    ),
    Section(
        "mobility_falls",
        "Mobility and falls",
        "health",
        (
            Question("falls_last_year", "Falls in the last 12 months", INTEGER),
            Question("mobility", "Mobility and moving around", TEXT),
            Question("equipment", "Equipment used or needed", TEXT),
        ),
    ),
    Section(
        "carers_family",
        "Carers and family",
        "social_care",
        (
            Question("has_carer", "Does someone provide unpaid care?", BOOLEAN),
            Question("carer_details", "Who provides care, and how much", TEXT),
            Question("people_important", "Family and people who are important", TEXT),
        ),
    ),
    Section(
        "housing",
        "Housing",
        "social_care",
        (
            Question(
                "housing_type",
                "Where the person lives",
                CHOICE,
                (
                    ("owner", "Own home (owner-occupier)"),
                    ("private_rented", "Private rented"),
                    ("social_rented", "Council or housing association"),
                    ("with_family", "With family"),
                    ("supported", "Supported or sheltered housing"),
                    ("care_home", "Care home"),
                    ("no_fixed_abode", "No fixed abode"),
                ),
            ),
            Question("home_address", "Home address", TEXT),
            Question(
                "housing_needs", "Problems with the home or adaptations needed", TEXT
            ),
        ),
    ),
    Section(
        "finances",
        "Finances",
        "finance",
        (
            Question("receives_benefits", "Receives welfare benefits?", BOOLEAN),
            Question(
                "capital_above_upper_limit",
                "Savings and capital above the upper capital limit?",
                CHOICE,
                (("yes", "Yes"), ("no", "No"), ("not_known", "Not known")),
            ),
            Question("finance_notes", "Notes for the financial assessment", TEXT),
        ),
        "For the means test later.",
    ),
    Section(
        "risks",
        "Risks",
        "social_care",
        (
            Question("risks", "Risks to the person", TEXT),
            Question("risk_to_others", "Is there a risk to others?", BOOLEAN),
            Question("risk_plan", "How the risks are managed", TEXT),
        ),
    ),
)

SECTIONS: dict[str, tuple[Section, ...]] = {
    ADULT: (*_COMMON_BEFORE, _ADULT_OUTCOMES_SECTION, *_COMMON_AFTER),
    CARER: (*_COMMON_BEFORE, _CARER_OUTCOMES_SECTION, *_COMMON_AFTER),
}


def sections_for(kind: str) -> tuple[Section, ...]:
    if kind not in SECTIONS:
        raise InvalidInput.for_field("kind", f"choose one of: {', '.join(KINDS)}")
    return SECTIONS[kind]


def section_get(kind: str, key: str) -> Section:
    for section in sections_for(kind):
        if section.key == key:
            return section
    keys = ", ".join(s.key for s in sections_for(kind))
    raise InvalidInput.for_field("section", f"unknown section {key!r}; one of: {keys}")


def _clean_one(q: Question, raw: object) -> object:
    """One answer in its stored form; None when not answered."""
    if q.type == MULTI:
        values = (
            raw
            if isinstance(raw, list | tuple)
            else ([] if raw in (None, "") else [raw])
        )
        chosen = [str(v) for v in values]
        bad = [v for v in chosen if v not in dict(q.options)]
        if bad:
            raise InvalidInput.for_field(
                q.key,
                f"unknown choice {bad[0][:40]!r}; choose from "
                + ", ".join(k for k, _ in q.options),
            )
        return list(dict.fromkeys(chosen))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if q.type == TEXT:
        if not isinstance(raw, str):
            raise InvalidInput.for_field(q.key, "must be text")
        text = raw.strip().replace("\r\n", "\n")
        if len(text) > TEXT_MAX:
            raise InvalidInput.for_field(
                q.key, f"must be {TEXT_MAX} characters or fewer"
            )
        return text
    if q.type == BOOLEAN:
        if isinstance(raw, bool):
            return raw
        value = str(raw).strip().lower()
        if value in ("yes", "true"):
            return True
        if value in ("no", "false"):
            return False
        raise InvalidInput.for_field(q.key, "answer yes or no")
    if q.type == CHOICE:
        value = str(raw)
        if value not in dict(q.options):
            raise InvalidInput.for_field(
                q.key, "choose one of: " + ", ".join(k for k, _ in q.options)
            )
        return value
    if q.type == INTEGER:
        if isinstance(raw, bool):
            raise InvalidInput.for_field(q.key, "must be a whole number")
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise InvalidInput.for_field(q.key, "must be a whole number") from None
        if not 0 <= number <= 1000:
            raise InvalidInput.for_field(q.key, "must be between 0 and 1000")
        return number
    raise AssertionError(f"unknown question type {q.type}")  # pragma: no cover


def answers_clean(section: Section, raw: Mapping[str, object]) -> dict[str, object]:
    """Validate a section's answers: every question answered or None (MULTI: a
    list). Unknown questions, bad values and missing required answers raise
    InvalidInput naming each question (all problems at once)."""
    errors: dict[str, str] = {}
    known = {q.key for q in section.questions}
    for key in raw:
        if key not in known:
            errors[key] = f"is not a question of the section {section.title!r}"
    cleaned: dict[str, object] = {}
    for q in section.questions:
        try:
            cleaned[q.key] = _clean_one(q, raw.get(q.key))
        except InvalidInput as exc:
            errors.update(exc.fields)
            continue
        if q.required and cleaned[q.key] is None:
            errors[q.key] = "answer this question"
    if not errors and all(v in (None, []) for v in cleaned.values()):
        errors["answers"] = "answer at least one question"
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    return cleaned


def outcomes_of(answers: Mapping[str, object]) -> dict[str, list[str]]:
    """The Care Act outcomes answers as the eligibility module takes them."""
    return {
        key.removeprefix(OUTCOME_PREFIX): list(value or [])  # type: ignore[call-overload]
        for key, value in answers.items()
        if key.startswith(OUTCOME_PREFIX)
    }


def answer_display(q: Question, value: object) -> str:
    """An answer in words, for pages and FHIR text."""
    if value is None:
        return "Not answered"
    if q.type == BOOLEAN:
        return "Yes" if value else "No"
    if q.type == CHOICE:
        return q.option_label(str(value))
    if q.type == MULTI:
        chosen = list(value)  # type: ignore[call-overload]
        if not chosen:
            return "Can be achieved" if q.key.startswith(OUTCOME_PREFIX) else "None"
        return "; ".join(q.option_label(v) for v in chosen)
    return str(value)
