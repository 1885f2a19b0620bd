"""Admin for what a shop configures at runtime: its places and the lot walk / queue knobs."""

from __future__ import annotations

from django.contrib import admin

from rightdesk.custody.models import CustodySettings, Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")


@admin.register(CustodySettings)
class CustodySettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "confirm_within_hours", "default_job_hours", "throughput_days")
