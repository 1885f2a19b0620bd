"""Admin for what a shop configures at runtime: order sources (webhook secrets), refund policy."""

from __future__ import annotations

from django.contrib import admin

from rightdesk.commerce.models import OrderSource, RefundPolicy


@admin.register(OrderSource)
class OrderSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")


@admin.register(RefundPolicy)
class RefundPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "pay_within_business_days")
