from django.urls import path

from joinedup.funding.views import chc as chc_views
from joinedup.funding.views import packages as package_views
from joinedup.funding.views import pooled as pooled_views

urlpatterns: list = [
    path(
        "people/<int:person_id>/packages/",
        package_views.person_packages,
        name="funding_person_packages",
    ),
    path(
        "packages/<int:package_id>/",
        package_views.package_detail,
        name="funding_package",
    ),
    path(
        "packages/<int:package_id>/funding/",
        package_views.package_funding,
        name="funding_package_funding",
    ),
    path(
        "packages/<int:package_id>/payments/",
        package_views.package_payment,
        name="funding_package_payment",
    ),
    path(
        "packages/<int:package_id>/end/",
        package_views.package_end,
        name="funding_package_end",
    ),
    path("ledger/", pooled_views.ledger, name="funding_ledger"),
    path("pooled/", pooled_views.pooled_list, name="funding_pooled"),
    path(
        "pooled/<int:fund_id>/",
        pooled_views.pooled_dashboard,
        name="funding_pooled_dashboard",
    ),
    path(
        "pooled/<int:fund_id>/outcomes/",
        pooled_views.pooled_outcomes,
        name="funding_pooled_outcomes",
    ),
    path(
        "pooled/<int:fund_id>/return.xlsx",
        pooled_views.pooled_return,
        name="funding_pooled_return",
    ),
    # NHS continuing healthcare (FUND-A)
    path("chc/", chc_views.dashboard, name="chc_dashboard"),
    path("chc/people/<int:person_id>/", chc_views.person, name="chc_person"),
    path("chc/refer/", chc_views.refer, name="chc_refer"),
    path("chc/fast-track/", chc_views.fast_track, name="chc_fast_track"),
    path(
        "chc/cases/<int:case_id>/checklist/", chc_views.checklist, name="chc_checklist"
    ),
    path("chc/cases/<int:case_id>/dst/", chc_views.dst, name="chc_dst"),
    path(
        "chc/cases/<int:case_id>/recommendation/",
        chc_views.recommendation,
        name="chc_recommendation",
    ),
    path("chc/cases/<int:case_id>/decision/", chc_views.decision, name="chc_decision"),
    path("chc/cases/<int:case_id>/close/", chc_views.close, name="chc_close"),
    path(
        "chc/cases/<int:case_id>/disputes/new/",
        chc_views.dispute_new,
        name="chc_dispute_new",
    ),
    path("chc/disputes/<int:dispute_id>/", chc_views.dispute, name="chc_dispute"),
    path("chc/reviews/<int:review_id>/", chc_views.review, name="chc_review"),
]
