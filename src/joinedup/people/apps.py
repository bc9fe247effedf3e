from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "joinedup.people"
    verbose_name = "Person index"

    def ready(self) -> None:
        from joinedup.people import relationships

        relationships.register()
