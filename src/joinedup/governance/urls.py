from django.urls import path

from joinedup.governance import views

urlpatterns = [
    path(
        "people/<int:person_id>/emergency-access/",
        views.break_glass,
        name="break_glass",
    ),
    path("people/emergency-access/", views.break_glass_find, name="break_glass_find"),
    path(
        "people/<int:person_id>/relationship/",
        views.relationship_claim,
        name="relationship_claim",
    ),
    path("people/<int:person_id>/consent/", views.consent, name="consent"),
    path("governance/agreements/", views.agreements, name="agreements"),
    path("governance/agreements/new/", views.agreement_new, name="agreement_new"),
    path(
        "governance/agreements/<int:agreement_id>/",
        views.agreement_detail,
        name="agreement_detail",
    ),
    path(
        "governance/break-glass/",
        views.break_glass_reviews,
        name="break_glass_reviews",
    ),
    path("governance/alerts/", views.claim_alerts, name="claim_alerts"),
    path("governance/access-report/", views.access_report, name="access_report"),
]
