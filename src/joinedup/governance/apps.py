from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "joinedup.governance"
    verbose_name = "Information governance"
