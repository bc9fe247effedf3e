"""Level 1 set-up: a voluntary organisation with a social prescribing team (link
workers) and a directory editor, a leisure trust on JoinedUp that answers
referrals, and the hand-written ORUK file imported."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import pytest

from joinedup.directory.models import DirectoryOrganization
from joinedup.directory.services import directory_import
from joinedup.governance.models import Organisation, OrganisationType, Role, Team, User
from tests.conftest import actor_for
from tests.factories import OrganisationFactory, professional

ORUK_FILE = pathlib.Path(__file__).parent / "data" / "oruk_services.json"


@dataclass
class Level1:
    connectors: Organisation
    sp_team: Team
    link_worker: User
    editor: User
    leisure: Organisation
    leisure_worker: User


def level1_make() -> Level1:
    connectors = OrganisationFactory(
        code="VJU01",
        name="Joinedup Community Connectors",
        type=OrganisationType.VOLUNTARY_SECTOR,
    )
    sp_team = Team.objects.create(organisation=connectors, name="Social prescribing")
    link_worker = professional(
        Role.SOCIAL_PRESCRIBING_LINK_WORKER, connectors, username="linkworker"
    )
    link_worker.memberships.update(team=sp_team)
    editor = professional(Role.DIRECTORY_EDITOR, connectors, username="editor")
    leisure = OrganisationFactory(
        code="VJU02",
        name="Joinedup Leisure Trust",
        type=OrganisationType.VOLUNTARY_SECTOR,
    )
    leisure_worker = professional(
        Role.SOCIAL_PRESCRIBING_LINK_WORKER, leisure, username="leisureworker"
    )
    return Level1(connectors, sp_team, link_worker, editor, leisure, leisure_worker)


@pytest.fixture
def level1(world) -> Level1:
    made = level1_make()
    directory_import(actor=actor_for(made.editor), content=ORUK_FILE.read_text())
    DirectoryOrganization.objects.filter(name="Joinedup Leisure Trust").update(
        organisation=made.leisure
    )
    return made
