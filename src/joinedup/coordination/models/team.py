"""The person's care team: the professionals working with them across agencies,
one of whom may be the lead professional. Joining creates the legitimate
relationship of the access policy; leaving (ended_on) ends it."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import Organisation, Role, User


class CareTeamMember(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="care_team"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="care_teams")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    is_lead = models.BooleanField(default=False)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "ended_on"]),
            models.Index(fields=["person", "ended_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=models.Q(ended_on__isnull=True),
                name="care_team_one_open_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in care team of person {self.person_id}"
