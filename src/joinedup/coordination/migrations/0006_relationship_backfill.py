"""Fill the register of relationships from open care team memberships and open
tasks (reversible: reversing removes those rows)."""

from django.db import migrations

from joinedup.coordination.relationships import _members, _tasks
from joinedup.governance.services.relationships import backfill_operation


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0005_assessment_plans_referrals_mdt_notifications"),
        ("governance", "0005_relationship_register"),
    ]

    operations = [
        backfill_operation(
            "coordination.care_team", "coordination.CareTeamMember", _members
        ),
        backfill_operation("coordination.task", "coordination.Task", _tasks),
    ]
