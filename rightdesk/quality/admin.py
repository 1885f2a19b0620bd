"""Admin: the reply-check rules an admin extends per language, and what was found."""

from __future__ import annotations

from django.contrib import admin

from rightdesk.quality.models import MessageSentiment, ReplyCheckRecord, RuleEntry, RuleSet


class RuleEntryInline(admin.TabularInline):
    model = RuleEntry
    extra = 3
    fields = ("list_name", "value", "note")


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "enabled", "updated_at")
    list_filter = ("language", "enabled")
    inlines = [RuleEntryInline]


@admin.register(RuleEntry)
class RuleEntryAdmin(admin.ModelAdmin):
    list_display = ("value", "list_name", "ruleset")
    list_filter = ("list_name", "ruleset__language")
    search_fields = ("value", "note")


@admin.register(ReplyCheckRecord)
class ReplyCheckRecordAdmin(admin.ModelAdmin):
    list_display = ("ticket", "agent", "kinds", "overridden", "at")
    list_filter = ("overridden",)
    readonly_fields = (
        "ticket",
        "message",
        "agent",
        "kinds",
        "blocking_kinds",
        "findings",
        "overridden",
        "reason",
        "at",
    )


@admin.register(MessageSentiment)
class MessageSentimentAdmin(admin.ModelAdmin):
    list_display = ("message", "label", "compound", "scored_at")
    list_filter = ("label",)
