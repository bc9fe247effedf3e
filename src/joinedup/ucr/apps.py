from django.apps import AppConfig


class UcrConfig(AppConfig):
    name = "joinedup.ucr"
    verbose_name = "Urgent community response"
