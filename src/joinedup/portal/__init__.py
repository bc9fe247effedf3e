"""The person's own view of their record (/me/): sign-in for the person or their
proxy, About me, the plan, appointments, the care team, the budget, who has seen
the record, and consent choices. See docs/portal.md."""
