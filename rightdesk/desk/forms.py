"""Console forms: they parse and validate input; the rules live in the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from rightdesk.accounts.models import Team
from rightdesk.accounts.services import agent_name
from rightdesk.core.errors import DomainError
from rightdesk.tickets.choices import TRANSITIONS, CallDirection, Channel, Priority, Status
from rightdesk.tickets.models import Handoff, Message, Ticket

#: Where a service's error field is called differently in a console form.
FIELD_ALIASES = {
    "duration_seconds": "duration_minutes",
    "ticket": "target",
    "body": "body",
    "summary": "summary",
}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form field it concerns, or on the whole form."""
    field = FIELD_ALIASES.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def agent_choices(agents: Iterable[User]) -> list[tuple[str, str]]:
    return [(str(user.pk), agent_name(user)) for user in agents]


class Select(forms.Select):
    """A select that writes its options in place (see ``desk/widgets/select.html``)."""

    template_name = "desk/widgets/select.html"


class ActionForm(forms.Form):
    """A form of the case page's actions: rendered whole, errors first, one ``div`` per field."""

    template_name = "desk/forms/fields.html"


class ReplyForm(ActionForm):
    body = forms.CharField(label="Reply to the customer", widget=forms.Textarea(attrs={"rows": 5}))
    status = forms.ChoiceField(label="Then set status", required=False, widget=Select)
    override_reason = forms.CharField(
        label="Reason to send despite the reply check", required=False, max_length=1000
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = sorted(TRANSITIONS.get(ticket.status, frozenset()), key=Status.values.index)
        _choice_field(self, "status").choices = [("", "Keep as is")] + [
            (value, Status(value).label) for value in allowed
        ]


class NoteForm(ActionForm):
    body = forms.CharField(label="Internal note", widget=forms.Textarea(attrs={"rows": 3}))


class CallForm(ActionForm):
    direction = forms.ChoiceField(label="Direction", choices=CallDirection.choices, widget=Select)
    party = forms.CharField(label="Who was on the line", max_length=200, required=False)
    started_at = forms.DateTimeField(
        label="Started at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty for now.",
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=0, max_value=1440, required=False
    )
    summary = forms.CharField(label="What was said", widget=forms.Textarea(attrs={"rows": 3}))


class FactForm(ActionForm):
    label = forms.CharField(
        label="Fact",
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Car colour"}),
    )
    value = forms.CharField(label="Value", max_length=500)
    source_message = forms.ChoiceField(label="Told us in", required=False, widget=Select)
    source_note = forms.CharField(label="Source note", max_length=200, required=False)

    def __init__(self, *args: Any, messages: Iterable[Message] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._messages = {str(m.pk): m for m in messages if m.kind in ("inbound", "call")}
        _choice_field(self, "source_message").choices = [("", "—")] + [
            (pk, f"{m.get_kind_display()}, {timezone.localtime(m.created_at):%Y-%m-%d %H:%M}")
            for pk, m in self._messages.items()
        ]

    def clean_source_message(self) -> Message | None:
        value = self.cleaned_data.get("source_message") or ""
        return self._messages.get(value)


class AssignForm(ActionForm):
    owner = forms.ChoiceField(label="New owner", widget=Select)
    team = forms.ChoiceField(label="Team", required=False, widget=Select)
    note = forms.CharField(
        label="Handoff note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the ticket already has an owner: what should they know first?",
    )

    def __init__(
        self, *args: Any, agents: Iterable[User], teams: Iterable[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._agents = {str(user.pk): user for user in agents}
        self._teams = {str(team.pk): team for team in teams}
        _choice_field(self, "owner").choices = agent_choices(self._agents.values())
        _choice_field(self, "team").choices = [("", "Keep team")] + [
            (pk, team.name) for pk, team in self._teams.items()
        ]

    def clean_owner(self) -> User:
        return self._agents[self.cleaned_data["owner"]]

    def clean_team(self) -> Team | None:
        return self._teams.get(self.cleaned_data.get("team") or "")


class StatusForm(ActionForm):
    status = forms.ChoiceField(label="New status", widget=Select)
    reason = forms.CharField(label="Reason", max_length=300, required=False)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = sorted(TRANSITIONS.get(ticket.status, frozenset()), key=Status.values.index)
        _choice_field(self, "status").choices = [(value, Status(value).label) for value in allowed]


class PriorityForm(ActionForm):
    priority = forms.TypedChoiceField(
        label="Priority", choices=Priority.choices, coerce=int, widget=Select
    )


class MergeForm(ActionForm):
    target = forms.CharField(
        label="Merge this ticket into",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "RD-1042"}),
        help_text="Messages and history move to that ticket; this one points to it.",
    )


class NewTicketForm(forms.Form):
    customer = forms.ChoiceField(label="Existing customer", required=False)
    new_name = forms.CharField(label="New customer: name", max_length=200, required=False)
    new_email = forms.EmailField(label="E-mail", required=False)
    new_phone = forms.CharField(label="Phone", max_length=40, required=False)
    subject = forms.CharField(label="Subject", max_length=300)
    body = forms.CharField(
        label="What the customer told us", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    channel = forms.ChoiceField(label="Channel", choices=Channel.choices, initial=Channel.PHONE)
    priority = forms.TypedChoiceField(
        label="Priority", choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    team = forms.ChoiceField(label="Team", required=False)
    owner = forms.ChoiceField(label="Owner", required=False)

    def __init__(
        self,
        *args: Any,
        customers: Iterable[Any],
        agents: Iterable[User],
        teams: Iterable[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._customers = {str(c.pk): c for c in customers}
        self._agents = {str(user.pk): user for user in agents}
        self._teams = {str(team.pk): team for team in teams}
        _choice_field(self, "customer").choices = [("", "— new customer —")] + [
            (pk, c.name) for pk, c in self._customers.items()
        ]
        _choice_field(self, "owner").choices = [
            ("", "Nobody yet"),
            *agent_choices(self._agents.values()),
        ]
        _choice_field(self, "team").choices = [("", "No team")] + [
            (pk, team.name) for pk, team in self._teams.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer = self._customers.get(data.get("customer") or "")
        data["customer"] = customer
        data["owner"] = self._agents.get(data.get("owner") or "")
        data["team"] = self._teams.get(data.get("team") or "")
        if customer is None:
            if not (data.get("new_name") or "").strip():
                self.add_error("new_name", "Pick an existing customer or give the new one a name.")
            elif not (data.get("new_email") or data.get("new_phone")):
                self.add_error("new_email", "Give an e-mail address or a phone number.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Shop website"}),
    )
    days = forms.IntegerField(label="Valid for (days)", min_value=1, max_value=366, initial=90)


class HandoffsSeenForm(forms.Form):
    """The handoff notes on this ticket the agent was shown and has read (hidden fields
    of the button); the service marks only those addressed to them and still unread."""

    handoff = forms.ModelMultipleChoiceField(
        queryset=Handoff.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["handoff"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Handoff.objects.filter(ticket=ticket)
