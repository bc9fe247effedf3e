"""Reads in care coordination. One module per part; import them here."""

from joinedup.coordination.selectors.assessment import (
    assessment_get,
    assessment_view_get,
    assessments_for_person,
)
from joinedup.coordination.selectors.caseload import caseload_list
from joinedup.coordination.selectors.plans import care_plan_get
from joinedup.coordination.selectors.team import care_team_candidates, care_team_get

__all__ = [
    "assessment_get",
    "assessment_view_get",
    "assessments_for_person",
    "care_plan_get",
    "care_team_candidates",
    "care_team_get",
    "caseload_list",
]
