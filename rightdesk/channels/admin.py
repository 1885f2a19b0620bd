"""Admin: mailboxes (address → team, IMAP), the inbound log with quarantine, the outbox."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rightdesk.channels import services
from rightdesk.channels.choices import OutState, RawState
from rightdesk.channels.models import Mailbox, OutboundEmail, RawMessage
from rightdesk.core.errors import DomainError


class MailboxForm(forms.ModelForm):
    """The IMAP password is never sent back to the browser; left empty, it stays as it was."""

    imap_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored; never shown again. Leave empty to keep the current one.",
    )

    class Meta:
        model = Mailbox
        fields = [
            "address",
            "team",
            "active",
            "max_message_bytes",
            "imap_host",
            "imap_port",
            "imap_ssl",
            "imap_username",
            "imap_password",
            "imap_folder",
            "imap_move_to",
        ]

    def clean_imap_password(self) -> str:
        given: str = self.cleaned_data.get("imap_password") or ""
        if not given and self.instance.pk:
            return self.instance.imap_password  # kept as stored (sealed)
        return given  # sealed when the mailbox is saved


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "address",
        "team",
        "active",
        "imap_host",
        "imap_last_polled_at",
        "imap_last_error",
    ]
    list_filter = ["active", "team"]
    readonly_fields = [
        "imap_uidvalidity",
        "imap_last_uid",
        "imap_last_polled_at",
        "imap_last_error",
    ]


@admin.register(RawMessage)
class RawMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "received_at",
        "source",
        "from_address",
        "subject",
        "state",
        "reason_code",
        "reason",
        "ticket",
    ]
    list_filter = ["state", "source", "reason_code", "is_auto_generated"]
    search_fields = ["from_address", "subject", "message_id"]
    exclude = ["raw"]
    readonly_fields = [f.name for f in RawMessage._meta.fields if f.name != "raw"]
    actions = ["retry", "release_join", "release_new"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _each(
        self, request: HttpRequest, queryset: QuerySet[RawMessage], verb: str, **kwargs: object
    ) -> None:
        done = 0
        for raw in queryset:
            try:
                if verb == "retry":
                    services.retry_message(raw_id=raw.pk, actor=request.user)  # type: ignore[arg-type]
                else:
                    services.release_held(
                        raw_id=raw.pk,
                        actor=request.user,  # type: ignore[arg-type]
                        join=bool(kwargs["join"]),
                    )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{raw.pk}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} message(s) done.")

    @admin.action(description="Retry processing (quarantined messages)")
    def retry(self, request: HttpRequest, queryset: QuerySet[RawMessage]) -> None:
        self._each(request, queryset.filter(state=RawState.QUARANTINED), "retry")

    @admin.action(description="Confirm: add held message to the ticket it names")
    def release_join(self, request: HttpRequest, queryset: QuerySet[RawMessage]) -> None:
        self._each(request, queryset.filter(state=RawState.HELD), "release", join=True)

    @admin.action(description="Held message: open a new ticket for its sender instead")
    def release_new(self, request: HttpRequest, queryset: QuerySet[RawMessage]) -> None:
        self._each(request, queryset.filter(state=RawState.HELD), "release", join=False)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "to_address",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "automatic",
    ]
    list_filter = ["state", "automatic"]
    search_fields = ["to_address", "subject", "message_id"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send failed e-mails again")
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> None:
        for outbound in queryset.filter(state=OutState.FAILED):
            services.resend_outbound(outbound_id=outbound.pk, actor=request.user)  # type: ignore[arg-type]
