from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "joinedup.record"
    verbose_name = "Shared care record"
