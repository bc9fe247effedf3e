from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "joinedup.governance"
    verbose_name = "Information governance"

    def ready(self) -> None:
        from joinedup.governance import relationships

        relationships.register()
