from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "joinedup.interop"
    verbose_name = "Interoperability"

    def ready(self) -> None:
        from joinedup.interop.csv.ingest import csv_replay
        from joinedup.interop.fhir.ingest import fhir_replay
        from joinedup.interop.hl7v2.ingest import hl7_replay
        from joinedup.interop.models import IngestKind
        from joinedup.interop.services import replayer_register

        replayer_register(IngestKind.HL7V2, hl7_replay)
        replayer_register(IngestKind.FHIR, fhir_replay)
        replayer_register(IngestKind.CSV, csv_replay)
