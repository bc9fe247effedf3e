"""Every write in care coordination. One module per part; import them here."""

from joinedup.coordination.services.assessment import (
    assessment_section_amend,
    assessment_section_complete,
    assessment_start,
)
from joinedup.coordination.services.notifications import (
    notifications_mark_read,
    notify,
    notify_care_team,
)
from joinedup.coordination.services.plans import PlanChanged, care_plan_save
from joinedup.coordination.services.referrals import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
)
from joinedup.coordination.services.tasks import (
    task_assign,
    task_cancel,
    task_complete,
    task_create,
    task_may_act,
    task_start,
    tasks_close,
)
from joinedup.coordination.services.team import (
    care_team_join,
    care_team_leave,
    lead_professional_set,
)

__all__ = [
    "PlanChanged",
    "assessment_section_amend",
    "assessment_section_complete",
    "assessment_start",
    "care_plan_save",
    "care_team_join",
    "care_team_leave",
    "lead_professional_set",
    "notifications_mark_read",
    "notify",
    "notify_care_team",
    "referral_accept",
    "referral_complete",
    "referral_decline",
    "referral_send",
    "referral_withdraw",
    "task_assign",
    "task_cancel",
    "task_complete",
    "task_create",
    "task_may_act",
    "task_start",
    "tasks_close",
]
