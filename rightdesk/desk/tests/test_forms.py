"""The case actions' own form templates write the same markup as Django's."""

from __future__ import annotations

import pytest
from django import forms

from rightdesk.desk.forms import CallForm, Select

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
    form = CallForm(
        data={"call-direction": "inbound", "call-summary": "Asked about the <b>tow</b>"},
        prefix="call",
    )
    form.data = {**form.data, "call-duration_minutes": "-5"}
    assert not form.is_valid()
    form.add_error(None, "The ticket is <closed>.")
    html = str(form)
    assert '<label for="id_call-summary">What was said</label>' in html
    assert "Asked about the &lt;b&gt;tow&lt;/b&gt;</textarea>" in html  # typed text kept, inert
    assert "Ensure this value is greater than or equal to 0." in html
    assert "The ticket is &lt;closed&gt;." in html
    assert '<span class="helptext">Leave empty for now.</span>' in html
