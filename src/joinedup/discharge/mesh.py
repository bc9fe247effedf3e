"""Delivery of Care Act 2014 Schedule 3 notices to councils over MESH (NHS
England's Message Exchange for Social Care and Health), with the `mesh-client`
library. The outbox (NoticeMessage) holds each notice's delivery state: queued,
sent, acknowledged (the council's mailbox acknowledged it) or failed with the
reason. `joinedup mesh send` sends what is queued (retrying with back-off) and
asks MESH about what was sent.

Configuration is by environment variable only (docs/operations.md):
JOINEDUP_MESH_URL, JOINEDUP_MESH_MAILBOX, JOINEDUP_MESH_PASSWORD,
JOINEDUP_MESH_SHARED_KEY, JOINEDUP_MESH_CERT + JOINEDUP_MESH_KEY (client
certificate, optional for the sandbox), JOINEDUP_MESH_CA (CA bundle, or "false"
to skip verification for a local sandbox), JOINEDUP_MESH_WORKFLOW,
JOINEDUP_MESH_RECIPIENTS ("ODS=MAILBOX,..."), JOINEDUP_MESH_MAX_ATTEMPTS.

Never logged: the message body (it identifies the patient)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests
from django.db import transaction
from django.utils import timezone
from mesh_client import MeshClient, MeshError

from joinedup.discharge.models import (
    MessageStatus,
    NoticeMessage,
    Readiness,
    Schedule3Notice,
)
from joinedup.errors import InvalidInput

log = logging.getLogger(__name__)

DEFAULT_WORKFLOW = "JOINEDUP_CARE_ACT_SCH3"
DEFAULT_MAX_ATTEMPTS = 5
BATCH = 200


@dataclass(frozen=True)
class MeshConfig:
    url: str
    mailbox: str
    password: str
    shared_key: str
    workflow_id: str = DEFAULT_WORKFLOW
    recipients: Mapping[str, str] = field(default_factory=dict)
    cert: tuple[str, str] | None = None
    verify: str | bool | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


def _recipients_parse(raw: str) -> dict[str, str]:
    out = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        code, sep, mailbox = part.partition("=")
        if not sep or not code.strip() or not mailbox.strip():
            raise InvalidInput.for_field(
                "JOINEDUP_MESH_RECIPIENTS",
                "write ODS=MAILBOX pairs separated by commas, e.g. 'X26=X26ABC2'",
            )
        out[code.strip()] = mailbox.strip()
    return out


def workflow_from_env(env: Mapping[str, str] | None = None) -> str:
    """The MESH workflow id that Schedule 3 notices are sent under."""
    env = os.environ if env is None else env
    return env.get("JOINEDUP_MESH_WORKFLOW", "").strip() or DEFAULT_WORKFLOW


def mesh_config_from_env(env: Mapping[str, str] | None = None) -> MeshConfig:
    """The MESH settings from the environment; InvalidInput naming the variable
    when one is missing or wrong."""
    env = os.environ if env is None else env
    values = {}
    for name in ("URL", "MAILBOX", "PASSWORD", "SHARED_KEY"):
        var = f"JOINEDUP_MESH_{name}"
        value = env.get(var, "").strip()
        if not value:
            raise InvalidInput.for_field(var, "is not set")
        values[name.lower()] = value
    cert_path = env.get("JOINEDUP_MESH_CERT", "").strip()
    key_path = env.get("JOINEDUP_MESH_KEY", "").strip()
    if bool(cert_path) != bool(key_path):
        raise InvalidInput.for_field(
            "JOINEDUP_MESH_KEY", "set both JOINEDUP_MESH_CERT and JOINEDUP_MESH_KEY"
        )
    ca = env.get("JOINEDUP_MESH_CA", "").strip()
    verify: str | bool | None = None
    if ca.lower() == "false":
        verify = False
    elif ca:
        verify = ca
    raw_attempts = env.get("JOINEDUP_MESH_MAX_ATTEMPTS", "").strip()
    try:
        attempts = int(raw_attempts) if raw_attempts else DEFAULT_MAX_ATTEMPTS
    except ValueError:
        attempts = 0
    if attempts < 1:
        raise InvalidInput.for_field(
            "JOINEDUP_MESH_MAX_ATTEMPTS", "must be a whole number, 1 or more"
        )
    return MeshConfig(
        url=values["url"],
        mailbox=values["mailbox"],
        password=values["password"],
        shared_key=values["shared_key"],
        workflow_id=workflow_from_env(env),
        recipients=_recipients_parse(env.get("JOINEDUP_MESH_RECIPIENTS", "")),
        cert=(cert_path, key_path) if cert_path else None,
        verify=verify,
        max_attempts=attempts,
    )


def client_open(config: MeshConfig) -> MeshClient:
    return MeshClient(
        config.url,
        config.mailbox,
        config.password,
        shared_key=config.shared_key.encode(),
        cert=config.cert,
        verify=config.verify,
        # Retries across runs are ours (back-off in the outbox), not in-process.
        max_retries=0,
        timeout=60,
        application_name="joinedup",
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """Back-off after a failed attempt: 1, 2, 4, 8... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def notice_body(notice: Schedule3Notice) -> bytes:
    """The message: a JSON document naming the notice, the patient, the hospital
    stay and the council (Care Act 2014 Schedule 3; the Care and Support
    (Discharge of Hospital Patients) Regulations 2014 say what a notice holds)."""
    stay = notice.stay
    person = stay.person
    readiness = (
        Readiness.objects.filter(stay=stay).order_by("-recorded_at", "-pk").first()
    )
    doc = {
        "resourceType": "JoinedUpCareActSchedule3Notice",
        "version": 1,
        "notice": {
            "id": notice.pk,
            "kind": notice.kind,
            "title": notice.get_kind_display(),
        },
        "from": {
            "ods_code": stay.organisation.code,
            "name": stay.organisation.name,
            "site": stay.site,
            "ward": stay.ward,
        },
        "to": {"ods_code": notice.council.code, "name": notice.council.name},
        "patient": {
            "nhs_number": person.nhs_number,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.birth_date.isoformat(),
        },
        "stay": {
            "admitted_at": stay.admitted_at.isoformat(),
            "ready_for_discharge_on": (
                readiness.ready_on.isoformat() if readiness else None
            ),
            "expected_discharge_on": (
                readiness.expected_discharge_on.isoformat()
                if readiness and readiness.expected_discharge_on
                else None
            ),
            "expected_pathway": readiness.expected_pathway if readiness else None,
        },
        "contact_phone": stay.organisation.contact_phone,
    }
    return json.dumps(doc, sort_keys=True).encode()


