"""The person index: one Person per real person, with identifiers from every source
system, names and addresses with their history, and "About me"."""

from __future__ import annotations

import datetime as dt

from django.db import models

from joinedup.governance.models import Organisation
from joinedup.people.nhs_number import nhs_number_format


class Sex(models.TextChoices):
    # FHIR administrative gender, as UK Core Patient.gender.
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class NhsNumberStatus(models.TextChoices):
    """UK Core NHS Number Verification Status (England)."""

    VERIFIED = "01", "Number present and verified"
    NOT_TRACED = "02", "Number present but not traced"
    TRACE_REQUIRED = "03", "Trace required"
    TRACE_NO_MATCH = "04", "Trace attempted - no match or multiple match found"
    TRACE_TO_RESOLVE = (
        "05",
        "Trace needs to be resolved (NHS number or patient detail conflict)",
    )
    TRACE_IN_PROGRESS = "06", "Trace in progress"
    NOT_PRESENT = "07", "Number not present and trace not required"
    TRACE_POSTPONED = "08", "Trace postponed (baby under six weeks old)"


class EthnicCategory(models.TextChoices):
    """NHS Data Dictionary ETHNIC CATEGORY (2001 census groups), as UK Core's
    UKCore-EthnicCategoryEngland code system. Blank when not recorded."""

    WHITE_BRITISH = "A", "White - British"
    WHITE_IRISH = "B", "White - Irish"
    WHITE_OTHER = "C", "White - Any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed - White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed - White and Black African"
    MIXED_WHITE_ASIAN = "F", "Mixed - White and Asian"
    MIXED_OTHER = "G", "Mixed - Any other mixed background"
    ASIAN_INDIAN = "H", "Asian or Asian British - Indian"
    ASIAN_PAKISTANI = "J", "Asian or Asian British - Pakistani"
    ASIAN_BANGLADESHI = "K", "Asian or Asian British - Bangladeshi"
    ASIAN_OTHER = "L", "Asian or Asian British - Any other Asian background"
    BLACK_CARIBBEAN = "M", "Black or Black British - Caribbean"
    BLACK_AFRICAN = "N", "Black or Black British - African"
    BLACK_OTHER = "P", "Black or Black British - Any other Black background"
    CHINESE = "R", "Other Ethnic Groups - Chinese"
    OTHER = "S", "Other Ethnic Groups - Any other ethnic group"
    NOT_STATED = "Z", "Not stated"
    NOT_KNOWN = "99", "Not known"


def normalise_name(value: str) -> str:
    """The form names are searched in: upper case, no punctuation or extra spaces."""
    kept = "".join(ch for ch in value.upper() if ch.isalnum() or ch in " '-")
    return " ".join(kept.replace("-", " ").replace("'", "").split())


class Person(models.Model):
    """The current view of a person. Current name, address and NHS number are kept
    here for search and display; their history is in PersonName and Address."""

    # NULL, not "", when unknown: many people share "no NHS number".
    nhs_number = models.CharField(  # noqa: DJ001
        max_length=10, null=True, blank=True, db_index=True
    )
    nhs_number_status = models.CharField(
        max_length=2,
        choices=NhsNumberStatus.choices,
        default=NhsNumberStatus.TRACE_REQUIRED,
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    given_name_norm = models.CharField(max_length=100, editable=False)
    family_name_norm = models.CharField(max_length=100, editable=False)
    birth_date = models.DateField(db_index=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(max_length=60, blank=True)
    # A database default too: bulk loads (COPY) leave the column out.
    ethnic_category = models.CharField(
        max_length=2,
        choices=EthnicCategory.choices,
        blank=True,
        default="",
        db_default="",
    )
    address_line = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    registered_gp = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_people",
    )
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    lsoa = models.CharField(max_length=12, blank=True)
    deceased_on = models.DateField(null=True, blank=True)
    national_data_opt_out = models.BooleanField(default=False)
    # Set when this record was merged into another (people/merge.py); the row is
    # kept so an unmerge can restore it, and hidden from search.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_people",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["family_name_norm", "given_name_norm"], name="person_name_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Person {self.pk}"  # never a name: __str__ ends up in logs

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}"

    @property
    def nhs_number_display(self) -> str:
        return nhs_number_format(self.nhs_number or "")

    @property
    def nhs_number_verified(self) -> bool:
        return self.nhs_number_status == NhsNumberStatus.VERIFIED

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Identifier(models.Model):
    """An identifier of the person in some system: the NHS number, a hospital MRN,
    a council client ID, a GP system ID. A source system's identifier is never
    deleted: it is how that system's records find the person again."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="identifiers"
    )
    system = models.CharField(max_length=200)  # URI, e.g. the NHS number system
    value = models.CharField(max_length=64)
    source_system = models.ForeignKey(
        "record.SourceSystem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identifiers",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "value"], name="identifier_unique_per_system"
            )
        ]
        indexes = [models.Index(fields=["person", "system"])]

    def __str__(self) -> str:
        return f"{self.system}|…"


class NameUse(models.TextChoices):
    OFFICIAL = "official", "Official"
    USUAL = "usual", "Usual (preferred)"
    OLD = "old", "Previous"
    NICKNAME = "nickname", "Also known as"


class PersonName(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    use = models.CharField(max_length=10, choices=NameUse.choices)
    source_system = models.ForeignKey(
        "record.SourceSystem", on_delete=models.PROTECT, null=True, blank=True
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "id"]

    def __str__(self) -> str:
        return f"{self.use} name of person {self.person_id}"


class Address(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="addresses"
    )
    line = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10)
    source_system = models.ForeignKey(
        "record.SourceSystem", on_delete=models.PROTECT, null=True, blank=True
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"address of person {self.person_id}"


class InvolvementKind(models.TextChoices):
    REGISTERED_GP = "registered_gp", "Registered GP practice"
    HOSPITAL_PATIENT = "hospital_patient", "Hospital patient"
    COMMUNITY_PATIENT = "community_patient", "Community services"
    MENTAL_HEALTH_PATIENT = "mental_health_patient", "Mental health services"
    SOCIAL_CARE_CLIENT = "social_care_client", "Social care"
    OTHER = "other", "Other"


class Involvement(models.Model):
    """An organisation that knows the person, because its systems hold their
    records. The first, simple access rule rests on this."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="involvements"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="involvements"
    )
    kind = models.CharField(max_length=30, choices=InvolvementKind.choices)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="involvement_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "person"])]

    def __str__(self) -> str:
        return f"{self.kind} at organisation {self.organisation_id}"


class AboutMe(models.Model):
    """PRSB "About me": what the person wants everyone caring for them to know, in
    their own words."""

    HEADINGS = (
        ("what_matters_to_me", "What matters to me"),
        ("people_important_to_me", "People who are important to me"),
        ("how_to_communicate_with_me", "How best to communicate with me"),
        ("my_wellbeing", "My wellbeing"),
        ("important_to_know", "Things that are important for you to know about me"),
        ("daily_routine", "My daily routine"),
    )

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="about_me"
    )
    what_matters_to_me = models.TextField(blank=True)
    people_important_to_me = models.TextField(blank=True)
    how_to_communicate_with_me = models.TextField(blank=True)
    my_wellbeing = models.TextField(blank=True)
    important_to_know = models.TextField(blank=True)
    daily_routine = models.TextField(blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        "governance.User", on_delete=models.PROTECT, null=True, blank=True
    )

    def __str__(self) -> str:
        return f"About me of person {self.person_id}"

    def sections(self) -> list[tuple[str, str]]:
        return [
            (label, getattr(self, key))
            for key, label in self.HEADINGS
            if getattr(self, key)
        ]
