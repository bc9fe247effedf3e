"""Fill the register of relationships from existing involvements and GP
registrations (reversible: reversing removes those rows)."""

from django.db import migrations

from joinedup.governance.services.relationships import backfill_operation
from joinedup.people.relationships import _involvements, _registrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_postcode_areas"),
        ("governance", "0005_relationship_register"),
    ]

    operations = [
        backfill_operation("people.involvement", "people.Involvement", _involvements),
        backfill_operation("people.registered_gp", "people.Person", _registrations),
    ]