@dataclass
class OutboxTally:
    sent: int = 0
    acknowledged: int = 0
    retrying: int = 0
    failed: int = 0
    requeued: int = 0

    def line(self) -> str:
        return (
            f"{self.sent} sent, {self.acknowledged} acknowledged, "
            f"{self.retrying} to retry, {self.failed} failed"
        )


def _reason(exc: Exception) -> str:
    if isinstance(exc, MeshError):
        return f"MESH refused the message: {exc.args[0] if exc.args else exc}"[:300]
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"MESH answered HTTP {exc.response.status_code}"[:300]
    if isinstance(exc, requests.ConnectionError):
        return "could not connect to MESH"
    if isinstance(exc, requests.Timeout):
        return "MESH did not answer in time"
    return f"{type(exc).__name__}"[:300]


def _recipient(client: MeshClient, config: MeshConfig, council_code: str) -> str:
    """The council's MESH mailbox: from JOINEDUP_MESH_RECIPIENTS, else MESH's
    endpoint lookup by ODS code and workflow."""
    if council_code in config.recipients:
        return config.recipients[council_code]
    found = client.lookup_endpoint(council_code, config.workflow_id)
    results = found.get("results") or []
    if not results:
        raise MeshError(
            f"no MESH mailbox for {council_code} and workflow {config.workflow_id}"
        )
    return str(results[0]["mailbox_id"])


def _fail(message: NoticeMessage, reason: str, now: dt.datetime) -> None:
    message.status = MessageStatus.FAILED
    message.last_error = reason[:300]
    message.failed_at = now


