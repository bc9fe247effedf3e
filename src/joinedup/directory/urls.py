from django.urls import path

from joinedup.directory import views

urlpatterns = [
    path("", views.search, name="directory_search"),
    path("services/<int:service_id>/", views.service, name="directory_service"),
    path(
        "services/<int:service_id>/edit",
        views.service_edit,
        name="directory_service_edit",
    ),
    path("export.json", views.export, name="directory_export"),
    path("import/", views.import_page, name="directory_import"),
    path("social-prescribing/", views.link_worker, name="sp_home"),
    path(
        "social-prescribing/self-referral",
        views.self_referral,
        name="sp_self_referral",
    ),
    path(
        "social-prescribing/referrals/<int:referral_id>/take-on",
        views.take_on,
        name="sp_take_on",
    ),
    path("social-prescribing/cases/<int:case_id>/", views.case, name="sp_case"),
    path(
        "social-prescribing/cases/<int:case_id>/<slug:action>",
        views.case_action,
        name="sp_case_action",
    ),
    path("social-prescribing/figures/", views.figures, name="sp_figures"),
    path(
        "people/<int:person_id>/social-prescribing/",
        views.person_cases,
        name="sp_person",
    ),
]
