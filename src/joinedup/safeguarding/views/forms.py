"""One way every safeguarding step form is described, read and shown: fields with
labels and choices; values read as text, dates, numbers, yes/no and lists, each
refusal naming its field. The services validate the rest and save nothing when
they refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from joinedup.errors import InvalidInput
from joinedup.web.problems import form_date

YES_NO = {"yes": "Yes", "no": "No"}
DATE_HINT = "For example, 15/3/2026"

Choices = Mapping[str, str] | Callable[[Any], Mapping[str, str]]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | textarea | date | select | checkboxes
    choices: Choices | None = None
    hint: str = ""

    def options(self, obj: Any) -> Mapping[str, str]:
        if self.choices is None:
            return {}
        if callable(self.choices):
            return self.choices(obj)
        return self.choices


def yes_no(name: str, label: str, hint: str = "") -> Field:
    return Field(name, label, "select", YES_NO, hint)


def date(name: str, label: str) -> Field:
    return Field(name, label, "date", hint=DATE_HINT)


@dataclass
class Form:
    fields: tuple[Field, ...]
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, fields: tuple[Field, ...], data: QueryDict | None) -> Form:
        values: dict[str, Any] = {}
        for f in fields:
            if f.kind == "checkboxes":
                values[f.name] = data.getlist(f.name) if data is not None else []
            else:
                values[f.name] = (
                    data.get(f.name, "") if data is not None else ""
                ).strip()
        return cls(fields, values)

    def text(self, name: str) -> str:
        return str(self.values.get(name, ""))

    def list(self, name: str) -> list[str]:
        return list(self.values.get(name, []))

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        return form_date(self.text(name), name, required=required)

    def int(self, name: str) -> int | None:
        raw = self.text(name)
        if not raw:
            return None
        if not raw.isdigit():
            raise InvalidInput.for_field(name, "choose from the list")
        return int(raw)

    def yes_no(self, name: str) -> bool | None:
        raw = self.text(name)
        if raw not in ("", "yes", "no"):
            raise InvalidInput.for_field(name, "answer yes or no")
        return None if raw == "" else raw == "yes"

    def labelled(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Errors for the summary, each prefixed with its field's label."""
        labels = {f.name: f.label for f in self.fields}
        return {k: f"{labels[k]}: {v}" if k in labels else v for k, v in errors.items()}
