"""The CP-IS-style flag on the person page: that a plan exists and whom to
contact, from the record already opened (and audited) by the page."""

from __future__ import annotations

from django import template

from joinedup.people.selectors import PersonAccess
from joinedup.safeguarding.selectors.cases import flags_for

register = template.Library()


@register.inclusion_tag("safeguarding/_flags.html")
def protection_flags(access: PersonAccess) -> dict[str, object]:
    return {"flags": flags_for(access), "person_id": access.person.pk}
