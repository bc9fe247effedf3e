from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "joinedup.coordination"
    verbose_name = "Care coordination"

    def ready(self) -> None:
        from joinedup.coordination import relationships

        relationships.register()
