from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from joinedup.governance.models import ApiToken, Membership, Organisation, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class JoinedUpUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Work", {"fields": ("job_title",)}))


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type")
    list_filter = ("type",)
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")
