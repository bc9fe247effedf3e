from django.urls import path

from joinedup.safeguarding.views import cases, pages
from joinedup.safeguarding.views.steps import step_urls

urlpatterns = [
    path("", pages.dashboard, name="safeguarding_dashboard"),
    path("people/<int:person_id>/", pages.person_page, name="safeguarding_person"),
    path(
        "people/<int:person_id>/concerns/new/",
        pages.concern_new,
        name="safeguarding_concern_new",
    ),
    path("concerns/<int:pk>/", cases.concern_page, name="safeguarding_concern"),
    path("cases/<int:pk>/", cases.case_page, name="safeguarding_case"),
    path("families/", cases.families_page, name="safeguarding_families"),
    path("families/<int:pk>/", cases.family_page, name="safeguarding_family"),
    *step_urls(),
]
