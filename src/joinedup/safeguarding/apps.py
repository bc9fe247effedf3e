from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "joinedup.safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from joinedup.safeguarding import relationships

        relationships.register()
