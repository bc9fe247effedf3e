"""The register of legitimate relationships, filled from claims and break-glass
uses (reversible)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from joinedup.governance.relationships import _break_glass, _claims
from joinedup.governance.services.relationships import backfill_operation


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0004_audit_chain_append_only'),
        ('people', '0005_postcode_areas'),
    ]

    operations = [
        migrations.CreateModel(
            name='Relationship',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('care_team', "In the person's care team"), ('registered_gp', "The person's registered GP practice"), ('hospital_patient', "The person is the hospital's patient"), ('open_work', 'Holds open work for the person (task or referral)'), ('involvement', "The organisation's systems hold the person's records"), ('self_claimed', 'A relationship the professional stated'), ('break_glass', 'Break-glass access'), ('sharing_agreement', 'Through a sharing agreement')], max_length=20)),
                ('detail', models.CharField(blank=True, max_length=40)),
                ('source_app', models.CharField(max_length=40)),
                ('source_ref', models.CharField(max_length=60)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='governance.organisation')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='relationships', to='people.person')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='governance.team')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['person_id', 'kind', 'started_at'],
                'indexes': [models.Index(fields=['person', 'kind'], name='governance__person__c32961_idx'), models.Index(fields=['user', 'kind'], name='governance__user_id_3c1c0d_idx'), models.Index(fields=['team', 'kind'], name='governance__team_id_9f61b9_idx'), models.Index(fields=['organisation', 'kind'], name='governance__organis_d4d246_idx'), models.Index(fields=['source_app', 'source_ref'], name='governance__source__b1d922_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('user__isnull', False), ('team__isnull', False), ('organisation__isnull', False), _connector='OR'), name='relationship_has_actor'), models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('source_app', 'source_ref', 'kind'), name='relationship_one_open_per_source')],
            },
        ),
        backfill_operation("governance.claim", "governance.RelationshipClaim", _claims),
        backfill_operation(
            "governance.break_glass", "governance.BreakGlass", _break_glass
        ),
    ]
