"""Read-mostly admin views of promises and chases (changes go through the console)."""

from django.contrib import admin

from rightdesk.commitments.models import Chase, Commitment


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("ticket", "kind", "owner", "due_at", "status", "vague", "source")
    list_filter = ("status", "kind", "source", "vague")
    list_select_related = ("ticket", "owner")
    raw_id_fields = ("ticket", "customer", "owner", "source_message", "kept_by", "created_by")
    readonly_fields = ("status", "kept_at", "broken_at", "escalated_at", "cancelled_at")


@admin.register(Chase)
class ChaseAdmin(admin.ModelAdmin):
    list_display = ("ticket", "phrase", "agent", "team", "created_at")
    list_select_related = ("ticket", "agent", "team")
    raw_id_fields = ("message", "ticket", "commitment", "agent")
