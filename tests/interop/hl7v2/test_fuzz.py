"""Hypothesis: whatever arrives, the parser raises only Hl7Problem and ingest always
answers AA, AE or AR with a reason, quarantining what it did not apply."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.interop.hl7v2.ack import ack_code_of
from joinedup.interop.hl7v2.ingest import hl7_message_ingest
from joinedup.interop.hl7v2.parse import Hl7Problem, adt_parse
from joinedup.interop.models import QuarantineItem
from tests.interop.conftest import adt

VALID = adt("A01", "F1")
DELIMITERS = st.sampled_from([*"|^~\\&\r\n\x0b\x1c\x00", "MSH", "PID|", "\\F\\"])


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from([VALID, adt("A03", "F2"), adt("A40", "F3", mrg="X")]))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        at = draw(st.integers(0, max(len(text) - 1, 0)))
        piece = draw(st.one_of(DELIMITERS, st.text(max_size=8)))
        if op == "insert":
            text = text[:at] + piece + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif op == "replace":
            text = text[:at] + piece + text[at + len(piece) :]
        else:
            text = text[:at]
    return text


@given(st.one_of(mutated(), st.text(max_size=300)))
@settings(max_examples=400, deadline=None)
def test_parser_raises_only_hl7_problems(text):
    try:
        adt_parse(text)
    except Hl7Problem as problem:
        assert problem.reason
        assert problem.ack_code in ("AE", "AR")


@pytest.mark.django_db
@given(text=mutated())
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_ingest_always_answers(world, text):
    result = hl7_message_ingest(text)
    assert ack_code_of(result.ack) == result.ack_code
    assert result.ack_code in ("AA", "AE", "AR")
    if result.ack_code != "AA":
        assert result.reason
        assert QuarantineItem.objects.filter(pk=result.quarantine_id).exists()


@pytest.mark.parametrize(
    "text",
    [
        "MSH|^~\\&|PAS|RJU\x00X|JU|JU|20261101||ADT^A01|C\x001|P|2.4",
        "\x00MSH|^~\\&|PAS|RJU|JU|JU|20261101||ADT^A01|C1|P|2.4",
    ],
)
def test_nul_characters_are_rejected_and_kept_not_crashed(world, text):
    """Found by the fuzz test on PostgreSQL, whose text cannot hold NUL: the
    message is rejected with a reason and kept in the quarantine."""
    from joinedup.interop.hl7v2.ingest import hl7_message_ingest
    from joinedup.interop.models import QuarantineItem

    result = hl7_message_ingest(text)
    assert result.ack_code in {"AE", "AR"}
    assert result.reason
    item = QuarantineItem.objects.get(pk=result.quarantine_id)
    assert "\x00" not in item.raw
