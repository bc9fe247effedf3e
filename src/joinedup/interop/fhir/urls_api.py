"""/fhir/R4/... (the base URL itself is left to ingest: POST of a Bundle)."""

from django.urls import path

from joinedup.interop.fhir import api

app_name = "fhir"

urlpatterns = [
    path("metadata", api.metadata, name="metadata"),
    path(
        "Patient/<str:resource_id>/$everything",
        api.patient_everything,
        name="patient-everything",
    ),
    path("<str:resource_type>", api.search, name="search"),
    path("<str:resource_type>/<str:resource_id>", api.read, name="read"),
    path("<path:rest>", api.unknown, name="unknown"),
]
