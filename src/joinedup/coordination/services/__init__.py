"""Every write in care coordination. One module per part; import them here."""

from joinedup.coordination.services.tasks import (
    task_assign,
    task_cancel,
    task_complete,
    task_create,
    task_may_act,
    task_start,
)
from joinedup.coordination.services.team import (
    care_team_join,
    care_team_leave,
    lead_professional_set,
)

__all__ = [
    "care_team_join",
    "care_team_leave",
    "lead_professional_set",
    "task_assign",
    "task_cancel",
    "task_complete",
    "task_create",
    "task_may_act",
    "task_start",
]
