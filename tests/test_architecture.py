"""Conventions a reviewer would otherwise have to police by hand (DESIGN section 2,
STYLE 4): person data is read only through selectors, which go through the access
policy; views and API handlers never query person data themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "joinedup"
PERSON_MODELS = {
    "Person",
    "Event",
    "Identifier",
    "PersonName",
    "Address",
    "AboutMe",
    "Involvement",
    "CareTeamMember",
}
THIN_MODULES = sorted(p for p in SRC.rglob("*.py") if p.name in {"views.py", "api.py"})


@pytest.mark.parametrize("path", THIN_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_and_api_do_not_query_person_data(path):
    tree = ast.parse(path.read_text())
    offences = [
        f"{path.name}:{node.lineno} {node.value.id}.objects"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in PERSON_MODELS
    ]
    assert not offences, "query person data through a selector: " + ", ".join(offences)


def test_no_print_in_library_code():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.relative_to(SRC).parts[0] == "cli":  # the commands print
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "print"
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders
