from django.contrib import admin

from joinedup.record.models import SourceSystem


@admin.register(SourceSystem)
class SourceSystemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organisation", "kind")
