from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "joinedup.interop"
    verbose_name = "Interoperability"
