from django.contrib import admin

from joinedup.discharge.models import SitrepDay


@admin.register(SitrepDay)
class SitrepDayAdmin(admin.ModelAdmin):
    list_display = ("organisation", "site", "day", "generated_at")
    readonly_fields = ("organisation", "site", "day", "figures", "generated_at")
