"""The person page's link to the person's urgent community response referrals,
from the record already opened (and audited) by the page: shown only when there
are referrals and the viewer may read health information."""

from __future__ import annotations

from django import template

from joinedup.people.selectors import PersonAccess
from joinedup.ucr.selectors import ucr_person_has_referrals

register = template.Library()


@register.inclusion_tag("ucr/_person_link.html")
def ucr_link(access: PersonAccess) -> dict[str, object]:
    return {
        "show": ucr_person_has_referrals(access=access),
        "person_id": access.person.pk,
    }
