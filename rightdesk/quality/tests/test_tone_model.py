"""The learnt tone model: new wordings of a slight become advice; polite replies stay clean."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from rightdesk.customers.models import Customer
from rightdesk.quality.engine import CheckContext, run_checks, tonemodel
from rightdesk.quality.engine.findings import TONE_KINDS
from rightdesk.quality.engine.tonemodel import (
    ToneModel,
    features,
    model_of,
    train,
    wait_for_training,
)
from rightdesk.quality.models import RuleEntry, RuleList, RuleSet
from rightdesk.quality.rules import (
    DATA_DIR,
    compile_rules,
    merge_entries,
    parse_example,
    read_examples,
    shipped_data,
    shipped_rules,
)
from rightdesk.quality.services import check_reply, warm_reply_check
from rightdesk.tickets.models import Ticket
from rightdesk.tickets.services import create_ticket

RULES = shipped_rules("en")


@pytest.fixture
def ticket(customer: Customer, agent: User) -> Ticket:
    return create_ticket(
        customer=customer,
        subject="Repair estimate",
        owner=agent,
        body_text="When will the repair estimate for my car be ready?",
    )


def _context() -> CheckContext:
    return CheckContext(
        customer_name="Maria Gonzalez",
        preferred_name="Maria",
        agent_name="Dana Price",
        last_customer_message="My order arrived damaged. Can I have a refund or a new one?",
        subject="Damaged order",
    )


def _tone(draft: str) -> list[tuple[str, str, str]]:
    return [
        (f.kind, f.severity, draft[f.start : f.end])
        for f in run_checks(_context(), draft, RULES)
        if f.kind in TONE_KINDS
    ]


# Wordings that are in no phrase list and in none of the shipped examples.
@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        (
            "Another firm would charge you twice for that, so a thank-you would be nice.",
            "arrogance",
        ),
        (
            "Perhaps have a look at the instructions before assuming something's broken.",
            "condescension",
        ),
        ("That's for the courier to sort out, not us.", "deflection"),
        ("Your complaint is noted and will not be actioned.", "hostile_tone"),
    ],
)
def test_a_new_wording_of_a_slight_is_advice_of_its_kind(sentence: str, kind: str) -> None:
    assert not any(sentence.lower() in text.lower() for _kind, text in RULES.tone_examples)
    draft = f"Hi Maria,\n\nSorry the order arrived damaged. {sentence}\n\nDana"
    assert _tone(draft) == [(kind, "advice", sentence)]


@pytest.mark.parametrize(
    "sentence",
    [
        "We'd be grateful if you could send a photo of the label.",
        "Thanks for your patience while we sorted the refund.",
        "You were lucky the part was in stock, so it's fitted already.",
        "I've contacted the courier myself and will update you on Friday.",
    ],
)
def test_polite_replies_that_share_words_with_slights_stay_clean(sentence: str) -> None:
    draft = (
        f"Hi Maria,\n\nSorry the order arrived damaged; a new one ships today. {sentence}\n\nDana"
    )
    assert _tone(draft) == []


def test_a_sentence_with_a_phrase_finding_gets_no_second_tone_finding() -> None:
    draft = "Hi Maria,\n\nAs I already said, the refund went out today.\n\nDana"
    assert [kind for kind, _severity, _text in _tone(draft)] == ["condescension"]


def test_quoted_customer_words_are_not_read_as_the_agents_tone() -> None:
    said = "Your complaint is noted and will not be actioned."
    assert _tone(f"Hi Maria,\n\n{said}\n\nDana") == [("hostile_tone", "advice", said)]
    draft = f'Hi Maria,\n\nThe driver told you: "{said}" I am sorry; I have spoken to him.\n\nDana'
    assert _tone(draft) == []


def test_owning_the_handoff_cancels_a_learnt_deflection() -> None:
    draft = (
        "Hi Maria,\n\nThat's for the courier to sort out, not us. I've forwarded your claim "
        "to them and will chase it.\n\nDana"
    )
    assert _tone(draft) == []
    alone = "Hi Maria,\n\nThat's for the courier to sort out, not us.\n\nDana"
    assert [kind for kind, _severity, _text in _tone(alone)] == ["deflection"]


def test_a_kind_of_its_own_floor_is_raised_or_lowered_alone() -> None:
    sentence = "That's for the courier to sort out, not us."
    draft = f"Hi Maria,\n\nSorry the order arrived damaged. {sentence}\n\nDana"
    context = _context()
    assert _tone(draft) == [("deflection", "advice", sentence)]

    def tone_with(*entries: tuple[str, str]) -> list[str]:
        rules = compile_rules(merge_entries(shipped_data("en"), entries))
        return [f.kind for f in run_checks(context, draft, rules) if f.kind in TONE_KINDS]

    # Deflection's own floor above any probability silences deflection alone ...
    assert tone_with(("threshold", "tone_model_min_deflection=1")) == []
    # ... and a floor for another kind leaves it as it was.
    assert tone_with(("threshold", "tone_model_min_arrogance=1")) == ["deflection"]
    # The older name for hostile tone's floor still sets it, over the shipped value.
    hostile = "Hi Maria,\n\nYour complaint is noted and will not be actioned.\n\nDana"
    rules = compile_rules(
        merge_entries(shipped_data("en"), [("threshold", "tone_model_hostile_min=1")])
    )
    assert rules.thresholds["tone_model_min_hostile_tone"] == 1.0
    assert [f.kind for f in run_checks(context, hostile, rules) if f.kind in TONE_KINDS] == []
    assert [f.kind for f in run_checks(context, hostile, RULES) if f.kind in TONE_KINDS] == [
        "hostile_tone"
    ]
    # A clean sentence stays clean when one kind's floor is lowered a little.
    calm = "Hi Maria,\n\nThe new one ships today by tracked post.\n\nDana"
    rules = compile_rules(
        merge_entries(shipped_data("en"), [("threshold", "tone_model_min_deflection=0.3")])
    )
    assert [f.kind for f in run_checks(context, calm, rules) if f.kind in TONE_KINDS] == []


def test_the_shipped_examples_cover_every_kind_and_are_data() -> None:
    examples = read_examples(DATA_DIR / "tone_examples_en.jsonl")
    kinds = {kind for kind, _text in examples}
    assert kinds == {
        "clean",
        "disrespect",
        "condescension",
        "arrogance",
        "deflection",
        "hostile_tone",
    }
    assert len(examples) >= 1500
    assert RULES.tone_examples == tuple(examples)


def test_training_is_deterministic_and_learns_from_its_examples() -> None:
    examples = [
        ("clean", "Your parcel is on its way today."),
        ("clean", "Your refund is on its way today."),
        ("clean", "Thanks, your parcel arrived safely."),
        ("arrogance", "Be grateful we even answered you."),
        ("arrogance", "Be grateful we even bothered."),
        ("arrogance", "You should be grateful we even bothered."),
    ]
    first, second = train(examples), train(examples)
    assert first == second
    assert first.predict("Be grateful we even replied to you.")[0] == "arrogance"
    assert first.predict("Be grateful we even replied to you.")[1] > 0.5
    assert first.predict("Your parcel is on its way.")[1] < 0.5


def test_features_make_names_and_numbers_general() -> None:
    assert features("Your Civic cost 120 pounds") == features("Your Passat cost 95 pounds")


def test_admin_examples_parse_and_bad_ones_are_skipped() -> None:
    assert parse_example("Arrogance: We are simply better than the rest.") == (
        "arrogance",
        "We are simply better than the rest.",
    )
    assert parse_example("hostile tone: Go away.") == ("hostile_tone", "Go away.")
    assert parse_example("rudeness: Go away.") is None
    assert parse_example("no colon here") is None
    assert parse_example("clean:   ") is None
    merged = merge_entries(
        shipped_data("en"),
        [("tone_example", "clean: Happy to help."), ("tone_example", "nonsense")],
    )
    rules = compile_rules(merged, "en")
    assert rules.tone_examples[-1] == ("clean", "Happy to help.")
    assert len(rules.tone_examples) == len(RULES.tone_examples) + 1


def test_an_admin_tone_example_retrains_the_model_for_the_console(
    ticket: Ticket, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = "Hi Maria,\n\nYour estimate is ready. Zorblax quibbles never get the discount.\n\nDana"
    assert check_reply(ticket=ticket, draft=draft, author=agent) == []
    ruleset = RuleSet.objects.create(name="House style", language="en")
    for text in (
        "Zorblax quibbles never get the discount.",
        "Zorblax quibbles never get anything from us.",
        "Zorblax quibbles never get a reply.",
        "Zorblax quibbles never get the discount, sorry.",
        "Zorblax quibbles never get a refund.",
        "Zorblax quibbles never get the discount here.",
    ):
        RuleEntry.objects.create(
            ruleset=ruleset, list_name=RuleList.TONE_EXAMPLE, value=f"hostile_tone: {text}"
        )
    # The new model trains in the background; until it is ready the check answers at
    # once with the model trained last, which has never seen these sentences.
    release = threading.Event()

    def slow_train(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=60)
        return real_train(*args, **kwargs)

    real_train = tonemodel.train
    monkeypatch.setattr(tonemodel, "train", slow_train)
    monkeypatch.setattr(tonemodel, "_cache_dir", None)  # trains in this process
    assert check_reply(ticket=ticket, draft=draft, author=agent) == []
    release.set()
    wait_for_training()
    findings = check_reply(ticket=ticket, draft=draft, author=agent)
    assert [(f.kind, f.severity) for f in findings] == [("hostile_tone", "advice")]
    assert "learnt guess" in findings[0].explanation


def test_the_model_is_trained_once_per_rules() -> None:
    assert model_of(RULES) is model_of(RULES)


def test_warming_up_trains_the_model_the_first_check_uses() -> None:
    rules = compile_rules(shipped_data("en"), "en")
    assert "tone_model" not in rules.extras
    warm_reply_check()
    # The shipped rules now hold the model; rules with the same examples reuse its training.
    assert shipped_rules("en").extras["tone_model"] is model_of(rules)


def test_coldness_spread_over_several_sentences_adds_up_to_advice() -> None:
    sentences = [
        "Well, it's a weekend, so yes, it's pending.",
        "Nothing anyone can do about it before then.",
    ]
    model = model_of(RULES)
    leaning = [model.probabilities(s)["hostile_tone"] for s in sentences]
    floor = RULES.thresholds["tone_model_min_hostile_tone"]
    # No sentence alone reaches the hostile floor ...
    assert all(p < floor for p in leaning), leaning
    draft = "Hi Maria,\n\n" + " ".join(sentences) + "\n\nDana"
    found = [(f.kind, f.severity) for f in run_checks(_context(), draft, RULES)]
    # ... but together they read as cold, and the agent is asked to look again.
    assert ("hostile_tone", "advice") in found
    # One such sentence among polite ones is left alone.
    polite = (
        "Hi Maria,\n\nThanks for checking. Well, it's a weekend, so yes, it's pending. "
        "Your transfer is booked and arrives by 9am on Monday.\n\nDana"
    )
    assert "hostile_tone" not in [f.kind for f in run_checks(_context(), polite, RULES)]
    # The sum is the admin's to set.
    strict = compile_rules(
        merge_entries(shipped_data("en"), [("threshold", "tone_model_draft_hostile_sum=5")])
    )
    assert "hostile_tone" not in [f.kind for f in run_checks(_context(), draft, strict)]


def _raises(error: Exception) -> Callable[..., Any]:
    """A stand-in for a training step that fails with ``error``."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    return fail


