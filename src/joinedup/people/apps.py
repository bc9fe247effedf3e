from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    verbose_name = "Person index"

    def ready(self) -> None:
        from joinedup.people import relationships
        from joinedup.people.services.followup import matching_follow
        from joinedup.record.followup import followup_register

        relationships.register()
        # Every ingest path: identity matching follows changed details.
        followup_register("people.matching", matching_follow, on="people_changed")
