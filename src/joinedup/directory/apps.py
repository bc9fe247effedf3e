from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "joinedup.directory"
    verbose_name = "Service directory and social prescribing"
