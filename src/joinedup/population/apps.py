from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "joinedup.population"
    verbose_name = "Population health"
