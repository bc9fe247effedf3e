"""The shared care plan (PRSB personalised care and support plan): goals in the
person's words, actions with an owner (a professional and their agency) and a
due date, a contingency plan and a review date. Versioned: every change is a new
CarePlanVersion with who and when; nothing is overwritten. The plan's
current_version is the optimistic-concurrency token: a change must name the
version it was based on."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import Organisation, Role, User


class CarePlan(models.Model):
    # One plan per person; a ForeignKey with a unique constraint (not a
    # one-to-one) so that merging two records moves the plan with the person
    # (people/merge.py), or keeps both apart when each has one.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="care_plans"
    )
    current_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], name="care_plan_one_per_person")
        ]

    def __str__(self) -> str:
        return f"Care plan {self.pk} of person {self.person_id}"


class CarePlanVersion(models.Model):
    plan = models.ForeignKey(
        CarePlan, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    # [{"text", "added_by", "added_at"}] (free text: never logged)
    goals = models.JSONField(default=list)
    # [{"ref", "description", "owner_user", "owner_organisation", "due_on",
    #   "task", "added_by", "added_at"}]
    actions = models.JSONField(default=list)
    contingency = models.TextField(blank=True)  # free text: never logged
    review_on = models.DateField(null=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    author_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    author_role = models.CharField(max_length=40, choices=Role.choices)
    created_at = models.DateTimeField()
    changed = models.JSONField(default=list)  # the fields this version changed

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="care_plan_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of care plan {self.plan_id}"
