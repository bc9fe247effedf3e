from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "joinedup.funding"
    verbose_name = "Funding"
