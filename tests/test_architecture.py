"""Conventions a reviewer would otherwise have to police by hand (DESIGN section 2,
STYLE 4): person data is read only through selectors, which go through the access
policy; views and API handlers never query person data themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "joinedup"
# Person data that is not (only) reached through a foreign key to Person.
PERSON_MODELS_NAMED = {
    "Person",
    "Event",
    "Identifier",
    "PersonName",
    "Address",
    "AboutMe",
    "Involvement",
    "CareTeamMember",
}


def _is_thin(path: Path) -> bool:
    """The web layer: every module of a views/ or api/ package, every views*.py
    and every api*.py (an app's REST modules)."""
    parts = path.relative_to(SRC).parts
    return any(p in {"views", "api"} for p in parts[:-1]) or (
        path.name.startswith(("views", "api")) and path.suffix == ".py"
    )


THIN_MODULES = sorted(p for p in SRC.rglob("*.py") if _is_thin(p))


def person_models() -> set[str]:
    """Every model that holds data about a person: the named ones and every model
    with a foreign key (or one-to-one) to Person, found in the app registry."""
    from django.apps import apps

    person = apps.get_model("people", "Person")
    found = set(PERSON_MODELS_NAMED)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                (field.many_to_one or field.one_to_one)
                and field.concrete
                and field.related_model is person
            ):
                found.add(model.__name__)
    return found


def test_the_person_models_are_found_from_the_registry():
    found = person_models()
    assert {"Referral", "Task", "HospitalStay", "ChcCase", "CarePackage"} <= found
    assert "Organisation" not in found


def test_the_web_layer_modules_are_all_checked():
    names = {str(p.relative_to(SRC)) for p in THIN_MODULES}
    assert "coordination/views/plans.py" in names
    assert "funding/views/chc/pages.py" in names
    assert "funding/api/pooled.py" in names
    assert "people/views/review.py" in names
    assert "config/api.py" in names


QUERIES = {"all", "filter", "exclude", "get", "values", "values_list", "first"}


def person_accessors() -> set[str]:
    """The reverse managers through which a person model's rows are reached from
    another row (user.notifications, person.referrals, ...)."""
    from django.apps import apps

    names = person_models()
    accessors = set()
    for model in apps.get_models():
        if model.__name__ not in names:
            continue
        for field in model._meta.get_fields():
            if field.many_to_one and field.concrete and field.remote_field:
                accessors.add(field.remote_field.get_accessor_name())
    return accessors - {None, "+"}


@pytest.mark.parametrize("path", THIN_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_views_and_api_do_not_query_person_data(path):
    models = person_models()
    accessors = person_accessors()
    tree = ast.parse(path.read_text())
    offences = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in QUERIES
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in accessors
        ):
            offences.append(f"{path.name}:{node.lineno} .{node.value.attr}.{node.attr}")
            continue
        if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
            continue
        owner = node.value
        name = (
            owner.id
            if isinstance(owner, ast.Name)
            else owner.attr
            if isinstance(owner, ast.Attribute)
            else ""
        )
        if name in models:
            offences.append(f"{path.name}:{node.lineno} {name}.objects")
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


def test_no_module_imports_another_modules_private_names():
    # A name shared between modules is public (STYLE 4); a leading underscore
    # means "only this module relies on it".
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "joinedup"
            ):
                offenders += [
                    f"{path.relative_to(SRC)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert offenders == []
