"""REST for CHC cases: a case walked from referral to a disputed decision, and
the documented 4xx answers (JSON {"error", "detail", "fields"})."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.config.api import api
from joinedup.funding.rules.chc import CHECKLIST_DOMAINS, DST_DOMAINS
from joinedup.governance.services import token_create
from tests.funding.chc_helpers import chc_setup, today


@pytest.fixture
def c(world):
    return chc_setup(world)


def auth(username: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=username)}"}


def post(client, url, body, who):
    return client.post(url, body, content_type="application/json", **auth(who))


BASE = "/api/v1/chc"


def test_a_case_from_referral_to_interim_funding(client, c):
    r = post(
        client,
        f"{BASE}/cases",
        {"person_id": c.world.person.pk, "icb_id": c.world.icb.pk},
        "dc",
    )
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "checklist" and case["checklist"] is None
    cid = case["id"]
    scores = {d: "C" for d in CHECKLIST_DOMAINS} | {"breathing": "A"}
    r = post(client, f"{BASE}/cases/{cid}/checklist", {"scores": scores}, "dc")
    assert r.status_code == 400
    assert r.json()["fields"] == {"completed_on": "enter a date"}
    r = post(
        client,
        f"{BASE}/cases/{cid}/checklist",
        {"scores": scores, "completed_on": str(today())},
        "dc",
    )
    assert r.status_code == 200 and r.json()["status"] == "assessment"
    assert r.json()["due_on"] == str(today() + dt.timedelta(days=28))
    levels = {d: "no_needs" for d in DST_DOMAINS} | {"breathing": "priority"}
    dst = {
        "levels": levels,
        "evidence": {"breathing": "unstable"},
        "members": [
            {"name": "Nia", "profession": "nurse"},
            {"name": "Sam", "profession": "social_worker"},
        ],
        "nature": "n",
        "intensity": "i",
        "complexity": "c",
        "unpredictability": "u",
        "completed_on": str(today()),
    }
    r = post(client, f"{BASE}/cases/{cid}/dst", dst, "chc")
    assert r.status_code == 200, r.content
    assert r.json()["dst"]["indication"] == "indicated"
    r = post(
        client,
        f"{BASE}/cases/{cid}/recommendation",
        {"primary_health_need": True, "rationale": "r", "recommended_on": str(today())},
        "chc",
    )
    assert r.json()["status"] == "decision"
    r = post(
        client,
        f"{BASE}/cases/{cid}/decision",
        {"outcome": "chc", "effective_from": str(today()), "decided_on": str(today())},
        "chc",
    )
    assert r.status_code == 200 and r.json()["decision"]["outcome"] == "chc"
    assert len(r.json()["reviews"]) == 1
    r = post(
        client,
        f"{BASE}/cases/{cid}/disputes",
        {"kind": "interagency", "raised_on": str(today()), "grounds": "g"},
        "sw",
    )
    assert r.status_code == 201, r.content
    dispute = r.json()["disputes"][0]
    assert dispute["stages"][0]["stage"] == "local_joint_dispute"
    r = post(
        client,
        f"{BASE}/disputes/{dispute['id']}/interim-funding",
        {"payer": "council", "from_date": str(today())},
        "sw",
    )
    assert r.status_code == 200
    assert r.json()["disputes"][0]["interim"]["payer"] == "council"
    r = client.get(f"{BASE}/cases/{cid}", **auth("chc"))
    assert r.status_code == 200 and r.json()["id"] == cid
    r = client.get(f"{BASE}/cases", **auth("chc"))
    assert [x["id"] for x in r.json()["cases"]] == [cid]
    r = client.get(f"{BASE}/people/{c.world.person.pk}/cases", **auth("sw"))
    assert r.status_code == 200 and r.json()[0]["id"] == cid


def test_documented_errors(client, c):
    r = post(client, f"{BASE}/cases", {"person_id": c.world.stranger.pk}, "dc")
    assert r.status_code == 403 and r.json()["error"] == "access_refused"
    r = client.get(f"{BASE}/cases/999999", **auth("chc"))
    assert r.status_code == 404 and r.json()["fields"] == {"case": "no such case"}
    r = post(client, f"{BASE}/cases", {"person_id": c.world.person.pk}, "dc")
    cid = r.json()["id"]
    r = post(client, f"{BASE}/cases", {"person_id": c.world.person.pk}, "dc")
    assert r.status_code == 409
    r = post(
        client,
        f"{BASE}/cases/{cid}/decision",
        {"outcome": "chc", "effective_from": str(today()), "decided_on": str(today())},
        "chc",
    )
    assert r.status_code == 400
    assert r.json()["fields"] == {"decision": "record a positive Checklist first"}
    r = client.get(f"{BASE}/cases?status=nonsense", **auth("chc"))
    assert r.status_code == 400 and "status" in r.json()["fields"]
    r = client.get(f"{BASE}/cases")
    assert r.status_code == 401


def test_every_case_operation_documents_its_4xx():
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        if not path.startswith(f"{BASE}/") or "evaluate" in path:
            continue
        for op in ops.values():
            assert {400, 403, 404, 409} <= {int(k) for k in op["responses"]}, path
