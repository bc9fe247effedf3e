from django.urls import path

from joinedup.population import views

urlpatterns = [
    path("", views.overview, name="population_overview"),
    path("case-finding/", views.case_finding, name="population_case_finding"),
    path(
        "case-finding/accept/",
        views.case_finding_accept,
        name="population_case_finding_accept",
    ),
    path(
        "case-finding/dismiss/",
        views.case_finding_dismiss,
        name="population_case_finding_dismiss",
    ),
    path("jsna/", views.jsna, name="population_jsna"),
    path("model/", views.model_card, name="population_model_card"),
]
