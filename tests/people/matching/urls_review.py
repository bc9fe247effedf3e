"""The project's URLs plus the review queue, as the lead will mount it."""

from django.urls import include, path

from joinedup.config.urls import urlpatterns as project

urlpatterns = [
    *project,
    path("matching/", include("joinedup.people.views.review_urls")),
]
