"""Identity matching data: trained models (versioned, so a decision can be
explained later), the review queue of uncertain pairs, and merges with the history
needed to undo them."""

from __future__ import annotations

from django.db import models

from joinedup.people.models.person import Person


class MatchingModel(models.Model):
    """One trained Splink model: its settings with m and u (Splink JSON) and the
    thresholds in force when it was trained."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settings_json = models.JSONField()
    upper_threshold = models.FloatField()
    lower_threshold = models.FloatField()
    trained_on = models.CharField(max_length=200, blank=True)  # e.g. "synthetic:20000"
    metrics = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"matching model v{self.version}"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Same person (accepted)"
    REJECTED = "rejected", "Different people (rejected)"


class MatchCandidate(models.Model):
    """A pair of people the model was unsure about, for a human to decide. The
    pair is stored lower id first; a rejected pair is never proposed again."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(MatchingModel, on_delete=models.PROTECT)
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    # comparison -> {"level": label, "weight": bits}
    contributions = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "governance.User", on_delete=models.PROTECT, null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"], name="match_candidate_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="match_candidate_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"])]

    def __str__(self) -> str:
        return f"candidate {self.person_a_id}/{self.person_b_id} ({self.status})"


class PersonMerge(models.Model):
    """One merge of `merged` into `survivor`: which rows moved (model label ->
    field -> ids) and what was changed, so an unmerge restores the state
    exactly. The merged Person row is kept, never deleted."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(
        MatchCandidate, on_delete=models.SET_NULL, null=True, blank=True
    )
    moved = models.JSONField(default=dict)
    snapshot = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    merged_by = models.ForeignKey(
        "governance.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    unmerged_by = models.ForeignKey(
        "governance.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"merge of person {self.merged_id} into {self.survivor_id}"