def _send_one(
    client: MeshClient, config: MeshConfig, message: NoticeMessage, tally: OutboxTally
) -> None:
    now = timezone.now()
    notice = message.notice
    message.attempts += 1
    try:
        # Resolved at each attempt, so a corrected mapping takes effect on retry.
        recipient = _recipient(client, config, notice.council.code)
        message.recipient_mailbox = recipient
        message.message_id = client.send_message(
            recipient,
            notice_body(notice),
            workflow_id=message.workflow_id,
            local_id=message.local_id,
            subject=f"Care Act Schedule 3 {notice.get_kind_display().lower()}",
            content_type="application/json",
        )
    except MeshError as exc:
        # MESH looked at the request and said no (unknown recipient, workflow not
        # allowed, our credentials refused): sending it again as it is will not
        # help; once put right, `joinedup mesh send --retry-failed` sends it.
        _fail(message, _reason(exc), now)
        tally.failed += 1
    except (requests.RequestException, OSError) as exc:
        reason = _reason(exc)
        if message.attempts >= config.max_attempts:
            _fail(message, f"{reason} ({message.attempts} attempts)", now)
            tally.failed += 1
        else:
            message.last_error = reason
            message.next_attempt_at = now + retry_delay(message.attempts)
            tally.retrying += 1
    else:
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.last_error = ""
        notice.sent_at = now
        notice.save(update_fields=["sent_at"])
        tally.sent += 1
    message.save()
    log.info(
        "MESH notice message %s: %s (attempt %s)",
        message.pk,
        message.status,
        message.attempts,
    )


def _track_one(client: MeshClient, message: NoticeMessage, tally: OutboxTally) -> None:
    now = timezone.now()
    try:
        tracking = client.track_message(message.message_id)
    except (requests.RequestException, OSError) as exc:
        log.warning("MESH tracking of message %s failed: %s", message.pk, _reason(exc))
        return
    status = str(tracking.get("status") or "").lower()
    if status == "acknowledged":
        message.status = MessageStatus.ACKNOWLEDGED
        message.acknowledged_at = now
        message.save(update_fields=["status", "acknowledged_at"])
        notice = message.notice
        notice.acknowledged_at = now
        notice.save(update_fields=["acknowledged_at"])
        tally.acknowledged += 1
    elif status in ("error", "undeliverable", "expired", "rejected"):
        _fail(message, f"MESH reports the message {status}", now)
        message.save(update_fields=["status", "last_error", "failed_at"])
        tally.failed += 1


def outbox_process(
    *,
    config: MeshConfig,
    client_factory: Callable[[MeshConfig], MeshClient] = client_open,
    retry_failed: bool = False,
) -> OutboxTally:
    """Send the queued notices that are due, then ask MESH whether the sent ones
    have been acknowledged. With `retry_failed`, failed ones are queued again
    first. Each message is saved in its own transaction, so a crash half-way
    loses nothing already done."""
    tally = OutboxTally()
    if retry_failed:
        tally.requeued = NoticeMessage.objects.filter(
            status=MessageStatus.FAILED
        ).update(
            status=MessageStatus.QUEUED,
            attempts=0,
            failed_at=None,
            next_attempt_at=timezone.now(),
        )
    with client_factory(config) as client:
        due = list(
            NoticeMessage.objects.filter(
                status=MessageStatus.QUEUED, next_attempt_at__lte=timezone.now()
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        for pk in due:
            with transaction.atomic():
                message = (
                    NoticeMessage.objects.select_for_update()
                    .select_related(
                        "notice__council",
                        "notice__stay__person",
                        "notice__stay__organisation",
                    )
                    .filter(pk=pk, status=MessageStatus.QUEUED)
                    .first()
                )
                if message is not None:
                    _send_one(client, config, message, tally)
        sent = list(
            NoticeMessage.objects.filter(status=MessageStatus.SENT)
            .select_related("notice")
            .order_by("sent_at", "pk")[:BATCH]
        )
        for message in sent:
            with transaction.atomic():
                _track_one(client, message, tally)
    return tally
