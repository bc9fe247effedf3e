from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "joinedup.discharge"
    verbose_name = "Hospital discharge"

    def ready(self) -> None:
        from joinedup.discharge.services import stays_follow
        from joinedup.record.followup import followup_register

        # Every ingest path: the stays of the visits it touched are rebuilt.
        followup_register("discharge.stays", stays_follow, on="visits")
