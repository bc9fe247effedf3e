"""Care coordination models. One module per part; import them here."""

from joinedup.coordination.models.assessment import (
    Assessment,
    AssessmentKind,
    AssessmentSection,
)
from joinedup.coordination.models.mdt import (
    ItemSource,
    MdtAttendee,
    MdtItem,
    MdtMeeting,
    MeetingStatus,
)
from joinedup.coordination.models.notifications import Notification, NotificationKind
from joinedup.coordination.models.plans import CarePlan, CarePlanVersion
from joinedup.coordination.models.referrals import (
    OPEN_REFERRAL_STATUSES,
    RESPONSE_STANDARDS,
    ConsentBasis,
    Referral,
    ReferralStatus,
    ReferralType,
    Urgency,
)
from joinedup.coordination.models.tasks import (
    OPEN_TASK_STATUSES,
    Task,
    TaskSource,
    TaskStatus,
)
from joinedup.coordination.models.team import CareTeamMember

__all__ = [
    "OPEN_REFERRAL_STATUSES",
    "OPEN_TASK_STATUSES",
    "RESPONSE_STANDARDS",
    "Assessment",
    "AssessmentKind",
    "AssessmentSection",
    "CarePlan",
    "CarePlanVersion",
    "CareTeamMember",
    "ConsentBasis",
    "ItemSource",
    "MdtAttendee",
    "MdtItem",
    "MdtMeeting",
    "MeetingStatus",
    "Notification",
    "NotificationKind",
    "Referral",
    "ReferralStatus",
    "ReferralType",
    "Task",
    "TaskSource",
    "TaskStatus",
    "Urgency",
]
