"""Admins tune calendars and SLA policies at runtime."""

from django.contrib import admin

from rightdesk.sla.models import Breach, BusinessCalendar, Closure, OpeningSpan, SlaPolicy


class OpeningSpanInline(admin.TabularInline):
    model = OpeningSpan
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "time_zone", "holiday_country", "holiday_subdivision")
    inlines = [OpeningSpanInline, ClosureInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "active",
        "priority",
        "channel",
        "tier",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "refund_payment_minutes",
    )
    list_filter = ("active", "priority", "channel", "tier")


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ("ticket", "metric", "due_at", "breached_at", "owner", "team")
    list_filter = ("metric",)
    list_select_related = ("ticket", "owner", "team")
    raw_id_fields = ("ticket", "owner")
