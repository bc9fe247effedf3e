"""Schedule 3 notices delivered over MESH with mesh-client, against a real
mesh-sandbox server running as a separate process (tests/discharge/conftest.py)."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.cli import main
from joinedup.discharge.mesh import (
    mesh_config_from_env,
    outbox_process,
    retry_delay,
)
from joinedup.discharge.models import (
    MessageStatus,
    NoticeKind,
    NoticeMessage,
    Schedule3Notice,
)
from joinedup.discharge.notices import notice_record, notice_send
from joinedup.discharge.services import readiness_record
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.models import OrganisationType
from tests.conftest import actor_for
from tests.discharge.conftest import council_client
from tests.factories import PASSWORD, OrganisationFactory


def _queue(world, stay, kind=NoticeKind.ASSESSMENT):
    return notice_send(
        actor=actor_for(world.discharge_coordinator),
        stay_id=stay.pk,
        kind=kind,
        council_id=world.council.pk,
    )


def _config(**overrides):
    env = {
        "JOINEDUP_MESH_URL": "http://127.0.0.1:1",
        "JOINEDUP_MESH_MAILBOX": "X26ABC1",
        "JOINEDUP_MESH_PASSWORD": "password",
        "JOINEDUP_MESH_SHARED_KEY": "TestKey",
        **overrides,
    }
    return mesh_config_from_env({k: v for k, v in env.items() if v is not None})


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"JOINEDUP_MESH_URL": None}, "JOINEDUP_MESH_URL"),
        ({"JOINEDUP_MESH_PASSWORD": " "}, "JOINEDUP_MESH_PASSWORD"),
        ({"JOINEDUP_MESH_RECIPIENTS": "JU-ASC"}, "JOINEDUP_MESH_RECIPIENTS"),
        ({"JOINEDUP_MESH_CERT": "/x/cert.pem"}, "JOINEDUP_MESH_KEY"),
        ({"JOINEDUP_MESH_MAX_ATTEMPTS": "0"}, "JOINEDUP_MESH_MAX_ATTEMPTS"),
        ({"JOINEDUP_MESH_MAX_ATTEMPTS": "many"}, "JOINEDUP_MESH_MAX_ATTEMPTS"),
    ],
)
def test_config_names_the_bad_variable(overrides, field):
    with pytest.raises(InvalidInput) as exc:
        _config(**overrides)
    assert field in exc.value.fields


def test_config_reads_certs_recipients_and_verification():
    config = _config(
        JOINEDUP_MESH_CERT="/c.pem",
        JOINEDUP_MESH_KEY="/k.pem",
        JOINEDUP_MESH_CA="false",
        JOINEDUP_MESH_RECIPIENTS="JU-ASC=X26ABC2, X27=X26ABC3",
    )
    assert config.cert == ("/c.pem", "/k.pem")
    assert config.verify is False
    assert config.recipients == {"JU-ASC": "X26ABC2", "X27": "X26ABC3"}
    assert config.workflow_id == "JOINEDUP_CARE_ACT_SCH3"


def test_back_off_grows_to_an_hour():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [
        1,
        2,
        4,
        60,
        60,
    ]


def test_queueing_a_notice(world, inpatient):
    notice = _queue(world, inpatient)
    assert notice.delivery == "mesh"
    assert notice.sent_at is None
    message = NoticeMessage.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert message.workflow_id == "JOINEDUP_CARE_ACT_SCH3"
    with pytest.raises(Conflict):
        _queue(world, inpatient)
    with pytest.raises(Conflict):
        notice_record(
            actor=actor_for(world.discharge_coordinator),
            stay_id=inpatient.pk,
            kind=NoticeKind.ASSESSMENT,
            council_id=world.council.pk,
            sent_at=timezone.now(),
        )


def test_queueing_refuses_bad_input_and_strangers(world, inpatient):
    with pytest.raises(InvalidInput) as exc:
        _queue(world, inpatient, kind="reminder")
    assert "kind" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        notice_send(
            actor=actor_for(world.discharge_coordinator),
            stay_id=inpatient.pk,
            kind=NoticeKind.ASSESSMENT,
            council_id=world.hospital.pk,
        )
    assert "council" in exc.value.fields
    # A discharge notice needs the patient recorded ready first.
    with pytest.raises(InvalidInput) as exc:
        _queue(world, inpatient, kind=NoticeKind.DISCHARGE)
    assert "kind" in exc.value.fields
    with pytest.raises(AccessRefused):
        notice_send(
            actor=actor_for(world.social_worker),
            stay_id=inpatient.pk,
            kind=NoticeKind.ASSESSMENT,
            council_id=world.council.pk,
        )
    assert not Schedule3Notice.objects.exists()
    assert not NoticeMessage.objects.exists()


def test_sent_then_acknowledged_by_the_council(world, inpatient, mesh_env):
    readiness_record(
        actor=actor_for(world.discharge_coordinator),
        stay_id=inpatient.pk,
        ready_on=timezone.localdate(),
        clinical_agreed=True,
        mdt_agreed=True,
        pathway="1",
    )
    _queue(world, inpatient, kind=NoticeKind.DISCHARGE)
    config = mesh_config_from_env()
    tally = outbox_process(config=config)
    assert (tally.sent, tally.failed) == (1, 0)
    message = NoticeMessage.objects.get()
    assert message.status == MessageStatus.SENT
    assert message.recipient_mailbox == "X26ABC2"
    notice = Schedule3Notice.objects.get()
    assert notice.sent_at == message.sent_at
    assert notice.acknowledged_at is None

    # The council's mailbox holds it; the body names the patient and the notice.
    with council_client(config.url) as council:
        assert message.message_id in council.list_messages()
        received = council.retrieve_message(message.message_id)
        body = json.loads(received.read())
        assert received.mex_header("workflowid") == "JOINEDUP_CARE_ACT_SCH3"
        assert received.mex_header("localid") == message.local_id
        received.close()
        assert body["notice"]["kind"] == "discharge"
        assert body["patient"]["nhs_number"] == world.person.nhs_number
        assert body["to"]["ods_code"] == "JU-ASC"
        assert body["stay"]["expected_pathway"] == "1"
        # Not acknowledged yet: tracking leaves it as sent.
        assert outbox_process(config=config).acknowledged == 0
        council.acknowledge_message(message.message_id)

    assert outbox_process(config=config).acknowledged == 1
    message.refresh_from_db()
    notice.refresh_from_db()
    assert message.status == MessageStatus.ACKNOWLEDGED
    assert notice.acknowledged_at is not None


def test_unknown_recipient_fails_with_the_reason_then_retry(
    world, inpatient, mesh_env, monkeypatch
):
    monkeypatch.setenv("JOINEDUP_MESH_RECIPIENTS", "JU-ASC=NOSUCH1")
    _queue(world, inpatient)
    tally = outbox_process(config=mesh_config_from_env())
    assert tally.failed == 1
    message = NoticeMessage.objects.get()
    assert message.status == MessageStatus.FAILED
    assert "Unregistered to address" in message.last_error
    assert Schedule3Notice.objects.get().sent_at is None
    # The coordinator may queue a failed notice again...
    _queue(world, inpatient)
    assert NoticeMessage.objects.get().status == MessageStatus.QUEUED
    outbox_process(config=mesh_config_from_env())
    # ...and once the mailbox is put right, `--retry-failed` delivers it.
    monkeypatch.setenv("JOINEDUP_MESH_RECIPIENTS", "JU-ASC=X26ABC2")
    tally = outbox_process(config=mesh_config_from_env(), retry_failed=True)
    assert (tally.requeued, tally.sent) == (1, 1)
    assert NoticeMessage.objects.get().status == MessageStatus.SENT


def test_no_mailbox_for_the_council_without_a_mapping(
    world, inpatient, mesh_env, monkeypatch
):
    # Endpoint lookup by ODS code and workflow finds nothing in the sandbox.
    monkeypatch.setenv("JOINEDUP_MESH_RECIPIENTS", "")
    _queue(world, inpatient)
    outbox_process(config=mesh_config_from_env())
    message = NoticeMessage.objects.get()
    assert message.status == MessageStatus.FAILED
    assert "no MESH mailbox for JU-ASC" in message.last_error


def test_council_mailbox_found_by_endpoint_lookup(
    world, inpatient, mesh_env, monkeypatch
):
    # mesh-sandbox registers workflow TEST_WORKFLOW for ODS code X26's mailbox
    # X26ABC2 (its workflows.jsonl); no mapping is configured.
    monkeypatch.setenv("JOINEDUP_MESH_RECIPIENTS", "")
    monkeypatch.setenv("JOINEDUP_MESH_WORKFLOW", "TEST_WORKFLOW")
    x26 = OrganisationFactory(
        code="X26",
        name="Sandbox Council",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    )
    notice_send(
        actor=actor_for(world.discharge_coordinator),
        stay_id=inpatient.pk,
        kind=NoticeKind.ASSESSMENT,
        council_id=x26.pk,
    )
    assert outbox_process(config=mesh_config_from_env()).sent == 1
    assert NoticeMessage.objects.get().recipient_mailbox == "X26ABC2"


def test_wrong_password_fails_with_the_reason_until_retried(
    world, inpatient, mesh_env, monkeypatch
):
    monkeypatch.setenv("JOINEDUP_MESH_PASSWORD", "wrong")
    _queue(world, inpatient)
    assert outbox_process(config=mesh_config_from_env()).failed == 1
    message = NoticeMessage.objects.get()
    assert message.status == MessageStatus.FAILED
    assert "Invalid Authentication Token" in message.last_error
    monkeypatch.setenv("JOINEDUP_MESH_PASSWORD", mesh_env["JOINEDUP_MESH_PASSWORD"])
    tally = outbox_process(config=mesh_config_from_env(), retry_failed=True)
    assert tally.sent == 1


def test_mesh_down_backs_off_then_fails(world, inpatient, monkeypatch):
    _queue(world, inpatient)
    config = _config(JOINEDUP_MESH_MAX_ATTEMPTS="2")
    before = timezone.now()
    assert outbox_process(config=config).retrying == 1
    message = NoticeMessage.objects.get()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.last_error == "could not connect to MESH"
    assert message.next_attempt_at >= before + dt.timedelta(minutes=1)
    # Not due yet: nothing is tried.
    assert outbox_process(config=config).retrying == 0
    NoticeMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_process(config=config).failed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "2 attempts" in message.last_error


def test_command_sends_and_names_missing_settings(
    world, inpatient, mesh_env, monkeypatch, capsys
):
    _queue(world, inpatient)
    assert main(["mesh", "send"]) == 0
    assert "1 sent" in capsys.readouterr().out
    monkeypatch.delenv("JOINEDUP_MESH_SHARED_KEY")
    assert main(["mesh", "send"]) == 2
    assert "JOINEDUP_MESH_SHARED_KEY" in capsys.readouterr().err


def test_person_page_shows_delivery_state(client, world, inpatient, mesh_env):
    assert client.login(
        username=world.discharge_coordinator.username, password=PASSWORD
    )
    url = reverse("discharge_notice", args=[inpatient.pk])
    response = client.post(
        url, {"kind": "assessment", "council": world.council.pk, "how": "mesh"}
    )
    assert response.status_code == 302
    page = client.get(reverse("discharge_person", args=[world.person.pk]))
    assert "MESH: Waiting to be sent" in page.content.decode()
    outbox_process(config=mesh_config_from_env())
    page = client.get(reverse("discharge_person", args=[world.person.pk]))
    assert "MESH: Sent, not yet acknowledged" in page.content.decode()
    # Sending it again is refused with a message, not an error page.
    again = client.post(
        url, {"kind": "assessment", "council": world.council.pk, "how": "mesh"}
    )
    assert again.status_code == 409
    assert "already been sent" in again.content.decode()
