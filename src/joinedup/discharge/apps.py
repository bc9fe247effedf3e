from django.apps import AppConfig


class DischargeConfig(AppConfig):
    name = "joinedup.discharge"
    verbose_name = "Hospital discharge"