@pytest.fixture
def trained_before() -> ToneModel:
    """The model for the shipped examples, so new examples train in the background."""
    model_of(RULES)
    return tonemodel._latest["en"]


def test_a_failed_background_training_is_not_left_pending(
    monkeypatch: pytest.MonkeyPatch, trained_before: ToneModel
) -> None:
    previous = trained_before
    monkeypatch.setattr(tonemodel, "train", _raises(RuntimeError("out of memory")))
    monkeypatch.setattr(tonemodel, "_cache_dir", None)  # trains in this process
    rules = compile_rules(
        merge_entries(shipped_data("en"), [("tone_example", "hostile_tone: Quibbles never win.")]),
        "en",
    )
    assert model_of(rules) is previous  # the check answers with the model trained last
    wait_for_training()  # returns: the failed training is not left pending
    assert not tonemodel._training
    assert "tone_model" not in rules.extras  # and the next check tries again


def test_a_new_model_trains_in_a_process_of_its_own_and_is_kept_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained_before: ToneModel
) -> None:
    monkeypatch.setattr(tonemodel, "_cache_dir", tmp_path)
    previous = trained_before
    kept = set(tmp_path.glob("tone-*.pickle"))
    monkeypatch.setattr(tonemodel, "train", _raises(AssertionError("trained in the web process")))
    merged = merge_entries(
        shipped_data("en"),
        [("tone_example", f"hostile_tone: Zorblax quibbles never win {n}.") for n in range(6)],
    )
    rules = compile_rules(merged, "en")
    assert model_of(rules) is previous  # the console answers at once
    wait_for_training()
    trained = model_of(rules)
    assert trained is not previous
    assert trained.predict("Zorblax quibbles never win.")[0] == "hostile_tone"
    assert len(set(tmp_path.glob("tone-*.pickle")) - kept) == 1
    # A new process (no model in memory) loads the kept model instead of training.
    monkeypatch.setattr(tonemodel, "_models", {})
    monkeypatch.setattr(tonemodel, "_latest", {})
    loaded = model_of(compile_rules(merged, "en"))
    assert loaded is not trained and loaded == trained


def test_a_kept_model_is_loaded_only_with_its_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = train((("clean", "Your car is ready."), ("hostile_tone", "Stop writing to us.")) * 2)
    path = tmp_path / "tone-test.pickle"
    monkeypatch.setattr(tonemodel, "_cache_key", b"this install")
    tonemodel._store(path, model)
    assert tonemodel._load(path) == model
    # Another key, or a pickle put there by someone else, is never unpickled.
    monkeypatch.setattr(tonemodel, "_cache_key", b"another install")
    assert tonemodel._load(path) is None
    path.write_bytes(pickle.dumps(model))
    assert tonemodel._load(path) is None


def test_a_failed_training_process_falls_back_to_training_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained_before: ToneModel
) -> None:
    monkeypatch.setattr(tonemodel, "_cache_dir", tmp_path)
    previous = trained_before
    monkeypatch.setattr(tonemodel, "_train_elsewhere", _raises(RuntimeError("no python here")))
    rules = compile_rules(
        merge_entries(shipped_data("en"), [("tone_example", "hostile_tone: Quibbles lose.")]),
        "en",
    )
    assert model_of(rules) is previous
    wait_for_training()
    assert model_of(rules) is not previous  # trained here after all
    assert "tone_model" in rules.extras
