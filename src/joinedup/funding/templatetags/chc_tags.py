"""Template helpers for the CHC pages: look up a form value or an error by a
field name held in a variable."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def item(mapping: Any, key: Any) -> Any:
    """mapping[key], or "" when absent (for forms and error dicts)."""
    if not hasattr(mapping, "get"):
        return ""
    return mapping.get(str(key), "")


@register.simple_tag
def field_name(*parts: Any) -> str:
    """A field name from parts: {% field_name "domains" d as n %} -> domains.d"""
    return ".".join(str(p) for p in parts)
