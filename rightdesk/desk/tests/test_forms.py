"""The case actions' own form templates write the same markup as Django's."""

from __future__ import annotations

import pytest
from django import forms

from rightdesk.desk.forms import NoteForm, Select

CHOICES = [("1", "Ann <b>&"), ("2", 'Bo "Q"'), ("", "— none —")]
GROUPED = [("Team A", [("1", "one"), ("2", "two")]), ("3", "three")]


@pytest.mark.parametrize(
    ("choices", "value"),
    [(CHOICES, "2"), (CHOICES, ""), (CHOICES, None), (GROUPED, "2")],
)
def test_select_writes_the_same_options_as_django(choices: list, value: str | None) -> None:
    ours = Select(choices=choices).render("owner", value, attrs={"id": "id_owner"})
    django = forms.Select(choices=choices).render("owner", value, attrs={"id": "id_owner"})
    assert ours == django
    assert ours.count(" selected") == 1  # the chosen option is marked, as in Django's


def test_select_labels_stay_escaped() -> None:
    html = Select(choices=CHOICES).render("owner", "1")
    assert "Ann &lt;b&gt;&amp;</option>" in html
    assert "<b>" not in html


def test_an_action_form_shows_its_errors_and_keeps_the_typed_text() -> None:
    form = NoteForm(data={"note-body": ""}, prefix="note")
    assert not form.is_valid()
    form.add_error(None, "The ticket is <closed>.")
    html = str(form)
    assert '<label for="id_note-body">Internal note</label>' in html
    assert "This field is required." in html
    assert "The ticket is &lt;closed&gt;." in html
