"""The person page's link to the person's social prescribing, from the record
already opened (and audited) by the page: shown only when there is a case."""

from __future__ import annotations

from django import template

from joinedup.directory.selectors import sp_person_has_cases
from joinedup.people.selectors import PersonAccess

register = template.Library()


@register.inclusion_tag("directory/_person_link.html")
def social_prescribing_link(access: PersonAccess) -> dict[str, object]:
    return {
        "show": sp_person_has_cases(access=access),
        "person_id": access.person.pk,
    }
