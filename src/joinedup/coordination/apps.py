from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "joinedup.coordination"
    verbose_name = "Care coordination"
