from django.urls import path

from joinedup.safeguarding.views import pages

urlpatterns = [
    path("", pages.dashboard, name="safeguarding_dashboard"),
    path("people/<int:person_id>/", pages.person_page, name="safeguarding_person"),
    path(
        "people/<int:person_id>/concerns/new/",
        pages.concern_new,
        name="safeguarding_concern_new",
    ),
]
