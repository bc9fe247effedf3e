"""A field of a safeguarding step form, with its value, choices and error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("safeguarding/_field.html")
def step_field(
    f: Any, form: Any, obj: Any, errors: Mapping[str, str]
) -> dict[str, object]:
    return {
        "f": f,
        "value": form.values.get(f.name, ""),
        "options": f.options(obj),
        "error": errors.get(f.name, ""),
    }
