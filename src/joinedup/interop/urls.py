"""Interoperability routes: FHIR bundle ingest (POST /fhir/R4) and the integration
team's pages (/integration/...). The FHIR read API has its own module."""

from django.urls import path

from joinedup.interop import views
from joinedup.interop.fhir.ingest_view import bundle_ingest

urlpatterns = [
    path("fhir/R4", bundle_ingest, name="fhir_bundle_ingest"),
    path("fhir/R4/", bundle_ingest),
    path("integration/", views.dashboard, name="integration_dashboard"),
    path("integration/quarantine/", views.quarantine_list, name="quarantine_list"),
    path(
        "integration/quarantine/<int:item_id>/",
        views.quarantine_detail,
        name="quarantine_detail",
    ),
]
