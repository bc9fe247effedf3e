"""Care coordination models. One module per part; import them here."""

from joinedup.coordination.models.tasks import (
    OPEN_TASK_STATUSES,
    Task,
    TaskSource,
    TaskStatus,
)
from joinedup.coordination.models.team import CareTeamMember

__all__ = [
    "OPEN_TASK_STATUSES",
    "CareTeamMember",
    "Task",
    "TaskSource",
    "TaskStatus",
]
