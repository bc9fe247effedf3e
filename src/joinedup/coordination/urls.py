from django.urls import path

from joinedup.coordination.views import assessment as assessment_views
from joinedup.coordination.views import mdt as mdt_views
from joinedup.coordination.views import notifications as notification_views
from joinedup.coordination.views import plans as plan_views
from joinedup.coordination.views import referrals as referral_views
from joinedup.coordination.views import tasks as task_views
from joinedup.coordination.views import team as team_views

urlpatterns: list = []

# COORD-B: referrals, tasks, MDT meetings, notifications
urlpatterns += [
    path("referrals/", referral_views.referrals, name="referrals"),
    path(
        "referrals/<int:referral_id>/",
        referral_views.referral,
        name="referral_detail",
    ),
    path(
        "referrals/<int:referral_id>/accept/",
        referral_views.referral_accept_view,
        name="referral_accept",
    ),
    path(
        "referrals/<int:referral_id>/decline/",
        referral_views.referral_decline_view,
        name="referral_decline",
    ),
    path(
        "referrals/<int:referral_id>/complete/",
        referral_views.referral_complete_view,
        name="referral_complete",
    ),
    path(
        "referrals/<int:referral_id>/withdraw/",
        referral_views.referral_withdraw_view,
        name="referral_withdraw",
    ),
    path(
        "people/<int:person_id>/referrals/",
        referral_views.person_referrals,
        name="person_referrals",
    ),
    path("tasks/", task_views.tasks, name="tasks"),
    path("caseload/", task_views.caseload, name="caseload"),
    path("tasks/<int:task_id>/", task_views.task, name="task_detail"),
    path(
        "tasks/<int:task_id>/reassign/",
        task_views.task_reassign,
        name="task_reassign",
    ),
    path("tasks/<int:task_id>/start/", task_views.task_start_view, name="task_start"),
    path(
        "tasks/<int:task_id>/complete/",
        task_views.task_complete_view,
        name="task_complete",
    ),
    path(
        "tasks/<int:task_id>/cancel/", task_views.task_cancel_view, name="task_cancel"
    ),
    path("mdt/", mdt_views.meetings, name="mdt_meetings"),
    path("mdt/new/", mdt_views.meeting_new, name="mdt_meeting_new"),
    path("mdt/<int:meeting_id>/", mdt_views.meeting, name="mdt_meeting"),
    path(
        "mdt/<int:meeting_id>/attendees/",
        mdt_views.attendee_add,
        name="mdt_attendee_add",
    ),
    path("mdt/<int:meeting_id>/items/", mdt_views.item_add, name="mdt_item_add"),
    path(
        "mdt/<int:meeting_id>/items/<int:item_id>/",
        mdt_views.item,
        name="mdt_item",
    ),
    path(
        "mdt/<int:meeting_id>/items/<int:item_id>/actions/",
        mdt_views.action_add,
        name="mdt_action_add",
    ),
    path("mdt/<int:meeting_id>/close/", mdt_views.meeting_close, name="mdt_close"),
    path(
        "mdt/<int:meeting_id>/minutes.<str:fmt>",
        mdt_views.minutes,
        name="mdt_minutes",
    ),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/read/",
        notification_views.notifications_read,
        name="notifications_read",
    ),
]
# end COORD-B

# COORD-A: shared assessment, care plan, care team
urlpatterns += [
    path(
        "people/<int:person_id>/assessments/",
        assessment_views.assessment_list,
        name="assessment_list",
    ),
    path(
        "assessments/<int:assessment_id>/",
        assessment_views.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "assessments/<int:assessment_id>/sections/<slug:section_key>/",
        assessment_views.assessment_section,
        name="assessment_section",
    ),
    path("people/<int:person_id>/plan/", plan_views.plan_detail, name="plan_detail"),
    path("people/<int:person_id>/plan/edit/", plan_views.plan_edit, name="plan_edit"),
    path("people/<int:person_id>/team/", team_views.team_page, name="team_page"),
]
# end COORD-A
