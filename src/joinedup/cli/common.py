"""What every sub-command shares: the one-line error and Django's set-up."""

from __future__ import annotations

import os


class CommandError(Exception):
    """Bad input or an impossible request: printed as one line, exit status 2."""


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    import django

    django.setup()


def migrate(*, quiet: bool = True) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
