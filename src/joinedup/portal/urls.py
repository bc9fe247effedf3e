from django.urls import path

from joinedup.portal import views

urlpatterns = [
    path("", views.home, name="portal_home"),
    path("sign-in/", views.sign_in, name="portal_sign_in"),
    path("sign-in/code/", views.sign_in_code, name="portal_sign_in_code"),
    path("sign-out/", views.sign_out, name="portal_sign_out"),
    path("choose/", views.choose, name="portal_choose"),
    path("about-me/", views.about_me, name="portal_about_me"),
    path("plan/", views.plan, name="portal_plan"),
    path("appointments/", views.appointments, name="portal_appointments"),
    path("care-team/", views.care_team, name="portal_care_team"),
    path("budget/", views.budget, name="portal_budget"),
    path("who-has-seen-my-record/", views.accesses, name="portal_accesses"),
    path(
        "who-has-seen-my-record/<int:seq>/ask/",
        views.access_ask,
        name="portal_access_ask",
    ),
    path("sharing/", views.consent, name="portal_consent"),
]

# The pages that show a person's data, each in the access matrix
# (tests/governance/test_access_matrix.py) with person and proxy rows.
RECORD_PAGES = (
    "portal_home",
    "portal_about_me",
    "portal_plan",
    "portal_appointments",
    "portal_care_team",
    "portal_budget",
    "portal_accesses",
    "portal_consent",
)
