"""Reference data about places: which LSOA a postcode is in and that LSOA's
deprivation decile (ONS Postcode Directory joined to the English Indices of
Deprivation 2019). Loaded from a file by people/areas.py, never edited by hand."""

from __future__ import annotations

from django.db import models


class PostcodeArea(models.Model):
    """One postcode: its LSOA and the LSOA's IMD decile (1 most deprived .. 10
    least). `key` is the postcode upper case without spaces ("JU12AB"), the form
    people's postcodes are compared in; `postcode` is its usual form ("JU1 2AB")."""

    key = models.CharField(max_length=8, unique=True)
    postcode = models.CharField(max_length=9)
    lsoa = models.CharField(max_length=12)
    imd_decile = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="postcode_area_imd_decile_1_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.postcode} -> {self.lsoa}"
