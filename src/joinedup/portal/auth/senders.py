"""Code senders: how a one-time code reaches the person. Chosen by the setting
JOINEDUP_PORTAL_CODE_SENDER (a dotted path). A sender gets the contact address
and the code, and never logs either."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class CodeSender(Protocol):
    def send(self, *, contact: str, code: str, challenge_id: int) -> None: ...


class ConsoleCodeSender:
    """Development only: writes the code to the server's standard error with the
    challenge number, never the contact address."""

    def send(self, *, contact: str, code: str, challenge_id: int) -> None:
        sys.stderr.write(
            f"JoinedUp sign-in code for challenge {challenge_id}: {code}\n"
        )


class EmailCodeSender:
    """Sends the code by email to a registered email address (a mobile number
    needs an SMS sender, e.g. GOV.UK Notify, plugged in the same way)."""

    def send(self, *, contact: str, code: str, challenge_id: int) -> None:
        from django.core.mail import send_mail

        if "@" not in contact:
            return  # no SMS sender configured: the code cannot be delivered
        send_mail(
            "Your JoinedUp sign-in code",
            f"Your code is {code}. It expires in "
            f"{settings.JOINEDUP_PORTAL_CODE_MINUTES} minutes. "
            "If you did not ask for it, you can ignore this message.",
            None,
            [contact],
        )


@dataclass(frozen=True)
class SentCode:
    contact: str
    code: str
    challenge_id: int


# What OutboxCodeSender has sent, newest last (tests read it, like mail.outbox).
OUTBOX: list[SentCode] = []


class OutboxCodeSender:
    """Tests: keeps the codes in OUTBOX in this process."""

    def send(self, *, contact: str, code: str, challenge_id: int) -> None:
        OUTBOX.append(SentCode(contact, code, challenge_id))


def code_sender() -> CodeSender:
    sender: CodeSender = import_string(settings.JOINEDUP_PORTAL_CODE_SENDER)()
    return sender
