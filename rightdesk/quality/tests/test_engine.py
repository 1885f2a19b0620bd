"""Each kind of the reply check on small drafts, with exact spans (pure, no database)."""

from __future__ import annotations

import pytest

from rightdesk.quality.engine import CheckContext, Field, Finding, answered_asks, run_checks
from rightdesk.quality.engine.findings import TONE_KINDS
from rightdesk.quality.rules import compile_rules, merge_entries, shipped_data, shipped_rules

RULES = shipped_rules("en")


def ctx(**extra: object) -> CheckContext:
    base: dict[str, object] = dict(
        customer_name="Maria Gonzalez",
        preferred_name="Maria",
        agent_name="Dana Price",
        facts=[Field(label="Car colour", value="red")],
        contacts=[Field(label="E-mail", value="maria@example.com", kind="email")],
        last_customer_message="Where is my car? You towed it; I need the repair estimate.",
        subject="Towed car",
        other_names=["Tom"],
    )
    base.update(extra)
    return CheckContext(**base)  # type: ignore[arg-type]


def found(draft: str, context: CheckContext | None = None) -> list[tuple[str, str]]:
    findings = run_checks(context or ctx(), draft, RULES)
    return [(f.kind, draft[f.start : f.end]) for f in findings]


def kinds(draft: str, context: CheckContext | None = None) -> list[str]:
    return [kind for kind, _ in found(draft, context)]


def blocked_kinds(sentence: str) -> set[str]:
    """The kinds that block a one-sentence reply to Maria."""
    draft = f"Hi Maria,\n{sentence}\nDana"
    return {f.kind for f in run_checks(ctx(), draft, RULES) if f.blocking}


def bare(message: str, **extra: object) -> CheckContext:
    """A context with only the customer's last message (no subject, facts or other names)."""
    base: dict[str, object] = {"subject": "", "facts": [], "other_names": []}
    return ctx(last_customer_message=message, **{**base, **extra})


def only(draft: str, kind: str, context: CheckContext | None = None) -> Finding:
    findings = [f for f in run_checks(context or ctx(), draft, RULES) if f.kind == kind]
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("Dear Tom,\nYour car is on the lot.", "Tom"),
        ("Hi Dana,\nYour car is on the lot.", "Dana"),
        ("Hello Marai,\nYour car is on the lot.", "Marai"),
        ("Dear Ms. Gonzales,\nYour car is on the lot.", "Gonzales"),
        ("Hi Maria,\nYour car is on the lot. Thanks again, Tom, for the keys.", "Tom"),
    ],
)
def test_wrong_name(draft: str, span: str) -> None:
    assert found(draft) == [("wrong_name", span)]


@pytest.mark.parametrize(
    "greeting",
    [
        "Dear Mr and Mrs Gonzalez,",
        "Dear M Gonzalez,",
        "Hi Ms. M. Gonzalez,",
        "Dear Maria G.,",
        "Hi, Dana here,",
        "Hi Dana from Elm Street Towing,",
        "Hello Elm Street customer,",
    ],
)
def test_initials_couples_groups_and_the_agent_introducing_themselves(greeting: str) -> None:
    assert kinds(f"{greeting}\nYour car is on the lot.\nDana") == []


def test_an_initial_or_a_greeting_that_is_not_the_customer_s_still_is_wrong() -> None:
    assert found("Dear Maria T.,\nYour car is on the lot.\nDana") == [("wrong_name", "T")]
    assert found("Hi Dana,\nYour car is on the lot.\nDana") == [("wrong_name", "Dana")]


def test_a_word_after_the_surname_is_the_reply_starting_not_the_name() -> None:
    context = ctx(customer_name="Chidinma Okonkwo", preferred_name="")
    assert kinds("Hi Mrs Okonkwo yes no problem, your car is on our lot.", context) == []
    assert kinds("Hi Mrs Okonkwo ok so your car is on our lot.", context) == []
    assert found("Hi Mrs Okonkow ok so your car is on our lot.", context) == [
        ("wrong_name", "Okonkow")
    ]


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Maria,\nYour car is on the lot.\n\nThanks,\nDana",
        "Dear Ms. Gonzalez,\nYour car is on the lot.",
        "Hi there,\nYour car is on the lot.",
        "Hi Mia,\nYour car is on the lot.",  # a diminutive of Maria
    ],
)
def test_right_name_passes(draft: str) -> None:
    assert found(draft) == []


@pytest.mark.parametrize(
    ("draft", "span", "written"),
    [
        ("Hi Siobhan,\nYour car is on the lot.", "Siobhan", "Siobhán"),
        ("Dear Mr. Muller,\nYour car is on the lot.", "Muller", "Müller"),
        ("Hi Soren,\nYour car is on the lot.", "Soren", "Søren"),
    ],
)
def test_a_name_without_its_accents_is_advice_not_a_block(
    draft: str, span: str, written: str
) -> None:
    names = {"Siobhán": "Siobhán O'Connor", "Müller": "Jonas Müller", "Søren": "Søren Berg"}
    context = ctx(customer_name=names[written], preferred_name="")
    finding = only(draft, "wrong_name", context)
    assert draft[finding.start : finding.end] == span
    assert finding.severity == "advice" and not finding.blocking
    assert finding.suggestion == f"Write {written}."
    # Written as on file, there is nothing to say; another name is still a block.
    assert found(draft.replace(span, written), context) == []
    assert only(draft.replace(span, "Tom"), "wrong_name", context).blocking


def test_re_ask_of_a_fact_and_a_contact_point() -> None:
    draft = "Hi Maria, what colour is the car? And could you send your email address?"
    assert found(draft) == [
        ("re_ask", "what colour is the car?"),
        ("re_ask", "And could you send your email address?"),
    ]
    assert only(draft[:34], "re_ask").explanation == (
        "We already have this on file — Car colour: red."
    )


GAVE = (
    "My order #113-4455 came without the charger. Call me on 0412 555 123 or email me at "
    "maria.g@example.org if you need anything."
)


@pytest.mark.parametrize(
    ("question", "explanation"),
    [
        ("Could you send us your order number?", "Order number in their message: 113-4455"),
        ("Can you DM us the order details?", "Order number in their message: 113-4455"),
        ("What is the best phone number to call you on?", "Phone in their message: 0412 555 123"),
        ("Please send your email address.", "E-mail in their message: maria.g@example.org"),
    ],
)
def test_re_ask_of_what_the_customer_gave_in_their_message(question: str, explanation: str) -> None:
    context = bare(GAVE, contacts=[])
    finding = only(f"Hi Maria,\n{question}\nDana", "re_ask", context)
    assert finding.excerpt == question
    assert finding.explanation == f"We already have this on file — {explanation}."


def test_given_in_a_message_asked_again_only_when_missing() -> None:
    # Confirming what they gave, or asking about something else, is no re-ask.
    context = bare(GAVE, contacts=[])
    assert "re_ask" not in kinds("Hi Maria,\nIs 0412 555 123 still the best number?", context)
    assert "re_ask" not in kinds("Hi Maria,\nWhat colour is the charger?", context)
    # A number or address they only mention is not theirs.
    helpline = bare(
        "I rang your helpline 0800 555 0100 and wrote to help@example.com.", contacts=[]
    )
    assert "re_ask" not in kinds("Hi Maria,\nWhat is your phone number?", helpline)
    assert "re_ask" not in kinds("Hi Maria,\nWhat is your email address?", helpline)
    # Days late, a date, or a value they give up is no order number or contact of theirs.
    for message, question in (
        ("My order was 10-14 days late.", "Could you send me your order number?"),
        ("I placed an order 2024-05-01.", "Could you send me your order number?"),
        ("I can't use maria@oldjob.com any more.", "Could you send us your new email address?"),
    ):
        assert "re_ask" not in kinds(f"Hi Maria,\n{question}", bare(message, contacts=[]))
    # Nothing given, nothing on file: asking is right.
    assert "re_ask" not in kinds(
        "Hi Maria,\nCould you send us your order number?", bare("The charger is missing.")
    )
    # The same number on file, written another way, is one thing on file.
    on_file = [Field(label="Phone", value="+61 412 555 123", kind="phone")]
    finding = only("Hi Maria,\nWhat is your phone number?", "re_ask", bare(GAVE, contacts=on_file))
    assert finding.explanation == "We already have this on file — Phone: +61 412 555 123."


def test_confirming_the_value_on_file_is_not_a_re_ask() -> None:
    assert found("Hi Maria, is your car still the red one we towed?") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "It isn't that we don't believe you, we just need the photos.",
        "I'd never suggest it's not our problem, and I'm fixing it today.",
        "This is not a case where we can't help you with the car.",
    ],
)
def test_a_negated_negative_phrase_does_not_block(sentence: str) -> None:
    assert blocked_kinds(sentence) == set()


def test_disrespect_and_its_negation() -> None:
    assert found("Hi Maria, people who ask this about a car end up on our blacklist.") == [
        ("disrespect", "blacklist")
    ]
    assert found("Hi Maria, I am not going to blacklist anyone over your car.") == []
    assert found("Hi Maria, a fraud alert was placed to protect your car loan.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "The shared IP your account sits on (185.22.xx.14) was blacklisted by Spamhaus.",
        "Another customer's site was sending spam, so the server was blacklisted.",
        "It appears to be a scam; several guests have been caught out by it this month.",
    ],
)
def test_blame_words_about_an_address_or_other_people_are_not_aimed_at_the_customer(
    sentence: str,
) -> None:
    assert "disrespect" not in blocked_kinds(f"{sentence} Your car is on our lot.")


def test_saying_the_customer_was_right_blames_no_one() -> None:
    # "You were right" does not make the customer the wrongdoer, so the third party
    # in the same sentence takes the blame.
    context = bare("Someone left a fake one-star review on our garage page. Remove it?")
    for sentence in (
        "You were right, the account that left it was committing review fraud.",
        "You were right, the reviewer who left it was abusing the system.",
    ):
        assert found(f"Hi Maria,\n{sentence} We removed the review.\nDana", context) == []


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("Hi Maria, the damn car is still on the lot.", "damn"),
        ("Hi Maria, the car is a sh1t show.", "sh1t"),
        ("Hi Maria, the f**king car is still on the lot.", "f**king"),
        ("Hi Maria, the car is fuuucked.", "fuuucked"),
    ],
)
def test_profanity_with_leetspeak(draft: str, span: str) -> None:
    assert found(draft) == [("profanity", span)]


@pytest.mark.parametrize(
    ("sentence", "span"),
    [
        ("That was f*** all use, sorry.", "f***"),
        ("The tow truck is sh*te.", "sh*te"),
        ("The sodding winch failed.", "sodding"),
    ],
)
def test_profanity_masked_at_the_end_and_mild_oaths(sentence: str, span: str) -> None:
    assert ("profanity", span) in found(f"Hi Maria, {sentence} The car is on our lot.")


def test_emphasis_in_asterisks_is_not_a_masked_word() -> None:
    assert found("Hi Maria, your car is *really* safe on our lot.") == []
    # A footnote mark after a word masks no letter ("as*" is not "ass").
    assert "profanity" not in kinds("Hi Maria, the tow was free as* agreed on the phone.")


def test_profanity_lookalikes_pass() -> None:
    assert found("Hi Maria, we will assess the class of the car, hello from Scunthorpe.") == []


def test_condescension_arrogance_deflection() -> None:
    assert found("Hi Maria, as I already said, the car is on the lot.") == [
        ("condescension", "as I already said")
    ]
    assert found("Hi Maria, you're lucky we towed the car at all.") == [
        ("arrogance", "you're lucky")
    ]
    assert found("Hi Maria, please contact the home office about the car.") == [
        ("deflection", "contact the home office")
    ]
    assert found("Hi Maria, I have contacted the home office about the car on your behalf.") == []


@pytest.mark.parametrize(
    ("draft", "kind", "span"),
    [
        ("Hi Maria, you\u2019re lucky we towed the car at all.", "arrogance", "you\u2019re lucky"),
        (
            "Hi Maria, as I\u2019ve already explained, it is on the lot.",
            "condescension",
            "as I\u2019ve already explained",
        ),
        (
            "Hi Maria, you\u00a0should\u00a0have read the terms.",
            "condescension",
            "you\u00a0should\u00a0have read",
        ),
        ("Hi Maria, that\u2019s \u201cnot my department\u201d.", "deflection", "not my department"),
    ],
)
def test_typographic_quotes_and_spaces_read_as_plain_ones(draft: str, kind: str, span: str) -> None:
    """Mail clients and word processors curl apostrophes and put in non-breaking spaces;
    the finding is the same, and its excerpt is the agent's own text."""
    finding = only(draft, kind)
    assert finding.blocking
    assert draft[finding.start : finding.end] == finding.excerpt == span


def test_a_curly_apostrophe_in_the_name_on_file_is_the_same_name() -> None:
    context = ctx(customer_name="Siobh\u00e1n O'Brien", preferred_name="")
    assert kinds("Dear Ms O\u2019Brien,\nYour car is on the lot.", context) == []
    context = ctx(customer_name="Siobh\u00e1n O\u2019Brien", preferred_name="")
    assert kinds("Dear Ms O'Brien,\nYour car is on the lot.", context) == []


def test_the_issue_s_own_wordings_in_the_present_perfect() -> None:
    assert found("Hi Maria, as I've already explained, the car is on the lot.") == [
        ("condescension", "as I've already explained")
    ]
    assert found("Hi Maria, we've done you a favour by towing it.") == [
        ("arrogance", "we've done you a favour")
    ]


SCAM = "Where is my car? You towed it and this is a scam. I need the repair estimate."
ANSWER = "Hi Maria,\nYour car is at our Elm Street lot and the repair estimate is attached.\nDana"
OFF = "Hi Maria,\nOur opening hours are nine to five on weekdays.\nDana"
BELOW = (
    "\n\nOn Mon, 3 Nov 2026 at 09:12, Maria Gonzalez <maria@example.com> wrote:\n"
    "> Where is my car? You towed it and this is a scam.\n> I need the repair estimate.\n"
)
OUTLOOK = (
    "\n\n-----Original Message-----\nFrom: Maria Gonzalez\nSent: Monday, 3 November 2026\n"
    "\nWhere is my car? You towed it and this is a scam. I NEED THE REPAIR ESTIMATE!!!\n"
)


@pytest.mark.parametrize("history", [BELOW, OUTLOOK])
def test_mail_history_below_the_reply_is_not_read(history: str) -> None:
    context = ctx(last_customer_message=SCAM)
    assert found(ANSWER + history, context) == []
    # Nor does the customer's own question in it make an off-issue reply on issue.
    assert kinds(OFF + history, context) == ["off_issue"]


def test_an_answer_between_quoted_lines_is_read() -> None:
    draft = (
        "Hi Maria,\nOn Mon, 3 Nov 2026 at 09:12, you wrote:\n> Where is my car?\n"
        "Calm down, it is at our Elm Street lot.\n> I need the repair estimate.\nAttached.\nDana"
    )
    assert found(draft, ctx(last_customer_message=SCAM)) == [("condescension", "Calm down")]


def test_an_attribution_without_a_date_hides_nothing() -> None:
    draft = "Hi Maria,\nOn Monday you wrote:\nthe car is red. Calm down, it is on our lot.\nDana"
    assert kinds(draft, ctx(last_customer_message=SCAM)) == ["condescension"]


@pytest.mark.parametrize("quote", ['"this is a scam"', "'this is a scam'", "\u201ca scam\u201d"])
def test_the_customer_s_own_words_quoted_back_are_not_the_agent_s(quote: str) -> None:
    draft = f"Hi Maria,\nYou wrote {quote}, and I understand why. {ANSWER.split(chr(10))[1]}\nDana"
    assert found(draft, ctx(last_customer_message=SCAM)) == []


def test_a_quoted_word_the_customer_never_wrote_is_the_agent_s() -> None:
    draft = 'Hi Maria,\nTo us this looks like "fraud". Your car is on our lot.\nDana'
    assert found(draft, ctx(last_customer_message=SCAM)) == [("disrespect", "fraud")]


REPLY = "Hi Maria,\nYour car is at our Elm Street lot and the repair estimate is attached.\n"


@pytest.mark.parametrize(
    "signature",
    [
        "\nKind regards,\nDana Price\nCustomer Care\nIMPORTANT NOTICE: This e-mail is "
        "confidential. Any unauthorised use is strictly prohibited and may be unlawful.",
        "\nDana\n--\nBeware of fraud: we will never ask for your card details by e-mail.",
        "\nDana Price\nElm Street Towing | Registered No. 01234567\n"
        "We take abuse of our staff seriously and may end calls that become abusive.",
    ],
)
def test_the_signature_under_the_sign_off_is_not_read(signature: str) -> None:
    assert found(REPLY + signature) == []


def test_a_closing_word_above_the_body_hides_nothing() -> None:
    draft = (
        "Hi Maria,\n\nThanks so much!\nYour car is safe.\n"
        "Could you confirm your email address so we can send the invoice?\n\nDana"
    )
    assert kinds(draft) == ["re_ask"]


def test_an_attribution_without_a_time_or_a_booking_block_hides_nothing() -> None:
    for head in ("On 3 May you wrote:", "From: London Heathrow\nDate: 12 June"):
        draft = f"Hi Maria,\n{head}\nCalm down, your car is on our lot.\nDana"
        assert kinds(draft) == ["condescension"], head


def test_a_signature_rule_with_windows_line_ends_is_a_signature() -> None:
    draft = REPLY.replace("\n", "\r\n") + "-- \r\nELM STREET TOWING\r\nDO NOT REPLY TO THIS"
    assert found(draft) == []


def test_a_postscript_under_the_signature_is_read() -> None:
    draft = REPLY + "Thanks,\nDana\nElm Street Towing\n\nP.S. You're lucky we towed it at all."
    assert found(draft) == [("arrogance", "You're lucky")]


def test_a_thank_you_line_at_the_top_is_no_sign_off() -> None:
    draft = "Hi Maria,\nThank you!\nYou're lucky we towed it at all.\nThe car is on our lot.\nDana"
    assert found(draft) == [("arrogance", "You're lucky")]


@pytest.mark.parametrize(
    ("sentence", "shouted"),
    [
        ("PLEASE NOTE: the estimate is valid for 30 days.", []),
        ("IMPORTANT: the lot closes at 6pm.", []),
        ("\n- PLEASE NOTE: the lot closes at 6pm.", []),
        ("READ THE TERMS: the estimate is valid for 30 days.", [("shouting", "READ THE TERMS")]),
        ("PLEASE NOTE THIS: the estimate is valid.", [("shouting", "PLEASE NOTE THIS")]),
    ],
)
def test_a_capitalised_label_before_a_colon_is_not_shouting(
    sentence: str, shouted: list[tuple[str, str]]
) -> None:
    draft = f"Hi Maria,\nYour car is on our lot. {sentence}\nDana"
    assert [(k, s) for k, s in found(draft) if k == "shouting"] == shouted


def test_shouting() -> None:
    assert found("Hi Maria, THE CAR IS FINE, we towed it!!!") == [
        ("shouting", "THE CAR IS FINE"),
        ("shouting", "!!!"),
    ]
    assert found("Hi Maria, the car is at the BMW dealer with a new ABS unit.") == []
    # An acronym inside a shouted run does not break it (IT, like UPS, is an acronym)...
    assert found("Hi Maria, the tow is DONE. IT IS DONE. Your car is on our lot.") == [
        ("shouting", "DONE. IT IS DONE")
    ]
    # ...and a run of acronyms alone is not shouting, nor are labels and part lists.
    assert found("Hi Maria, the UPS and DHL tracking both say the car was delivered.") == []
    for listing in (
        "Hi Maria, ABS SENSOR / TPMS SENSOR both done on your car.",
        "Hi Maria, ABS SENSOR, TPMS SENSOR both done on your car.",
        "Hi Maria, ATTN: IT DEPT has your car's invoice.",
        "Hi Maria, SKU: TIRE / RMA: WHEEL for your car.",
    ):
        assert [kind for kind, _span in found(listing)] == [], listing


def test_hostile_tone() -> None:
    assert found("Hi Maria, your complaints about the car are ridiculous.") == [
        ("hostile_tone", "your complaints about the car are ridiculous")
    ]
    assert found("Hi Maria, I'm so sorry, the tow of your car was a terrible mess.") == []


CURT = "Car is on the lot. Estimate attached. Collection between 8 and 6, bring ID."


def test_a_bare_curt_reply_is_hostile_advice() -> None:
    findings = run_checks(ctx(agent_name=""), CURT, RULES)
    assert [(f.kind, f.severity) for f in findings] == [("hostile_tone", "advice")]
    assert "no greeting" in findings[0].explanation


@pytest.mark.parametrize(
    "draft",
    [
        f"Hi Maria,\n{CURT}",
        f"{CURT} Thanks.",
        f"{CURT}\nDana",
        f"{CURT}\nKev",
        f"Maria, {CURT}",
        CURT + " The lot is open from eight until six on weekdays and from nine until one on"
        " Saturdays, and the car can be collected at any of those times with the keys.",
        "Your car is on the lot. Let us know if the keys are not with it by Friday.",
        "Moved to Saturday at 10am as requested. See you then!",
        "Car is on the lot; I'll keep an eye on it for you.",
        "Invoice attached.\n-- \nDana Price",
        "Car is on the lot.\nThe Elm Street Towing Team",
        "Maria's car is in bay 4.",
    ],
)
def test_a_greeting_a_courtesy_a_name_a_signature_or_length_is_not_curt(draft: str) -> None:
    findings = run_checks(ctx(agent_name="Dana Price"), draft, RULES)
    assert not [f for f in findings if "no greeting" in f.explanation]


@pytest.mark.parametrize(
    "sentence",
    [
        "You're absolutely right to be annoyed, three missed tows is not OK.",
        "You have every right to be angry about the damage to your car.",
        "No wonder you're furious after waiting all day for the tow.",
    ],
)
def test_agreeing_the_customer_is_right_to_be_upset_is_not_hostile(sentence: str) -> None:
    assert "hostile_tone" not in kinds(f"Hi Maria,\n{sentence} Your car is on our lot.\nDana")


def test_off_issue_and_a_short_on_issue_reply() -> None:
    draft = "Hi Maria, your new password has been emailed to you."
    finding = only(draft, "off_issue")
    assert (finding.start, finding.end, finding.severity) == (0, len(draft), "advice")
    assert found("Hi Maria, we're on it: the towed car is being checked.") == []


def test_the_return_window_answers_a_return() -> None:
    context = bare("Can I return the walking boots I bought? They never fitted right.")
    draft = (
        "Hi Maria,\nThanks for getting in touch about the boots. Order 5501 was delivered on "
        "2 May, so it is outside our 30-day return window, but I can offer store credit.\nDana"
    )
    assert "off_issue" not in kinds(draft, context)


def test_minutes_away_answers_how_soon() -> None:
    context = bare("Locked out at 9 Mill Lane, keys inside. How soon can you get here?")
    assert "off_issue" not in kinds("On my way now, about 15 mins. Grey van.\nDana", context)


def test_canned_reply_without_case_detail() -> None:
    template = (
        "Thank you for contacting us. We have received your request and it is now in "
        "our queue. We appreciate your patience while we look into this."
    )
    context = ctx(templates=[template])
    assert [k for k, _ in found("Hi Maria,\n" + template, context)] == ["off_issue", "canned"]
    edited = "Hi Maria,\nYour car is on the lot. " + template
    assert "canned" not in [k for k, _ in found(edited, context)]


def test_promise_is_advice() -> None:
    draft = "Hi Maria, I'll call you tomorrow by noon about the car."
    finding = only(draft, "promise")
    assert finding.severity == "advice"
    assert draft[finding.start : finding.end] == "I'll call you tomorrow by noon about the car"


def test_admin_entries_extend_the_shipped_lists() -> None:
    data = merge_entries(
        shipped_data("en"),
        [("arrogance", "we are too good for this"), ("threshold", "shouting_min_words=2")],
    )
    rules = compile_rules(data)
    draft = "Hi Maria, frankly we are too good for this car. The CAR IS here."
    kinds = [(f.kind, draft[f.start : f.end]) for f in run_checks(ctx(), draft, rules)]
    assert kinds == [("arrogance", "we are too good for this"), ("shouting", "CAR IS")]
    assert [f.kind for f in run_checks(ctx(), draft, RULES)] == []


# ------------------------------------------------ second round: rules that generalise


@pytest.mark.parametrize(
    "draft",
    [
        # An apology for our own failure, negative words and all.
        "Hi Maria,\nYou are right to be angry: nobody rang you, which is our mistake.",
        # The customer's own angry words, quoted back.
        'Hi Maria, you called the tow "a disgrace and a nightmare", and it was a bad day for you.',
        # Negative, but about a letter, not about the customer.
        "Hi Maria,\nThe insurer's rejection letter was wrong and unfair, and I have contested it.",
    ],
)
def test_hostile_tone_ignores_negative_but_respectful(draft: str) -> None:
    assert [k for k, _ in found(draft) if k == "hostile_tone"] == []


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        (
            "Hi Maria,\nKindly stop emailing our director about the car.",
            "stop emailing",
        ),
        (
            "Hi Maria,\nYou are making this far harder than it needs to be with the car.",
            "You are making this far harder",
        ),
        (
            "Hi Maria,\nNobody will move your car first just because you demand it.",
            "just because you demand",
        ),
    ],
)
def test_hostile_tone_polite_wording_aimed_at_the_customer(draft: str, span: str) -> None:
    assert found(draft) == [("hostile_tone", span)]


def test_shouted_sentence_is_shouting_not_also_hostile() -> None:
    draft = "Hi Maria,\nYour car is on the lot. PLEASE STOP CALLING THE SHOP."
    assert found(draft) == [("shouting", "PLEASE STOP CALLING THE SHOP")]


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        (
            "Hi Maria,\nThe tow yard was a clusterfuck, sorry. Your car is on our lot.",
            "clusterfuck",
        ),
        ("Hi Maria,\nThe tow yard was a total shitshow. Your car is on our lot.", "shitshow"),
        ("Hi Maria,\nThe driver buggered up the tow. Your car is on our lot.", "buggered"),
    ],
)
def test_profanity_compounds(draft: str, span: str) -> None:
    assert found(draft) == [("profanity", span)]


def test_profanity_compounds_keep_allowed_words() -> None:
    assert found("Hi Maria,\nYour car is on the lot; the shiitake delivery van moved it.") == []


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("Hi Maria,\nLet me spell it out for you: your car is on the lot.", "Let me spell it out"),
        ("Hi Maria,\nSurely you understand that a towed car takes time.", "Surely you understand"),
        ("Hi Maria,\nYour car is on the lot, sweetie.", ", sweetie"),
        (
            "Hi Maria,\nAny reasonable person would wait for the estimate on a towed car.",
            "Any reasonable person",
        ),
    ],
)
def test_condescension_addressed_to_the_customer(draft: str, span: str) -> None:
    assert found(draft) == [("condescension", span)]


@pytest.mark.parametrize(
    ("draft", "kind"),
    [
        (
            "Hi Maria,\nI'd have thought it was obvious the estimate comes after the tow.",
            "condescension",
        ),
        ("Hi Maria,\nDid you even read the estimate we sent for the towed car?", "condescension"),
        (
            "Hi Maria,\nWhich you would know if you had opened our e-mail about the car.",
            "condescension",
        ),
        ("Hi Maria,\nWe have gone out of our way for you with this towed car.", "arrogance"),
        (
            "Hi Maria,\nWe didn't have to do this, but the estimate for your car is attached.",
            "arrogance",
        ),
        ("Hi Maria,\nOur record speaks for itself when it comes to towed cars.", "arrogance"),
        ("Hi Maria,\nThe dent on your towed car is damage you caused yourself.", "disrespect"),
        (
            "Hi Maria,\nWe weren't born yesterday: the car was dented before we towed it.",
            "disrespect",
        ),
        ("Hi Maria,\nYou keep changing your story about the towed car.", "disrespect"),
    ],
)
def test_new_wordings_of_a_slight(draft: str, kind: str) -> None:
    assert kinds(draft) == [kind]


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Maria,\nWe have gone out of our way to get your towed car's estimate out today.",
        "Hi Maria,\nYou don't have to do anything: the estimate for your car is attached.",
        "Hi Maria,\nIt's common for a towed car to need a new bumper; the estimate is attached.",
    ],
)
def test_near_misses_of_those_wordings_are_clean(draft: str) -> None:
    assert kinds(draft) == []


def _shop_ctx() -> CheckContext:
    return ctx(
        customer_name="Siobhán Murphy",
        preferred_name="",
        facts=[],
        contacts=[],
        orders=["FN-55102"],
        order_lines=["Oak dining table", "Oak bench", "Linen cushions"],
        last_customer_message="Order FN-55102 arrived but the oak bench is missing. Where is it?",
        subject="Missing bench",
        other_names=[],
    )


def test_off_issue_names_another_line_of_the_same_order() -> None:
    draft = "Hi Siobhán,\nThe linen cushions from order FN-55102 wash at 30 degrees."
    finding = only(draft, "off_issue", _shop_ctx())
    assert draft[finding.start : finding.end] == "linen"
    assert finding.explanation == (
        "The customer wrote about Oak bench; the reply is about Linen cushions."
    )


def test_off_issue_not_raised_for_the_line_asked_about() -> None:
    draft = "Hi Siobhán,\nThe oak bench from order FN-55102 left our depot today."
    assert found(draft, _shop_ctx()) == []


def test_off_issue_tells_items_held_apart() -> None:
    context = ctx(
        items=[
            Field(label="Make", value="Trek", kind="item"),
            Field(label="Model", value="Domane", kind="item"),
            Field(label="Make", value="Brompton", kind="item"),
            Field(label="Model", value="C Line", kind="item"),
        ],
        last_customer_message="Is my Trek ready? The brakes were due on Wednesday.",
        subject="Trek brakes",
    )
    draft = "Hi Maria,\nYour Brompton has new tyres and waits at the counter."
    assert found(draft, context) == [("off_issue", "Brompton")]
    assert found("Hi Maria,\nYour Trek has new brake pads and waits at the counter.", context) == []


def _desk_ctx(**extra: object) -> CheckContext:
    base: dict[str, object] = dict(
        customer_name="Ingrid Larsen",
        agent_name="Noor Haddad",
        orders=["FN-7712", "FN-6930"],
        order_lines=["Walnut desk", "Brass lamp"],
        last_customer_message=(
            "The walnut desk from order FN-7712 came today and the top is cracked. "
            "Can you send a new top?"
        ),
        earlier_customer_messages=["Can I change the delivery address for FN-7712?"],
        subject="Cracked desk top",
    )
    base.update(extra)
    return CheckContext(**base)  # type: ignore[arg-type]


def test_off_issue_when_the_reply_names_the_order_but_not_the_ask() -> None:
    draft = (
        "Hi Ingrid,\nOrder FN-7712 was signed for by the building reception; "
        "the driver left a photo."
    )
    finding = only(draft, "off_issue", _desk_ctx())
    assert draft[finding.start : finding.end] == draft
    assert finding.explanation == (
        "The customer asks about send, top; the reply does not touch any of it."
    )
    on_issue = "Hi Ingrid,\nA new top for your desk is packed and leaves today."
    assert found(on_issue, _desk_ctx()) == []
    # Naming the case and saying little else is left to the checks of its words.
    assert found("Hi Ingrid,\nAbout order FN-7712: noted.", _desk_ctx()) == []


def test_the_question_counts_more_than_the_story_around_it() -> None:
    context = CheckContext(
        customer_name="Sunita Rao",
        last_customer_message=(
            "I'm moving my number to another network. Can you send me my PAC code please?"
        ),
        subject="PAC code request",
    )
    upsell = (
        "Hi Sunita,\nBefore you go, I wanted to mention our new 5G SIM-only plans: 100GB "
        "for twelve pounds a month, and you'd keep your number and all your extras."
    )
    finding = only(upsell, "off_issue", context)
    assert "asks about" in finding.explanation and "pac" in finding.explanation.lower()
    answer = (
        "Hi Sunita,\nYour PAC is ABC123456 and stays valid for 30 days; give it to "
        "your new network and they will move your number across."
    )
    assert found(answer, context) == []


def test_off_issue_when_the_reply_answers_an_earlier_question() -> None:
    draft = "Hi Ingrid,\nThe delivery address for FN-7712 is now your office at Storgata 14."
    finding = only(draft, "off_issue", _desk_ctx())
    assert draft[finding.start : finding.end] == draft
    assert finding.explanation == (
        "The reply is about an earlier message (address, delivery); "
        "the customer's last message asks about: cracked, send, top."
    )


def test_off_issue_when_the_reply_is_about_another_order() -> None:
    draft = "Hi Ingrid,\nThe invoice for FN-6930 is attached."
    finding = only(draft, "off_issue", _desk_ctx())
    assert draft[finding.start : finding.end] == "FN-6930"
    assert (
        finding.explanation == "The customer wrote about order FN-7712; the reply is about FN-6930."
    )


def test_a_reply_that_answers_where_in_kind_is_on_issue() -> None:
    context = ctx(
        items=[Field(label="Make", value="Honda", kind="item")],
        last_customer_message="Where is my Honda? Nobody has rung me since the tow.",
        subject="Honda",
    )
    assert answered_asks(RULES, context.last_customer_message, "It is in bay 4.") == ["where"]
    assert answered_asks(RULES, context.last_customer_message, "It is blue.") == []
    assert found("Hi Maria,\nYour Honda is in bay 4 behind the workshop.", context) == []
    assert answered_asks(RULES, "How much will it cost?", "It comes to 285 euros.") == ["how_much"]
    # "Is it ready?" also asks when it can be collected; "collect it on Friday" answers both.
    assert answered_asks(RULES, "When is it ready?", "You can collect it on Friday.") == [
        "when",
        "collect",
    ]


def test_off_issue_takes_the_thing_asked_about_from_the_question() -> None:
    context = _shop_ctx()
    context.last_customer_message = (
        "Order FN-55102 arrived but the oak bench is missing. "
        "The table and the cushions came. Where is the bench?"
    )
    draft = "Hi Siobhán,\nThe linen cushions from order FN-55102 wash at 30 degrees."
    finding = only(draft, "off_issue", context)
    assert finding.explanation == (
        "The customer wrote about Oak bench; the reply is about Linen cushions."
    )
    assert found("Hi Siobhán,\nThe oak bench left our depot today.", context) == []


def _site_ctx() -> CheckContext:
    return ctx(
        facts=[Field(label="Domain", value="bakery.example")],
        last_customer_message=(
            "Our website has been offline since this morning and customers cannot "
            "place orders. What happened?"
        ),
        subject="Website offline",
    )


def test_off_issue_when_the_reply_shares_only_a_broad_topic() -> None:
    draft = "Hi Maria,\nYour hosting plan now includes daily backups."
    finding = only(draft, "off_issue", _site_ctx())
    assert draft[finding.start : finding.end] == draft
    assert finding.explanation.startswith(
        "The reply shares only a broad topic with the customer's message (hosting)"
    )
    # The same concept with a word of the message, or naming the domain on file, is on issue.
    assert found("Hi Maria,\nThe website is back: a disk failed at 9.", _site_ctx()) == []
    assert found("Hi Maria,\nbakery.example is back up on a new server.", _site_ctx()) == []


def test_a_stock_reply_with_only_a_broad_topic_is_reported_as_canned() -> None:
    template = (
        "We apologise for the delay with your delivery. Our courier partner has been "
        "notified and the parcel is being tracked. Thank you for bearing with us."
    )
    message = "The shoes arrived in size 9 but I ordered size 10. How do I exchange them?"
    context = ctx(last_customer_message=message, subject="Wrong size", templates=[template])
    assert kinds("Hi Maria,\n" + template, context) == ["canned"]


def test_the_one_item_on_file_named_by_model_with_an_answer_is_on_issue() -> None:
    context = ctx(
        items=[
            Field(label="Make", value="Lenovo", kind="item"),
            Field(label="Model", value="ThinkPad T14", kind="item"),
        ],
        last_customer_message="My laptop screen flickers again. Can you look at it again?",
        subject="Screen flickering",
    )
    draft = "Hi Maria,\nWe have your ThinkPad T14 on file, so just drop it at the front desk."
    assert found(draft, context) == []
    bare = "Hi Maria,\nWe have your ThinkPad T14 on file."
    assert kinds(bare, context) == ["off_issue"]


def test_plural_and_singular_words_match() -> None:
    context = ctx(
        last_customer_message="The rear brake squeals since the service. Can you fix it?",
        subject="Squeaky brake",
    )
    assert found("Hi Maria,\nBoth brakes are adjusted and quiet again.", context) == []


def test_hostile_tone_reads_the_clause_aimed_at_the_customer() -> None:
    # "you" sits in a neutral clause; "failed" and "problem" are about the part.
    about_the_part = (
        "Hi Maria,\nOur records show the car arrived on 3 May, so you're within the warranty; "
        "I just need to know which part failed so the new one doesn't have the same problem."
    )
    assert [kind for kind, _ in found(about_the_part)] == []
    # The same shape aimed at her is still hostile.
    aimed = (
        "Hi Maria,\nThe car arrived on 3 May, but you are a rude and hateful person, "
        "and we are done with your awful complaints."
    )
    assert "hostile_tone" in [kind for kind, _ in found(aimed)]


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Maria,\nYour IP 203.0.113.7 is on the Spamhaus blacklist because of a neighbour on "
        "the same range; I've asked for delisting.",
        "Hi Maria,\nThe block comes from a blacklist that checks reverse DNS for your server.",
        "Hi Maria,\nI'll check the blacklists again tomorrow and write to you.",
        "Hi Maria,\nIf your bank reports the double charge as fraud, that is fine: we reversed it.",
        "Hi Maria,\nOur abuse desk received a complaint about spam from another network.",
        "Hi Maria,\nThat text isn't from us: it's a scam that's been going around, so please "
        "don't click the link.",
        "Hi Maria,\nIf you'd like the stolen handset blacklisted, send me its IMEI "
        "and I'll add it.",
    ],
)
def test_suspicion_words_about_things_are_not_disrespect(draft: str) -> None:
    assert "disrespect" not in [kind for kind, _ in found(draft)]


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("Hi Maria,\nWe have blacklisted your domain and your server.", "blacklisted"),
        ("Hi Maria,\nYou've been blacklisted for asking for too many refunds.", "blacklisted"),
        ("Hi Maria,\nThis refund request looks like fraud to us.", "fraud"),
        ("Hi Maria,\nYour story about the text sounds like a scam to me.", "scam"),
        ("Hi Maria,\nWe have blacklisted you and your phone.", "blacklisted"),
    ],
)
def test_suspicion_aimed_at_the_customer_is_still_disrespect(draft: str, span: str) -> None:
    assert ("disrespect", span) in found(draft)


def test_re_ask_is_about_the_field_not_the_word_that_qualifies_it() -> None:
    context = ctx(
        facts=[Field(label="Delivery address", value="Bergstr. 5, Berlin")],
        contacts=[Field(label="phone", value="+49 151 2345678", kind="phone")],
    )

    def asks(draft: str) -> list[tuple[str, str]]:
        return [(kind, span) for kind, span in found(draft, context) if kind == "re_ask"]

    assert asks("Hi Maria, which delivery day suits you?") == []
    assert asks("Hi Maria, what is the delivery address?") == [
        ("re_ask", "what is the delivery address?")
    ]


def test_a_value_kept_twice_is_one_re_ask() -> None:
    context = ctx(
        facts=[Field(label="Phone", value="+49 151 2345678")],
        contacts=[Field(label="phone", value="+49 151 2345678", kind="phone")],
    )
    draft = "Hi Maria, please confirm your phone number for the driver."
    assert kinds(draft, context).count("re_ask") == 1


@pytest.mark.parametrize(
    ("name", "draft"),
    [
        ("Carmen Alvarez-Ruiz", "Dear Ms Alvarez Ruiz,\nYour order shipped."),
        ("Carmen Alvarez-Ruiz", "Dear Mrs. Ruiz,\nYour order shipped."),
        ("Nguyen Van An", "Dear Mr. Nguyen,\nYour order shipped."),
        ("Raj Patel", "Hello Dr. Patel,\nYour order shipped."),
    ],
)
def test_double_and_family_first_surnames_are_the_customer(name: str, draft: str) -> None:
    findings = found(draft, ctx(customer_name=name, preferred_name=""))
    assert [kind for kind, _ in findings if kind == "wrong_name"] == []


@pytest.mark.parametrize(
    ("name", "draft", "written"),
    [
        ("William O'Brien", "Dear Mr. OBrien,\nYour order shipped.", "O'Brien"),
        ("Anne-Marie Dubois", "Hi Anne,\nYour order shipped.", "Anne-Marie"),
    ],
)
def test_half_a_name_or_lost_punctuation_is_advice(name: str, draft: str, written: str) -> None:
    finding = only(draft, "wrong_name", ctx(customer_name=name, preferred_name=""))
    assert not finding.blocking
    assert finding.suggestion == f"Write {written}."


def test_sending_the_customer_to_a_brand_by_name_is_deflection_unless_we_own_it() -> None:
    pushed = "Hi Maria,\nYou'll need to contact Dyson for warranty repairs."
    assert ("deflection", "You'll need to contact Dyson") in found(pushed)
    owned = (
        "Hi Maria,\nDyson handles warranty repairs, so I've registered the claim with them "
        "for you. You'll want to email us a photo of the label."
    )
    assert "deflection" not in [kind for kind, _ in found(owned)]


@pytest.mark.parametrize(
    ("word", "profane"),
    [
        ("shitstorm", True),
        ("clusterfuck", True),
        ("bullshitter", True),
        ("fucking", True),
        ("sh1tty", True),
        ("Matsushita", False),  # a company
        ("Shitamachi", False),  # a Tokyo district
        ("shitake", False),  # a common spelling of the mushroom
    ],
)
def test_profane_roots_inside_other_words(word: str, profane: bool) -> None:
    draft = f"Hi Maria,\nThe {word} delivery is on its way."
    assert ("profanity" in [kind for kind, _ in found(draft)]) is profane


@pytest.mark.parametrize(
    ("draft", "condescending"),
    [
        ("Hi Maria,\nAs I mentioned on the phone, the part arrives Tuesday.", False),
        ("Hi Maria,\nAs I explained in my e-mail, the part arrives Tuesday.", False),
        ("Hi Maria,\nAs I mentioned twice already, the part arrives Tuesday.", True),
        ("Hi Maria,\nAs I have explained, the part arrives Tuesday.", True),
        ("Hi Maria,\nAs I said, the part arrives Tuesday.", True),
    ],
)
def test_as_i_mentioned_is_condescending_only_when_it_says_again(
    draft: str, condescending: bool
) -> None:
    assert ("condescension" in [kind for kind, _ in found(draft)]) is condescending


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("My parcel hasn't arrived yet.", "Your delivery is scheduled for Thursday morning."),
        ("The package came damaged.", "Sorry, the box was crushed in transit; a new one ships."),
        ("Please cancel my subscription.", "Done: your plan ends today and you won't be billed."),
        ("I never received my refund.", "The money went back to your card on Monday."),
    ],
)
def test_a_short_paraphrase_in_other_words_is_on_the_issue(message: str, reply: str) -> None:
    context = bare(message)
    found_kinds = kinds(f"Hi Maria,\n{reply}\nDana", context)
    assert "off_issue" not in found_kinds


def test_a_reply_on_another_topic_linked_only_by_a_broad_word_is_off_issue() -> None:
    context = bare(
        "Our server keeps rebooting and the site goes offline. Fix it.", subject="Server reboots"
    )
    draft = "Hi Maria,\nThe invoice for your hosting renewal is attached.\nDana"
    assert "off_issue" in kinds(draft, context)


def test_charged_twice_and_a_refunded_duplicate_are_one_matter() -> None:
    context = ctx(last_customer_message="I was charged twice this month.", subject="", facts=[])
    draft = "Hi Maria,\nI've refunded the duplicate payment today.\nDana"
    assert "off_issue" not in kinds(draft, context)


def test_stopped_working_is_read_as_broken() -> None:
    context = ctx(
        last_customer_message="My dishwasher stopped working last night.", subject="", facts=[]
    )
    draft = "Hi Maria,\nSorry it's broken; we'll send a new one.\nDana"
    assert "off_issue" not in kinds(draft, context)


def _return_ctx() -> CheckContext:
    return bare(
        "I sent back the blue jumper from order 55120 two weeks ago. When will I get my refund?",
        orders=["55120"],
        order_lines=["Blue wool jumper"],
    )


def test_off_issue_when_the_reply_names_the_order_but_answers_another_question() -> None:
    draft = (
        "Hi Maria,\nTo return the jumper from order 55120, print the label from your "
        "account and drop the parcel at any post office.\nDana"
    )
    finding = only(draft, "off_issue", _return_ctx())
    assert finding.severity == "advice"
    assert finding.explanation == (
        "The customer asks about a refund; the reply is about a return instead."
    )


def test_a_reply_that_gives_the_answer_asked_for_in_other_words_is_on_the_issue() -> None:
    draft = (
        "Hi Maria,\nThe jumper from order 55120 reached us yesterday; the money goes back "
        "to your card within 3 working days.\nDana"
    )
    assert found(draft, _return_ctx()) == []
    # No word shared with "please cancel my plan", but the cancellation asked for.
    context = ctx(last_customer_message="Please cancel my plan.", subject="", facts=[])
    assert found("Hi Maria,\nAll done, you won't be billed again.\nDana", context) == []


def test_a_reason_asked_for_is_off_issue_only_when_the_reply_moves_to_another_topic() -> None:
    context = bare("My claim for the hail damage to my car was turned down. Why?")
    draft = "Hi Maria,\nYour policy renews on 1 June and the premium stays at 412 euros.\nDana"
    finding = only(draft, "off_issue", context)
    assert finding.explanation == (
        "The customer asks about the reason; the reply is about the cost or the renewal instead."
    )
    # An amount to "why is my bill higher?" stays on the bill: it may well be the reason.
    context.last_customer_message = "Why is my invoice so much higher this month?"
    draft = "Hi Maria,\nThe extra 12 euros is the one-off setup fee for your second user.\nDana"
    assert found(draft, context) == []


def test_naming_the_job_the_customer_wrote_about_is_not_another_answer() -> None:
    # "battery replacement" names the job asked about; it does not offer a replacement.
    context = bare("I left my phone for a battery replacement on Monday. Is it ready?")
    draft = "Hi Maria,\nThe battery replacement on your phone is with the technician.\nDana"
    assert found(draft, context) == []
    draft = "Hi Maria,\nThe invoice for your phone is attached; it was paid in full.\nDana"
    finding = only(draft, "off_issue", context)
    assert finding.explanation == (
        "The customer asks about when it can be collected; the reply is about a document instead."
    )


def test_re_ask_is_a_question_to_the_customer_not_a_statement_about_the_field() -> None:
    context = ctx(
        facts=[
            Field(label="Deduction", value="£60 oven clean"),
            Field(label="Meter reading", value="24819"),
        ],
        last_customer_message="When do we get our deposit back? And is my meter reading in?",
    )
    # A relative "which", the value told in other words, and a meter that sends
    # readings by itself: nothing is asked of the customer.
    told = (
        "Hi Maria, the only deduction is £60 for the oven clean, which the landlord agreed. "
        "A smart meter would send us your readings automatically."
    )
    assert [kind for kind, _ in found(told, context) if kind == "re_ask"] == []
    asked = "Hi Maria, could you send us your meter reading again?"
    finding = only(asked, "re_ask", context)
    assert "Meter reading: 24819" in finding.explanation


def test_checking_that_the_customer_is_not_abusing_a_policy_is_suspicion() -> None:
    draft = (
        "Hi Maria, before we refund, our team needs to check this isn't abuse of our "
        "returns policy."
    )
    assert ("disrespect", "abuse") in found(draft)
    assert [
        k for k, _ in found("Hi Maria, this is not abuse, and not your fault.") if k == "disrespect"
    ] == []


def test_asking_about_a_value_on_file_with_another_number_is_still_a_re_ask() -> None:
    context = ctx(facts=[Field(label="Address", value="5 Linden Close")])
    finding = only("Hi Maria, is your address still 7 Linden Close?", "re_ask", context)
    assert "5 Linden Close" in finding.explanation


def test_a_message_of_questions_only_reads_the_same_whatever_separates_them() -> None:
    draft = "Hi Maria,\nYour washing machine is booked in and the drum is on order."
    spaced = ctx(
        last_customer_message="Can you send an engineer this week? Who pays the callout fee?",
        subject="Broken washing machine",
    )
    lined = ctx(
        last_customer_message="Can you send an engineer this week?\nWho pays the callout fee?",
        subject="Broken washing machine",
    )
    assert [k for k, _ in found(draft, spaced)] == [k for k, _ in found(draft, lined)]


FESTIVAL = "Can I leave the festival site and come back in on the same day?"


def test_a_reply_that_opens_with_the_yes_or_no_is_on_the_issue() -> None:
    answer = "Just get your wristband scanned on the way out and again when you come back in."
    assert kinds(f"Hi Maria, yes. {answer}", bare(FESTIVAL)) == []
    assert kinds(f"Hi Maria,\nSadly not: {answer}", bare(FESTIVAL)) == []
    # The same words without the answer share nothing with the question.
    assert kinds(f"Hi Maria,\n{answer}", bare(FESTIVAL)) == ["off_issue"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Our guarantee covers any damage you did not cause.",
        "Don't worry, we've seen this one before: it's a known fault with the tow bar.",
        "I'm sorry you keep asking for updates on your car and not getting them.",
        "Don't worry, the estimate is not hard to follow.",
        "We didn't have to do anything to the engine; it only needed a software update.",
        "It's common sense advice, but keep the receipt for the tow.",
    ],
)
def test_polite_sentences_near_those_wordings_block_nothing(sentence: str) -> None:
    blocking = [f.kind for f in run_checks(ctx(), f"Hi Maria,\n{sentence}", RULES) if f.blocking]
    assert blocking == []


SALE = "Our summer sale starts on Monday with 20% off all road bikes and helmets in store."


@pytest.mark.parametrize(
    ("opening", "question"),
    [
        ("Sure.", "Can you send me the invoice for it?"),
        ("Sure.", "Can someone send me the invoice for it?"),
        ("Yes.", "Would it be possible to get the invoice for it?"),
        ("Of course!", "Has the refund for it gone through?"),
        ("No problem!", "Has the refund for it gone through?"),
    ],
)
def test_only_a_yes_or_no_to_a_yes_or_no_question_counts(opening: str, question: str) -> None:
    """A request is not answered by "sure", nor a question by a pleasantry."""
    message = f"I paid for the brake repair last week. {question}"
    assert kinds(f"Hi Maria,\n{opening} {SALE}", bare(message)) == ["off_issue"]


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Maria,\nObviously we'll cover the repair, and there is nothing to pay.",
        "Hi Maria,\nThe invoice was sent by mistake; obviously there is nothing to pay.",
    ],
)
def test_obviously_in_the_customers_favour_is_not_condescension(draft: str) -> None:
    assert "condescension" not in kinds(draft)


def test_obviously_about_the_customer_is_still_condescension() -> None:
    assert ("condescension", "obviously") in found(
        "Hi Maria,\nYou obviously need to read the towing terms before you call us."
    )


def test_the_agent_taking_it_up_with_a_supplier_is_not_deflection() -> None:
    owned = "Hi Maria,\nIf the part is faulty I'll take it up with our supplier myself."
    assert "deflection" not in kinds(owned)
    pushed = "Hi Maria,\nIf the part is faulty you'll need to take it up with our supplier."
    assert "deflection" in kinds(pushed)


def test_an_amount_the_customer_raised_is_their_topic_not_another() -> None:
    message = "£275 for one emergency visit seems very steep. Why is the out-of-hours fee so high?"
    draft = (
        "Hello Maria,\nThe £180 out-of-hours fee pays for a vet and a nurse on site overnight, "
        "and the £95 covered the examination and the injection."
    )
    assert "off_issue" not in kinds(draft, bare(message))


def test_when_as_a_conjunction_is_no_question_about_timing() -> None:
    message = "The food was stone cold when it arrived. Not good enough."
    draft = "Hi Maria,\nI'm sorry your food arrived cold. I've refunded the £27.80 to your card."
    assert "off_issue" not in kinds(draft, bare(message))


def test_a_refusal_in_kind_answers_a_return_or_a_cancellation() -> None:
    returned = bare("The bookcase doesn't suit my room. Can I return it?")
    refusal = (
        "Hello Maria,\nAs the bookcase was made to your measurements, I'm not able to accept a "
        "return; the £40 restocking fee would not apply to a fault, though."
    )
    assert "off_issue" not in kinds(refusal, returned)
    cancel = bare("I want to cancel my membership now.")
    early = (
        "Hi Maria,\nYour membership is on a 12-month contract, so I can't end it early without "
        "the remaining £29 payments."
    )
    assert "off_issue" not in kinds(early, cancel)


def test_an_amount_or_an_address_does_not_end_a_sentence() -> None:
    from rightdesk.quality.text import sentences

    text = "I've refunded £24.60 to your card. See example.com for the label! Thanks"
    assert [text[a:b] for a, b in sentences(text)] == [
        "I've refunded £24.60 to your card.",
        "See example.com for the label!",
        "Thanks",
    ]


@pytest.mark.parametrize(
    ("draft", "kind"),
    [
        ("Hi Maria,\nI haven't heard back.It's your own fault for not reading it.", "disrespect"),
        ("Hi Maria,\nSorry, we can't.Clearly you didn't read the terms.", "condescension"),
        (
            "Hi Maria,\nI'll ask the courier, but you'll need to contact the bank yourself.",
            "deflection",
        ),
        ("Hi Maria,\nObviously we've explained this to you three times already.", "condescension"),
        ("Hi Maria,\nObviously there is no point in explaining it again.", "condescension"),
        ("Hi Maria,\nThe call you made to us was a scam.", "disrespect"),
        ("Hi Maria,\nWe think you're a scammer going around other shops too.", "disrespect"),
        ("Hi Maria,\nYour account is blacklisted and so is your card.", "disrespect"),
        ("Hi Maria,\nCustomers like you get blacklisted from buying phones.", "disrespect"),
    ],
)
def test_the_narrow_exceptions_still_catch_slights_aimed_at_the_customer(
    draft: str, kind: str
) -> None:
    assert kind in kinds(draft)


@pytest.mark.parametrize(
    "sentence",
    [
        "The ID check is what protects your belongings from that kind of fraud.",
        "Abusive behaviour can lead to a rider being removed from the platform.",
        "Obviously we'll send a replacement.",
        "I'm satisfied the listing was a scam: the seller set it up with stolen details.",
        "At 9.12am our fraud system spotted your card being used abroad.",
        "A programmed key is the easiest way to steal a modern car, so we check ownership.",
        "Someone could steal your identity with those details, so I've locked the account.",
        "The payment was taken by fraudsters, not by you.",
    ],
)
def test_blame_words_about_someone_else_or_our_protection_are_no_slight(sentence: str) -> None:
    # The phrase rules must not block these; the learnt model may still advise a
    # second look ("Abusive behaviour can lead to…" sent to a customer may be a hint).
    draft = f"Hi Maria,\n{sentence}"
    blocked = {f.kind for f in run_checks(ctx(), draft, RULES) if f.blocking}
    assert not blocked & {"disrespect", "condescension"}


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("The seller told us you are a scammer.", "scammer"),
        ("Your abusive behaviour towards our drivers has been noted.", "abusive"),
        ("Abusive behaviour from you towards our engineers will not be tolerated.", "Abusive"),
        ("This protects us from fraudsters like you.", "fraudster"),
        ("We keep a list of people who steal from us.", "steal"),
        ("It looks like you tried to steal a bike.", "steal"),
    ],
)
def test_blame_aimed_at_the_customer_stays_a_slight_beside_third_parties(
    sentence: str, word: str
) -> None:
    assert ("disrespect", word) in found(f"Hi Maria,\n{sentence}")


def test_a_reply_in_the_words_of_the_question_answers_it_whatever_else_it_tells() -> None:
    context = bare(
        "I'm having knee surgery on 10 June and can't train for three months. "
        "Can I freeze my membership instead of cancelling?"
    )
    draft = (
        "Hi Maria,\nGood luck with the surgery, and yes, you can freeze rather than cancel. "
        "I've set up a three-month freeze from 1 June; while it's frozen you pay £4 a month "
        "instead of £24.99.\nDana"
    )
    assert "off_issue" not in kinds(draft, context)
    # One shared word is no echo: a price alone answers another question.
    draft = "Hi Maria,\nYour membership is £24.99 a month from June, as before.\nDana"
    assert "off_issue" in kinds(draft, context)


def test_a_task_left_for_the_customer_is_no_ownership() -> None:
    assert "deflection" in kinds("Hi Maria,\nIt's for you to contact the bank about the charge.")
    assert "deflection" in kinds(
        "Hi Maria,\nIt would be quicker for you to contact the bank about the charge."
    )
    assert "deflection" in kinds("Hi Maria,\nIt's best for you to contact the bank directly.")
    assert "deflection" not in kinds(
        "Hi Maria,\nI've booked the collection for you and will ring the courier myself, "
        "so you don't need to contact them.\nDana"
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Tradesperson payments are common targets for invoice scams, so we look at them closely.",
        "Obviously you won't be charged for those seats again.",
        "Obviously we'll put it right in time for the party.",
        "If they ask for anything else, forward it to me and I'll deal with it.",
    ],
)
def test_a_crime_named_by_its_kind_our_offer_and_our_own_failure_do_not_block(
    sentence: str,
) -> None:
    findings = run_checks(ctx(), f"Hi Maria,\n{sentence}\nDana", RULES)
    assert not [f for f in findings if f.blocking]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("This looks like invoice fraud on your part.", "disrespect"),
        ("That's the price, so you'll have to live with it.", "hostile_tone"),
        ("Deal with it.", "hostile_tone"),
        ("Obviously you don't understand the contract.", "condescension"),
    ],
)
def test_the_same_words_aimed_at_the_customer_still_block(sentence: str, kind: str) -> None:
    assert kind in kinds(f"Hi Maria,\n{sentence}")


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Your refund scam won't work.", "disrespect"),
        ("This is a refund scam and we will not pay.", "disrespect"),
        ("You have committed invoice fraud.", "disrespect"),
        ("What you've done is card fraud.", "disrespect"),
        ("The seller has reported abusive messages from you.", "disrespect"),
        ("The caller was abusive, and it was you.", "disrespect"),
        ("The store says this return is fraudulent.", "disrespect"),
        ("The courier thinks the claim is a scam.", "disrespect"),
        ("This kind of abusive behaviour towards our staff must stop.", "disrespect"),
        ("This is to protect us from fraud by you.", "disrespect"),
        ("Criminals like yourself steal cars every day.", "disrespect"),
        ("I tried, but you'll have to contact the courier yourself.", "deflection"),
        ("You can live with it or cancel your contract.", "hostile_tone"),
    ],
)
def test_exceptions_for_third_parties_never_excuse_a_slight_at_the_customer(
    sentence: str, kind: str
) -> None:
    assert kind in kinds(f"Hi Maria,\n{sentence}")


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm so sorry you were scammed by that seller.",
        "It sounds like you've been targeted by a scam text, so please don't click the link.",
        "Your card was used fraudulently at a petrol station in Leeds, so we've cancelled it.",
        "The payment was fraudulently taken from your account, and we've refunded it.",
        "Please ring our fraud hotline on 0800 123 456 if you see anything else.",
        "You can also report it to Action Fraud, who keep a record of these sellers.",
        "Thieves broke into the depot overnight and your parcel was among those taken.",
    ],
)
def test_a_customer_who_is_the_victim_is_not_accused(sentence: str) -> None:
    assert "disrespect" not in kinds(f"Hi Maria,\n{sentence}\nDana")


@pytest.mark.parametrize(
    "sentence",
    [
        "You scammed us out of a free phone.",
        "You've scammed three shops with this trick.",
        "You fraudulently used your sister's card.",
        "The card was used fraudulently by you, according to the bank.",
        "Thieves like you are why we check every return.",
    ],
)
def test_the_victim_exceptions_still_catch_an_accusation(sentence: str) -> None:
    assert "disrespect" in kinds(f"Hi Maria,\n{sentence}\nDana")


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Obviously we want the new frames to fit comfortably, so let's adjust them.", None),
        ("Obviously you won't be out of pocket for the cancelled trip.", None),
        ("Obviously you should have checked the size before ordering.", "condescension"),
        ("I'm sorry you've had to deal with it for so long.", None),
        ("You'll just have to deal with it.", "hostile_tone"),
        ("You can contact me directly on extension 214 if anything changes.", None),
        ("You'll need to contact the manufacturer directly.", "deflection"),
        ("Our Fraud Prevention Team will ring you from a withheld number.", None),
        ("That scam catches out lots of careful people, so please don't feel bad.", None),
        ("It looks like fraud by someone who saw your card details at the till.", None),
        ("This is fraud by you, plain and simple.", "disrespect"),
        ("Staff may end calls if they become abusive; writing to me is always fine.", None),
        ("Your calls to our staff have become abusive.", "disrespect"),
        ("Were you scammed, or are you just trying to get your money back?", "disrespect"),
        ("The refund was obtained fraudulently, and every sign points to you.", "disrespect"),
        ("The card was used fraudulently by yourself, according to the bank.", "disrespect"),
        ("You then fraudulently obtained a second refund.", "disrespect"),
        ("You knowingly and fraudulently obtained two refunds.", "disrespect"),
        ("We have logged a fraud report against you.", "disrespect"),
        ("We have reported you to Action Fraud.", "disrespect"),
        ("Your details have been passed to Action Fraud.", "disrespect"),
        ("Our CCTV shows the thief took the watch while you were at the counter.", "disrespect"),
        ("That scam usually works on smaller shops, but not on us.", "disrespect"),
        ("This was fraud by the person who holds this account.", "disrespect"),
        ("This is fraud by people like you.", "disrespect"),
        ("Obviously I don't want you to keep making the same mistake.", "condescension"),
        ("Other customers had to deal with it too, so I don't see why you can't.", "hostile_tone"),
        ("You'll be having to deal with it on your own from now on.", "hostile_tone"),
        ("Like last time, I'll end the call if it gets abusive again.", "disrespect"),
        ("You'll need to contact US Customs directly.", "deflection"),
        ("Obviously I'd like this fixed for you today.", None),
        ("Obviously we'd never want you to be out of pocket.", None),
    ],
)
def test_kind_uses_of_blame_and_stance_words_are_not_blocked(
    sentence: str, kind: str | None
) -> None:
    # The phrase rules block; the learnt model may still advise a second look. The
    # cases with a kind are slights these exceptions must not excuse.
    draft = f"Hi Maria,\n{sentence}\nDana"
    blocked = {f.kind for f in run_checks(ctx(), draft, RULES) if f.blocking}
    if kind is None:
        assert not blocked & {"condescension", "hostile_tone", "deflection", "disrespect"}
    else:
        assert kind in blocked


@pytest.mark.parametrize(
    "sentence",
    [
        "Obviously the missed connection was caused by our delay, so the hotel is on us.",
        "Obviously you shouldn't lose out on weeks you've paid for, so I've frozen it.",
        "Obviously you'll want it before the 9th, so I've sent it by next-day delivery.",
        "The seller's account was suspended after we found it taking payment for items it "
        "never sent, a clear abuse of the marketplace.",
        "The pair you bought from the social media seller were fraudulent; you were the "
        "victim of a ticket scam.",
        "That text isn't from us. It's a phishing scam, and as you haven't clicked the link, "
        "you're safe.",
        "It's a common scam, and sadly you're far from the only one caught by it.",
        "Please call your bank now and tell them you gave your details to a fake site, so "
        "they can cancel the card.",
        "We banned grimdark_73 permanently on 9 July. That kind of abuse has no place here, "
        "and I'm sorry it put you off posting.",
        "Those checks are there to stop referral abuse by strangers, and nothing on your "
        "side looks wrong.",
        "Cardholders who file claims on signed-for orders are a known form of chargeback "
        "abuse, so I've added this buyer's card to your block list.",
        "If you notice any weakness in your legs or problems with your bladder, go straight "
        "to A&E.",
    ],
)
def test_near_misses_of_kind_words_and_other_peoples_wrongs_do_not_block(sentence: str) -> None:
    assert blocked_kinds(sentence) == set()


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Obviously you should have read the terms before booking.", "condescension"),
        ("The seller says you abused the returns policy.", "disrespect"),
        ("You were caught scamming another seller last month.", "disrespect"),
        ("Call your bank; we're not dealing with this.", "deflection"),
        ("Buyers like you are a known form of chargeback abuse.", "disrespect"),
        ("Frankly, people such as you are why we check every refund for fraud.", "disrespect"),
        ("You were the victim of nothing; this is fraud.", "disrespect"),
        ("You haven't done anything wrong except commit fraud.", "disrespect"),
        ("If you notice any more damage, stop lying about how it happened.", "disrespect"),
        ("The account you used isn't ours, and we think you're running a scam.", "disrespect"),
    ],
)
def test_the_near_miss_exceptions_still_block_the_slight(sentence: str, kind: str) -> None:
    blocked = blocked_kinds(sentence)
    assert kind in blocked


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("As I explained last time, this happens because substitutions are on.", "condescension"),
        ("As the damage happened in transit, this is one for Parcelforce.", "deflection"),
        ("That's really a question for the airline.", "deflection"),
        ("It's one for us to sort out, so leave it with me.", None),
    ],
)
def test_a_past_explanation_and_a_problem_handed_to_a_named_firm(
    sentence: str, kind: str | None
) -> None:
    blocked = blocked_kinds(sentence)
    assert blocked == ({kind} if kind else set())


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        (
            "Please don't send anything; you were right to be suspicious. Emails claiming a "
            "solicitor's bank details have changed are one of the most common frauds.",
            None,
        ),
        (
            "The fair-use clause is there to stop abuse by businesses using personal "
            "memberships, so it doesn't apply to you at all.",
            None,
        ),
        (
            "We keep investigations into possible neglect or abuse confidential for everyone "
            "involved.",
            None,
        ),
        (
            "The circumstances you've described fit a pattern we see in staged fraud, so I've "
            "referred the third party's claims to our investigations unit.",
            None,
        ),
        (
            "Obviously there are emergencies where he'd need to get in quickly, but for a "
            "routine check he has to give notice.",
            None,
        ),
        ("This is one of the most common frauds, and you committed it.", "disrespect"),
        ("Our investigation into your fraud is under way.", "disrespect"),
        ("Obviously you should have been home for the delivery.", "condescension"),
    ],
)
def test_a_common_fraud_named_and_a_concession_are_no_slight(
    sentence: str, kind: str | None
) -> None:
    blocked = blocked_kinds(sentence)
    assert blocked == ({kind} if kind else set())


def test_a_cleft_sentence_is_no_question() -> None:
    context = bare("Can we get the deposit back?", facts=[Field(label="deposit", value="€250")])
    cleft = (
        "Hi Maria,\nWhat the operator will allow is a name change, so another family would "
        "pay you the deposit instead.\nDana"
    )
    assert "re_ask" not in kinds(cleft, context)
    assert "re_ask" in kinds("Hi Maria,\nWhat was the deposit amount?\nDana", context)


@pytest.mark.parametrize(
    "sentence",
    [
        "You logged in three days after the charge, so I'm finding it a little hard to believe "
        "you forgot.",
        "I've sold a lot of phones and I know how this one usually goes.",
        "I'm not going to refund on the strength of a couple of photos.",
    ],
)
def test_veiled_suspicion_blocks(sentence: str) -> None:
    blocked = blocked_kinds(sentence)
    assert "disrespect" in blocked


def test_no_learnt_guess_beside_the_customer_being_the_victim() -> None:
    draft = (
        "Hi Maria,\nI'm so sorry, but I think you've been targeted by a scam account. Please "
        "contact your bank today and tell them it was a purchase scam, as they may be able "
        "to recover the money. I've reported the fake account.\nDana"
    )
    assert [f.kind for f in run_checks(ctx(), draft, RULES) if f.kind in TONE_KINDS] == []


def test_a_request_asks_for_what_follows_its_cue_and_nothing_is_asked_when_all_is_in() -> None:
    context = bare(
        "I've just seen the V12 for £329 on a marketplace site. Can you refund the difference?",
        facts=[Field(label="competitor price", value="£329 at a marketplace seller")],
    )
    link = (
        "Hi Maria,\nIf a big retailer drops to that price within 14 days, send me the link "
        "and I'll refund the difference.\nDana"
    )
    assert "re_ask" not in kinds(link, context)
    asked = "Hi Maria,\nPlease send me the price you saw and where.\nDana"
    assert "re_ask" in kinds(asked, context)
    claim = bare(
        "Has anyone looked at my claim?",
        facts=[Field(label="claim", value="Lost luggage, Malaga")],
    )
    settled = "Hi Maria,\nYes, your claim is with a handler and we have everything we need.\nDana"
    assert "re_ask" not in kinds(settled, claim)


def test_a_deflecting_reply_is_reported_as_deflection_not_also_off_issue() -> None:
    context = bare("I need to add a second passenger to my ferry booking. How do I do that?")
    draft = (
        "Hi Maria,\nThat was sold by a travel agent, so you'll need to contact the agent "
        "about it. There's nothing we can change from here.\nDana"
    )
    found_kinds = kinds(draft, context)
    assert "deflection" in found_kinds
    assert "off_issue" not in found_kinds
    # Without the push elsewhere, the same silence on the ask is off-issue.
    silent = "Hi Maria,\nOur summer timetable is now online with extra evening sailings.\nDana"
    assert "off_issue" in kinds(silent, context)


def test_a_deflection_given_as_advice_also_stands_for_off_issue() -> None:
    context = bare(
        "The box of brochures arrived crushed and half of them are creased. "
        "Can you send replacements?"
    )
    draft = (
        "Hi Maria,\n\nI'm sorry they reached you like that. Once a parcel leaves our "
        "studio it's in the carrier's hands, so damage in transit is one for them to "
        "sort out.\n\nDana"
    )
    findings = [(f.kind, f.severity) for f in run_checks(context, draft, RULES)]
    assert ("deflection", "advice") in findings
    assert "off_issue" not in [kind for kind, _severity in findings]


def test_a_slight_on_the_case_is_not_also_off_issue_but_an_earlier_answer_is() -> None:
    context = bare(
        "Every morning between 8 and 9 the practice software crawls for everyone. "
        "Can you find out what is causing it?",
        earlier_customer_messages=["Could you send me last year's invoices for the server?"],
    )
    boast = (
        "Hi Maria,\n\nOur engineers hold more certifications than any other support firm "
        "in the region, and frankly we're lucky to have them. I've booked one for "
        "8am tomorrow to watch the slowdown as it happens.\n\nDana"
    )
    assert "arrogance" in kinds(boast, context)
    assert "off_issue" not in kinds(boast, context)
    # The same slight on a reply to the earlier, settled question: still off-issue.
    earlier = (
        "Hi Maria,\n\nFrankly you're lucky we keep records that long. Last year's "
        "server invoices are attached.\n\nDana"
    )
    assert {"arrogance", "off_issue"} <= set(kinds(earlier, context))


def test_a_deed_done_for_the_customer_answers_their_request_in_other_words() -> None:
    context = bare(
        "The cast-iron pans sold out quickly. Can I reorder the same quantity before Christmas?"
    )
    deed = (
        "Hi Maria,\n\nGreat to hear they've sold so well. I've placed a repeat of your last "
        "pans order at the same trade price, and the warehouse can dispatch on 2 December. "
        "I'll send the invoice this afternoon.\n\nDana"
    )
    assert "off_issue" not in kinds(deed, context)
    # A deed about something the message never names is no answer to it.
    other = (
        "Hi Maria,\n\nThanks for your message. I've renewed your stall licence for the "
        "spring market, and the new pitch map goes out with the invoice this afternoon."
        "\n\nDana"
    )
    assert "off_issue" in kinds(other, context)


@pytest.mark.parametrize(
    ("message", "draft"),
    [
        (
            "I've had a letter saying there's a recall on my scooter. "
            "Is it safe to keep using it until someone comes?",
            "Please stop using the scooter for now: the recall affects the brake linkage on "
            "this model, and in rare cases the brake can fail on a slope, so it isn't worth "
            "the risk. Our engineer fits the new part free of charge.",
        ),
        (
            "Do you know when the Arches hot-pressed blocks in the 31 x 41 size will be "
            "back in stock? I'd rather not buy from elsewhere.",
            "Thanks for waiting for us. Our supplier has confirmed a delivery of the "
            "Arches hot-pressed blocks on 18 March, and two from it are set aside for you.",
        ),
    ],
)
def test_a_safety_or_timing_question_is_answered_in_its_own_kind(message: str, draft: str) -> None:
    context = bare(message, items=[Field(label="paper", value="Arches hot-pressed blocks")])
    assert "off_issue" not in kinds(f"Hi Maria,\n\n{draft}\n\nDana", context)


def test_an_upgrade_or_points_offered_in_place_of_an_answer_is_off_issue() -> None:
    context = bare(
        "Can you tell me roughly what time the engineer is coming on Thursday? "
        "I need to know if I can do the school run."
    )
    upsell = (
        "Hi Maria,\n\nGood news: full fibre is now available on your street, so you could "
        "move up to 500Mb for just £8 more a month. Let me know and I'll switch your order."
        "\n\nDana"
    )
    assert "off_issue" in kinds(upsell, context)
    # The answer first, then the same offer: the offer is not the reply.
    answered = (
        "Hi Maria,\n\nThe engineer will be with you between 8am and 10am on Thursday, so "
        "you'll be back from the school run in time. Good news too: full fibre is now "
        "available, so you could move up to 500Mb for just £8 more a month.\n\nDana"
    )
    assert "off_issue" not in kinds(answered, context)


def test_plural_and_other_forms_of_the_asked_word_answer_it() -> None:
    context = bare(
        "I'd love to send a birthday present directly to Amina. "
        "Could you give me her family's address?"
    )
    draft = (
        "Hi Maria,\n\nTo protect the children we work with, we never share their home "
        "addresses. You can send a card through our office instead, and we'll pass it "
        "on with her next update.\n\nDana"
    )
    assert "off_issue" not in kinds(draft, context)


def test_what_does_that_mean_is_answered_by_explaining_the_story() -> None:
    context = bare(
        "My order status says 'awaiting customs clearance'. What does that mean? "
        "I need it urgently."
    )
    draft = (
        "Hi Maria,\nParcels from abroad wait at the border until customs clearance is "
        "done; yours was cleared this morning and the courier delivers it tomorrow.\nDana"
    )
    assert "off_issue" not in kinds(draft, context)


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        (
            "My bills keep going up. Is there a cheaper tariff I could switch to?",
            "Our two-year fix would save you about £90 a year against what you pay now; "
            "reply to confirm and I'll move you over.",
        ),
        (
            "When will I get my deposit back? I handed the keys in on Friday.",
            "Nothing was deducted at the inspection, so the full £800 will be paid to "
            "your account within five working days.",
        ),
    ],
)
def test_money_asked_about_in_other_words_is_on_the_issue(message: str, reply: str) -> None:
    assert "off_issue" not in kinds(f"Hi Maria,\n{reply}\nDana", bare(message))


@pytest.mark.parametrize(
    ("draft", "disrespectful"),
    [
        ("Someone used your card details fraudulently at three shops; the card is stopped.", False),
        (
            "Someone impersonated you at our store on Monday. That was fraud, and we missed it.",
            False,
        ),
        ("Please don't blame yourself; these scams are built to fool careful people.", False),
        ("The claim was lodged by somebody using your name, and we've found it fraudulent.", False),
        ("You committed fraud, whatever someone else may have told you.", True),
        ("We see fraudsters like you every week; someone always tries it.", True),
        ("Somebody in the shop saw it: we believe you abused the returns policy.", True),
        ("Your refund request looks fraudulent to us.", True),
    ],
)
def test_blame_words_about_a_third_party_are_not_aimed_at_the_customer(
    draft: str, disrespectful: bool
) -> None:
    assert ("disrespect" in kinds(f"Hi Maria,\n{draft}\nDana")) is disrespectful


@pytest.mark.parametrize(
    ("draft", "condescending"),
    [
        ("As I said on the phone yesterday, the part arrives Tuesday.", False),
        ("Obviously it's our job to pack fragile things properly, and we didn't.", False),
        ("Obviously, when a box says fragile, we should have handled it with care.", False),
        ("Obviously, you should have packed it better; it's our job to deliver it.", True),
        ("As I said, the part arrives Tuesday.", True),
    ],
)
def test_obviously_about_our_own_duty_and_as_i_said_on_a_call_are_kind(
    draft: str, condescending: bool
) -> None:
    assert ("condescension" in kinds(f"Hi Maria,\n{draft}\nDana")) is condescending


@pytest.mark.parametrize(
    ("facts", "ask", "re_ask"),
    [
        # Only the report's state is on file, not its number.
        ([Field(label="Police report", value="filed")], "Please send me the report number.", False),
        (
            [Field(label="Police report", value="PR-20931")],
            "Please send me the report number.",
            True,
        ),
        # The children are on file; their sizes are not.
        (
            [Field(label="Children", value="2, Years 3 and 5")],
            "Could you tell me the sizes you need for both children?",
            False,
        ),
        (
            [Field(label="Children", value="2, Years 3 and 5")],
            "How many children will be coming?",
            True,
        ),
    ],
)
def test_re_ask_is_about_the_thing_asked_for_not_its_owner(
    facts: list[Field], ask: str, re_ask: bool
) -> None:
    context = ctx(facts=facts)
    assert ("re_ask" in kinds(f"Hi Maria,\n{ask}\nDana", context)) is re_ask


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        (
            "So sorry, I was stuck in traffic and missed Tuesday. Could we rebook for next week?",
            "I can do Thursday at 4pm; just reply to confirm.",
        ),
        (
            "My knee has flared up again. Is there any chance of seeing someone before Friday?",
            "We've had a cancellation tomorrow at 9.15am and I've pencilled you in.",
        ),
    ],
)
def test_a_slot_offered_answers_a_request_to_rebook(message: str, reply: str) -> None:
    assert "off_issue" not in kinds(f"Hi Maria,\n{reply}\nDana", bare(message))


def test_a_reason_given_without_because_answers_why() -> None:
    context = bare(
        "My card was declined at the till last night and there's money in the account. "
        "Why did this happen, and can I use it today?"
    )
    draft = (
        "Hi Maria,\nThe £860 payment was paused by our fraud checks: a large amount abroad "
        "late at night triggers an automatic check. You confirmed it in the app this "
        "morning, so the card works again now.\nDana"
    )
    assert "off_issue" not in kinds(draft, context)


def test_an_offer_in_place_of_an_answer_is_off_issue() -> None:
    # Shares "car" and "Monday" with the question, so only the promotion check sees it.
    promotion = (
        "Hi Maria,\nWhile your car is with us since Monday, a heads-up: our winter tyres "
        "launch this week, and as an existing customer you get 20% off with the code "
        "SNOW20.\nDana"
    )
    asked = bare("My car has been in your workshop since Monday. Is it ready yet?")
    assert "off_issue" in kinds(promotion, asked)
    assert "off_issue" not in kinds(promotion, bare("Do you have any deals on winter tyres?"))
    answered_then_offer = (
        "Hi Maria,\nYes, your car is ready to collect from 4pm today. Our winter tyres "
        "launch this week, with 20% off for existing customers.\nDana"
    )
    assert "off_issue" not in kinds(answered_then_offer, asked)


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        (
            "The boiler's making a banging noise again. Can someone come out?",
            "I've booked an engineer to look at the boiler on Tuesday; the visit is free of "
            "charge and slots are available from Monday if Tuesday doesn't suit.",
        ),
        (
            "Is the speed upgrade available on my street yet?",
            "Yes, the 500Mb upgrade is available from next Monday, and switching is free of "
            "charge.",
        ),
        (
            "What's the code for the parcel locker?",
            "Use the code 4821 at the locker; a heads-up that it's available from 7am.",
        ),
    ],
)
def test_ordinary_news_on_the_issue_is_no_promotion(message: str, reply: str) -> None:
    assert "off_issue" not in kinds(f"Hi Maria,\n{reply}\nDana", bare(message))


@pytest.mark.parametrize(
    ("draft", "disrespectful"),
    [
        (
            "I'm so sorry this happened to you at the gig. What you describe is abuse, and "
            "security should have acted on the spot.",
            False,
        ),
        (
            "Thanks for flagging the text. It's a known scam doing the rounds; we never ask "
            "for bank details that way.",
            False,
        ),
        (
            "Thanks for checking first. The change request came from a lookalike address, "
            "so we've treated it as payroll fraud and paused it.",
            False,
        ),
        (
            "I'm sorry this happened. However, your claim looks fraudulent to us.",
            True,
        ),
        ("Thanks for flagging the order; it looks like fraud on your part.", True),
    ],
)
def test_a_reply_to_the_victim_is_about_someone_elses_wrong(
    draft: str, disrespectful: bool
) -> None:
    assert ("disrespect" in kinds(f"Hi Maria,\n{draft}\nDana")) is disrespectful


def test_dark_words_in_a_reply_to_the_victim_are_not_hostile() -> None:
    sympathetic = (
        "Hi Maria,\nI'm sorry, that's a horrible end to a day out, and it's not your fault. "
        "Because you took the damage waiver, the most you'll pay is the £100 excess, not "
        "the £2,400 value of the stolen bike.\nDana"
    )
    assert "hostile_tone" not in kinds(sympathetic)
    curt = "Hi Maria,\nIt's not your fault, but stop contacting us about it.\nDana"
    assert "hostile_tone" in kinds(curt)


@pytest.mark.parametrize(
    "draft",
    [
        "Someone called us about this order. We know you're running a scam with these returns.",
        "Fraudsters use exactly this story. We are treating your claim as fraud.",
        "The person in question was you, and that is fraud.",
        "The other guests involved saw you steal the towels from the room.",
        "Nobody impersonated you. This is fraud, plain and simple.",
        "We found no sign of a hacker; this was fraud.",
        "Claiming someone else used your card is the oldest scam there is.",
        "Someone reported the theft. We believe the thief is you.",
        "It's not your fault the parcel is missing, but it is your fault you keep lying about it.",
        "You did the right thing contacting us. Now stop abusing our staff.",
        "Sorry to hear what you've been through. Still, a claim like this one is fraudulent.",
        "You\u2019ve committed fraud, whatever someone else may have told you.",
        "Obviously we didn't expect anyone to be this careless with a parcel.",
        "As I said in my last three emails, the answer is no.",
        "As I said on the phone, twice, the answer is no.",
        "As I told you on the phone and again in my email, the answer is no.",
    ],
)
def test_third_parties_and_victims_never_excuse_a_slight_at_the_customer(draft: str) -> None:
    blocked = {f.kind for f in run_checks(ctx(), f"Hi Maria,\n{draft}\nDana", RULES) if f.blocking}
    assert blocked & {"disrespect", "condescension", "hostile_tone"}


@pytest.mark.parametrize(
    ("fact", "ask"),
    [
        (
            Field(label="Car", value="Ford Focus, red"),
            "Could you confirm the make and model of your car?",
        ),
        (
            Field(label="Appointment", value="Tuesday 4 June, 10am"),
            "Can you confirm the date of your appointment?",
        ),
        (
            Field(label="Children", value="2, Years 3 and 5"),
            "How many of your children will be coming?",
        ),
        (Field(label="Booking reference", value="KXQTRB"), "What's your booking reference?"),
        (Field(label="Voucher code", value="SPRINGSALE"), "Could you send me the voucher code?"),
    ],
)
def test_asking_for_a_detail_of_a_field_on_file_is_still_a_re_ask(fact: Field, ask: str) -> None:
    assert "re_ask" in kinds(f"Hi Maria,\n{ask}\nDana", ctx(facts=[fact]))


def test_a_visit_booked_answers_a_request_for_someone_to_come() -> None:
    context = bare("The boiler's making a banging noise again. Can someone come out?")
    draft = "Hi Maria,\nI've booked an engineer for Tuesday between 8 and 12.\nDana"
    assert "off_issue" not in kinds(draft, context)


TARGETED = (
    "A man rang saying he was from Hearthwise and that I owed £180. "
    "Was that you? I didn't give him anything."
)


@pytest.mark.parametrize(
    "sentence",
    [
        "This sounds like a scam, and I've reported it to Action Fraud.",
        "It's a scam, and you're the second customer this week to get one.",
        "Please call your bank today and tell them what happened.",
    ],
)
def test_a_customer_who_reports_being_targeted_is_not_accused_or_sent_away(
    sentence: str,
) -> None:
    targeted = bare(TARGETED)
    draft = f"Hi Maria,\n{sentence}\nDana"
    assert not [f.kind for f in run_checks(targeted, draft, RULES) if f.blocking]
    # The same sentence to a customer who only asked for a refund blocks.
    refund = bare("My refund for the heater still hasn't arrived. When will it come?")
    assert [f.kind for f in run_checks(refund, draft, RULES) if f.blocking]


@pytest.mark.parametrize(
    "sentence",
    [
        "You're trying to scam us, and we know it.",
        "You're the third person this week to try this scam on us.",
        "Your claim is fraudulent.",
    ],
)
def test_a_targeted_customer_can_still_be_accused(sentence: str) -> None:
    draft = f"Hi Maria,\n{sentence}\nDana"
    assert "disrespect" in [f.kind for f in run_checks(bare(TARGETED), draft, RULES) if f.blocking]


def test_staff_mistreating_a_customer_is_the_staff_members_abuse() -> None:
    report = bare("My daughter says her tutor called her lazy and shouted at her. What now?")
    draft = (
        "Hi Maria,\nWe treat any report of a tutor shouting at a student as potential "
        "verbal abuse, and Mr Baines is off the timetable while I review it.\nDana"
    )
    assert "disrespect" not in [f.kind for f in run_checks(report, draft, RULES)]
    accusing = "Hi Maria,\nYour daughter's story is abuse of our complaints process.\nDana"
    assert "disrespect" in [f.kind for f in run_checks(report, accusing, RULES)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Obviously you'll need to update the app first.",
        "Obviously I can't see it from here, but please switch the boiler off now.",
    ],
)
def test_obviously_is_condescension_advice_not_a_block(sentence: str) -> None:
    findings = run_checks(ctx(), f"Hi Maria,\n{sentence}\nDana", RULES)
    said = [(f.kind, f.severity) for f in findings if f.kind == "condescension"]
    assert said == [("condescension", "advice")]
    # The plainer slights still block.
    assert "condescension" in blocked_kinds("As I already said, the app needs updating.")


def test_a_value_on_file_as_not_provided_may_be_asked_for() -> None:
    context = ctx(facts=[Field(label="Passcode", value="not provided")])
    draft = "Hi Maria,\nCould you reply with your passcode so we can test the screen?\nDana"
    assert "re_ask" not in kinds(draft, context)
    known = ctx(facts=[Field(label="Passcode", value="4417")])
    assert "re_ask" in kinds(draft, known)


def test_a_question_that_offers_to_act_is_no_re_ask() -> None:
    context = ctx(facts=[Field(label="Holiday pause", value="up to 6 months at £5 a month")])
    offer = "Hi Maria,\nWant me to set up the pause from a specific date?\nDana"
    assert "re_ask" not in kinds(offer, context)
    asking = "Hi Maria,\nHow long a pause would you like, and at what price?\nDana"
    assert "re_ask" in kinds(asking, context)
    choosing = "Hi Maria,\nShall I book it, and which colour is your car?\nDana"
    assert "re_ask" in kinds(choosing)


@pytest.mark.parametrize(
    ("sentence", "severity"),
    [
        ("Nobody likes admitting they left it out in the rain.", "block"),
        ("Everyone who gets caught says the fob was never lent out.", "block"),
        ("Trying to pass wear and tear off as a manufacturing fault won't work.", "block"),
        ("We get plenty of customers who suddenly find a scratch after 30 days.", "advice"),
        ("We hear 'it was like that when it arrived' every single week.", "advice"),
        ("That line comes up a lot from tenants hoping to keep the whole deposit.", "advice"),
    ],
)
def test_veiled_suspicion_by_generalising_about_customers(sentence: str, severity: str) -> None:
    findings = run_checks(ctx(), f"Hi Maria,\n{sentence}\nDana", RULES)
    assert ("disrespect", severity) in [(f.kind, f.severity) for f in findings]


@pytest.mark.parametrize(
    "sentence",
    [
        "We get asked that quite a lot, so I've added it to our help page.",
        "There's no need to be embarrassed; we see this every day, and it's very treatable.",
        "Lots of owners see this after the first frost, and it's covered.",
    ],
)
def test_reassuring_generalisations_are_not_suspicion(sentence: str) -> None:
    assert "disrespect" not in kinds(f"Hi Maria,\n{sentence}\nDana")


def test_a_customer_harmed_by_someone_close_is_told_what_it_is() -> None:
    message = bare("My ex keeps taking money out of our joint account. Can I stop him?")
    draft = (
        "Hi Maria,\nWhat you're describing can be a form of financial abuse, and our "
        "specialist team can help today.\nDana"
    )
    assert "disrespect" not in [f.kind for f in run_checks(message, draft, RULES) if f.blocking]
    accusing = "Hi Maria,\nYou're abusing the joint account yourself, from what we can see.\nDana"
    assert "disrespect" in [f.kind for f in run_checks(message, accusing, RULES) if f.blocking]


def test_a_listing_the_customer_asks_about_is_someone_elses_scam() -> None:
    message = bare("I found your cottage on Facebook for £300 a week. Is it really yours?")
    draft = (
        "Hi Maria,\nThat listing isn't ours; it's a scam using our photos. We only take "
        "bookings through our own website, so please don't send any money.\nDana"
    )
    assert not [f.kind for f in run_checks(message, draft, RULES) if f.blocking]
    assert "deflection" in blocked_kinds("I only take bookings, so that's not one for me.")


def test_obviously_blocks_only_beside_a_slight_of_its_own() -> None:
    kind_words = "Obviously you'll want to know who it was, but we can't name another child."
    assert "condescension" not in blocked_kinds(kind_words)
    assert "condescension" in blocked_kinds("Obviously even a child could assemble this desk.")


def test_no_learnt_suspicion_in_fraud_words_to_a_customer_someone_targeted() -> None:
    sentence = "It was placed from a device we've never seen, so it does look like fraud."
    draft = f"Hi Maria,\n{sentence} I've cancelled the order.\nDana"
    hacked = bare("I got a receipt for a laptop I never ordered. Has someone hacked me?")
    assert "disrespect" not in [f.kind for f in run_checks(hacked, draft, RULES)]
    refund = bare("My laptop order was cancelled. Why?")
    assert "disrespect" in [f.kind for f in run_checks(refund, draft, RULES)]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("I'm a little surprised you needed to ask about defrosting a freezer.", "condescension"),
        ("Charging a phone overnight is about as basic as phones get.", "condescension"),
        ("Here's a quick lesson on how meter readings work.", "condescension"),
        ("You've answered your own question, really.", "condescension"),
        ("Did you even read the booking confirmation?", "condescension"),
        ("Try again properly and it will connect.", "condescension"),
        ("It's honestly not difficult if you follow the leaflet.", "condescension"),
        ("You'll just have to live with it until spring.", "hostile_tone"),
        ("Deal with it.", "hostile_tone"),
        ("We're one of the few garages that can do it properly, so it's booked for Monday.", None),
        ("The manufacturer is the one to deal with it, and I've sent them your photos.", None),
        ("I'm sorry you've had to live with it for so long.", None),
    ],
)
def test_talking_down_in_new_words_and_dealing_with_it(sentence: str, kind: str | None) -> None:
    blocked = blocked_kinds(sentence)
    if kind is None:
        assert not blocked & {"condescension", "hostile_tone"}
    else:
        assert kind in blocked


@pytest.mark.parametrize(
    ("sentence", "deflects"),
    [
        ("If it's easier, I can ring the courier for you today.", False),
        ("I'll send a replacement and ask our supplier to check the batch.", False),
        ("Let me email the manufacturer while you're on the line.", False),
        ("Our surveyor will contact you directly to arrange access.", False),
        ("Rather than you having to call the bank, I've sent them the details.", False),
        ("The storm was outside our control, but I've booked you a hotel for tonight.", False),
        ("I'm afraid you'll need to call the courier.", True),
        ("We can't help with that; contact the manufacturer.", True),
        ("I'd take that up with the caterers directly.", True),
        ("I'm afraid it's a matter for your bank, not for us.", True),
        ("The storm was outside our control, so there's nothing more to add.", True),
        ("The delay was outside our control, but we'd suggest you contact the airline.", True),
        ("It's outside our control, but I'm afraid there's nothing more we can do.", True),
    ],
)
def test_who_does_the_contacting_decides_a_deflection(sentence: str, deflects: bool) -> None:
    assert ("deflection" in blocked_kinds(sentence)) is deflects


def test_a_lexicon_score_alone_is_hostile_advice_and_rubbish_is_a_word_for_waste() -> None:
    sentence = (
        "We've reviewed your complaint and, while we don't agree the fee was wrong, "
        "we've refunded half."
    )
    draft = f"Hi Maria,\n{sentence}\nDana"
    scored = [f for f in run_checks(ctx(), draft, RULES) if f.kind == "hostile_tone"]
    assert scored and all(f.severity == "advice" for f in scored)
    assert "hostile_tone" not in blocked_kinds("The price includes taking the rubbish away.")
    assert "hostile_tone" in blocked_kinds("That's rubbish, and you know it.")


@pytest.mark.parametrize(
    ("sentence", "suspicious"),
    [
        ("I suspect you'll find the older model suits you better.", False),
        ("I doubt you'll have any trouble with the new one.", False),
        ("We suspect you'll try the same trick again.", True),
        ("We suspect you damaged it yourself.", True),
    ],
)
def test_a_hedged_guess_is_not_suspicion(sentence: str, suspicious: bool) -> None:
    assert ("disrespect" in blocked_kinds(sentence)) is suspicious


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("All I can say is contact the courier.", "deflection"),
        ("I can confirm it left us and the next step is to contact the courier.", "deflection"),
        ("It's out of our hands, but we can send you the courier's number.", "deflection"),
        ("We just answer the phones on behalf of the venue.", "deflection"),
        ("What a load of rubbish.", "hostile_tone"),
        ("Tough, deal with it.", "hostile_tone"),
        ("We suspect you might have dropped it.", "disrespect"),
        ("I'll personally phone the insurer on Wednesday.", None),
    ],
)
def test_the_narrowed_exceptions_still_catch_the_slight(sentence: str, kind: str | None) -> None:
    blocked = blocked_kinds(sentence)
    if kind is None:
        assert not blocked
    else:
        assert kind in blocked


@pytest.mark.parametrize(
    "sentence",
    [
        "This is an attempt at fraud and we won't be refunding it.",
        "That is an abuse of our returns policy.",
        "That is a convenient story. Sounds like fraud.",
    ],
)
def test_a_targeted_customer_is_still_accused_by_a_refusal_or_a_story(sentence: str) -> None:
    stolen = bare("My card's been stolen and there are charges I didn't make.")
    draft = f"Hi Maria,\n{sentence}\nDana"
    assert "disrespect" in [f.kind for f in run_checks(stolen, draft, RULES) if f.blocking]


def test_an_ordinary_message_about_what_someone_said_is_not_a_report_of_being_targeted() -> None:
    told = bare("Somebody at your shop told me the sofa would arrive Monday. Where is it?")
    draft = "Hi Maria,\nThis is an abuse of process and it sounds like fraud to me.\nDana"
    assert "disrespect" in [f.kind for f in run_checks(told, draft, RULES) if f.blocking]


def test_an_offer_beside_a_request_for_a_fact_on_file_is_a_re_ask() -> None:
    context = ctx(facts=[Field(label="Date of birth", value="4 May 1980")])
    draft = "Hi Maria,\nDo you want me to update it, and can you confirm your date of birth?\nDana"
    assert "re_ask" in kinds(draft, context)


def test_a_targeted_customer_is_not_accused_beside_an_ordinary_you() -> None:
    draft = (
        "Hi Maria,\nThis sounds like bogus-caller fraud, and I've reported it to the police. "
        "I've booked a free visit; the engineer will ring you before arriving.\nDana"
    )
    assert not [f.kind for f in run_checks(bare(TARGETED), draft, RULES) if f.blocking]


def test_an_agent_who_cannot_act_does_not_own_the_contact() -> None:
    tail = "refund sale items from the desk and ask the courier."
    assert "deflection" in blocked_kinds(f"We can't {tail}")
    assert "deflection" not in blocked_kinds(f"We can {tail}")


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The rims are due on the 20th, same as the last three times you asked.", "hostile_tone"),
        ("Same answer as on the 10th and the 11th: June 18.", "hostile_tone"),
        ("The viewing has been moved to Thursday at 2pm. Happy now?", "hostile_tone"),
        ("Per my previous email, we don't ship to Canada.", "condescension"),
        ("This inbox handles billing queries only.", "deflection"),
        ("Damage in transit is FedEx's responsibility.", "deflection"),
        (
            "Low pressure is a water company thing, so I'd give United Utilities a ring.",
            "deflection",
        ),
        ("You'll need to open a missing package claim with UPS.", "deflection"),
        ("You were lucky you walked up to our counter and not someone else's.", "arrogance"),
        ("Plenty of shops would have sold you a new port.", "arrogance"),
        ("Your camera has been here since March, and we're not a storage unit.", "hostile_tone"),
        (
            "If it isn't collected by Friday, it'll be sold, and there'll be no further warning.",
            "hostile_tone",
        ),
        (
            "I've seen your forum posts. Keep that up and our lawyers will be in touch.",
            "hostile_tone",
        ),
        (
            "Frankly we're tired of being chased for something we've already explained.",
            "hostile_tone",
        ),
        ("The account goes to recovery. There isn't a lot more to discuss.", "hostile_tone"),
        ("Oh yes, because our engineers carry every part ever made.", "hostile_tone"),
        ("Ray has built wheels for 25 years, and nobody else comes close.", "arrogance"),
        ("We're not some Craigslist rental.", "arrogance"),
        ("Any other teacher would have had him stuck at Grade 3.", "arrogance"),
        ("It's a courtesy most hotels in Bath simply wouldn't extend.", "arrogance"),
        ("Frankly I don't need your custom; these machines sell themselves.", "arrogance"),
        ("I'd rather we didn't go round this again.", "hostile_tone"),
        ("If you do file a dispute, we'll close your account.", "hostile_tone"),
        ("There's nothing else I can tell you.", "hostile_tone"),
        ("This has taken up a considerable amount of my time for £40.", "hostile_tone"),
        ("Could you be honest with us about how many doses were missed?", "disrespect"),
        ("I've had people tell me one thing and then I find coffee inside.", "disrespect"),
        ("Those other outfits aren't in the same league as us.", "arrogance"),
        ("We've never needed to offer flexible cancellation.", "arrogance"),
    ],
)
def test_everyday_wordings_of_coldness_handoffs_doubt_and_boasting_block(
    sentence: str, kind: str
) -> None:
    assert kind in blocked_kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Noted, thanks for letting me know; I'll book the engineer for Thursday.",
        "Fine by me: Thursday at 2pm works.",
        "I'll give the courier a ring this afternoon and call you back by five.",
        "You could give us a ring on 0800 123 456 if that's easier.",
        "You were lucky the frost didn't burst the pipe, but I've lagged it now.",
        "Obviously that shouldn't happen, and I'm sorry; I've refunded the duplicate.",
        "It's down to you which colour you pick.",
    ],
)
def test_their_polite_neighbours_do_not_block(sentence: str) -> None:
    assert not blocked_kinds(sentence) & {
        "hostile_tone",
        "deflection",
        "arrogance",
        "disrespect",
        "condescension",
    }


def test_repeat_claims_kept_track_of_are_suspicion_as_advice() -> None:
    draft = (
        "Hi Maria,\nI've opened a warranty case. This is the second claim on this device "
        "in four months, and we keep an eye on repeat warranty claims.\nDana"
    )
    disrespect = [f for f in run_checks(ctx(), draft, RULES) if f.kind == "disrespect"]
    assert disrespect and all(f.severity == "advice" for f in disrespect)
    # From the phrase list, not only the learnt model's guess.
    assert any(draft[f.start : f.end].startswith("second claim") for f in disrespect)


def test_a_cold_reply_to_a_bereaved_customer_gets_advice_a_kind_one_does_not() -> None:
    bereaved = bare("I'm sorry to tell you that Toby was put to sleep last week. Please cancel.")
    cold = "Policy cancelled from 10 March. No refund is due for the part-month.\nBeth"
    finding = only(cold, "hostile_tone", bereaved)
    assert finding.severity == "advice" and "sympathy" in finding.explanation
    kind = "I'm so sorry about Toby. I've cancelled the policy from 10 March.\nBeth"
    assert "hostile_tone" not in kinds(kind, bereaved)
    # A battery that "died" is no bereavement.
    battery = bare("My phone battery died halfway through the day. Can you replace it?")
    assert "hostile_tone" not in kinds("Bring it in Tuesday and we'll swap it.\nBeth", battery)


@pytest.mark.parametrize(
    ("label", "value", "sentence"),
    [
        ("Supply address", "7 Linden Avenue", "Could you let me know your forwarding address?"),
        ("Repair", "Screen replacement", "Has the phone been dropped since the repair?"),
        (
            "Appointment",
            "Monday 10:00",
            "We require 24 hours' notice, and missed appointments cost $50.",
        ),
    ],
)
def test_another_one_a_moment_or_another_clause_is_no_re_ask(
    label: str, value: str, sentence: str
) -> None:
    context = ctx(facts=[Field(label=label, value=value)])
    assert "re_ask" not in kinds(f"Hi Maria,\n{sentence}\nDana", context)


def test_proof_in_your_name_does_not_ask_for_the_name() -> None:
    draft = "Hi Maria,\nWe'll need proof of the move, like a utility bill in your name.\nDana"
    assert "re_ask" not in kinds(draft)


@pytest.mark.parametrize(
    ("label", "sentence"),
    [
        ("Address", "Could you confirm your address?"),
        ("New address", "Could you send me your new address?"),
        ("Appointment", "Please confirm your appointment time, and we'll see you then."),
    ],
)
def test_the_field_itself_asked_again_is_still_a_re_ask(label: str, sentence: str) -> None:
    context = ctx(facts=[Field(label=label, value="7 Linden Avenue, Monday 10:00")])
    assert "re_ask" in kinds(f"Hi Maria,\n{sentence}\nDana", context)


@pytest.mark.parametrize(
    ("sentence", "blames"),
    [
        ("Any genuine member of our staff would have given you your password.", False),
        ("We'll send you this form and ring you that afternoon.", False),
        ("Nobody else was there, so you staged the break-in.", True),
    ],
)
def test_you_as_the_object_is_no_accusation(sentence: str, blames: bool) -> None:
    # To a customer someone targeted, only a sentence that makes the customer the
    # wrongdoer keeps its blame words; "you" as the object of our deed is not one.
    at_customer = RULES.patterns["blame_at_customer"]
    assert at_customer is not None
    assert bool(at_customer.search(sentence)) is blames


@pytest.mark.parametrize(
    "sentence",
    [
        "It looks very much like your card was used fraudulently by someone else.",
        "It does look like someone used your name and address to take out a fraudulent policy.",
    ],
)
def test_a_sentence_calling_the_customer_the_victim_is_no_suspicion(sentence: str) -> None:
    letter = bare("I've had a letter about a policy for a car I don't own. What is going on?")
    draft = f"Hi Maria,\nI'm sorry, this must be worrying. {sentence} I've cancelled it.\nDana"
    assert "disrespect" not in kinds(draft, letter)


def test_veiled_blame_on_someone_in_the_house_is_still_suspicion() -> None:
    draft = (
        "Hi Maria,\nThat joint was bone dry when I left, so someone in the house has "
        "been fiddling with it since.\nDana"
    )
    assert "disrespect" in kinds(draft, bare("The tap you fitted is dripping. Can you come back?"))


@pytest.mark.parametrize(
    ("sentence", "talks_down"),
    [
        ("Obviously four weeks with no word isn't acceptable, and I'm sorry.", False),
        ("Obviously nine days without a phone is not good enough from us.", False),
        ("Obviously that shouldn't have happened, and I've refunded it.", False),
        ("Obviously nine weeks with no word isn't what I promised you.", False),
        ("Obviously the label says hand wash only.", True),
    ],
)
def test_obviously_about_our_own_failing_does_not_talk_down(
    sentence: str, talks_down: bool
) -> None:
    assert ("condescension" in kinds(f"Hi Maria,\n{sentence}\nDana")) is talks_down


def test_a_negated_offer_to_act_owns_nothing() -> None:
    handoff = "You'll need to file a claim with FedEx directly."
    refused = f"{handoff} Unfortunately we aren't able to do that on your behalf."
    assert "deflection" in blocked_kinds(refused)
    owned = "I'll file the claim with FedEx on your behalf today and ring you on Friday."
    assert "deflection" not in blocked_kinds(owned)


@pytest.mark.parametrize(
    "sentence",
    [
        "The recipe card can't do all the thinking for you.",
        "That's Pool Ownership 101, really.",
        "There's no need to get worked up, the engineer is booked.",
        "My nine-year-old nephew reads ours.",
    ],
)
def test_talking_down_in_everyday_idioms_blocks(sentence: str) -> None:
    assert "condescension" in blocked_kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I'll keep it simple: your refund is approved and arrives Friday.",
        "Let me walk you through it step by step, since our guide could be clearer.",
        "Thank you, that's kind of you to say; I've booked the tuning for the 3rd.",
    ],
)
def test_plain_explanations_do_not_talk_down(sentence: str) -> None:
    assert "condescension" not in blocked_kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Most airlines will let you change the name for a fee; I can check yours.",
        "I'm sorry it's taken so long; there's nothing more you need to do.",
        "Our solicitor has the deeds and I'll post them to you on Monday.",
    ],
)
def test_their_plain_neighbours_pass(sentence: str) -> None:
    assert not blocked_kinds(sentence) & {"hostile_tone", "arrogance"}


@pytest.mark.parametrize(
    "sentence",
    [
        "You logged in on 5 June, so I'm finding it hard to square that with not knowing.",
        "With a photo like that, a 'missing' case is hard to take at face value.",
        "Please don't overstate how long you were cut off.",
        "Please don't try to pass it off as something that happened on our stand.",
        "We've heard that more times than I can count.",
        "I'm not saying that's what happened, but the tracking speaks for itself.",
    ],
)
def test_doubting_the_customers_word_blocks(sentence: str) -> None:
    assert "disrespect" in blocked_kinds(sentence)


def test_our_own_record_speaking_for_itself_is_a_boast_not_suspicion() -> None:
    kinds_found = blocked_kinds("Our track record speaks for itself.")
    assert "disrespect" not in kinds_found and "arrogance" in kinds_found


def test_a_reference_to_a_fraud_reporting_site_or_our_wish_to_help_is_no_slight() -> None:
    scam = bare("Someone called saying they were from your dispatch team. Was that you?")
    draft = (
        "Hi Maria,\nNo, that wasn't us. If you've already sent money, call your bank "
        "right away. You can also report it at reportfraud.ftc.gov.\nDana"
    )
    assert "disrespect" not in kinds(draft, scam)
    wish = "I wish I could make it that simple for you, but the vet must see him first."
    assert "condescension" not in blocked_kinds(wish)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Received. Crew booked for Thursday. It's on the list.", "hostile_tone"),
        ("Fine, it's cancelled.", "hostile_tone"),
        ("Late returns are billed at the daily rate. Plan accordingly.", "hostile_tone"),
        ("Our turnaround is miles ahead of the rest of the industry.", "arrogance"),
        ("We're under no obligation to do that, so bear it in mind.", "arrogance"),
        ("If the dance moved, that's down to you and your coordinator, not me.", "disrespect"),
        ("I'm happy to repeat it as many times as you need.", "condescension"),
        (
            "As your booking confirmation sets out quite clearly, check-in is from 3pm.",
            "condescension",
        ),
        ("Banks aren't magic.", "condescension"),
    ],
)
def test_wordings_as_often_plain_as_slighting_are_advice(sentence: str, kind: str) -> None:
    findings = [
        f for f in run_checks(ctx(), f"Hi Maria,\n{sentence}\nDana", RULES) if f.kind == kind
    ]
    assert findings and all(f.severity == "advice" for f in findings)


@pytest.mark.parametrize(
    "sentence",
    [
        "Noted.\nI've moved the engineer visit to Thursday between 8 and 12.",
        "Fine, I've cancelled the order and the refund is on its way.",
        "Our solicitors will send the signed deeds to you on Monday.",
        "Your savings streak is great. Keep it up and you'll hit gold status.",
        "Done: there'll be no further reminders from us, as you asked.",
        "The office is closed on Monday 26th, so please plan accordingly.",
        "There's nothing else I can tell you yet, but I'll ring the moment I hear.",
        "With the new seal fitted, don't expect it to happen again.",
        "Is everything working, and are you happy now?",
        "I suppose we'll have to wait for the part, but I'll chase the supplier daily.",
        "We're under no obligation to, but I'm very happy to refund the full £42.",
        "You get what you pay for with budget tyres, so I'd suggest the mid-range set.",
        "We've never had to chase you for a payment before, so I've waived the fee.",
        "I'm sorry, any other day would have been fine, but we're closed on the 25th.",
        "Most garages would have the part in stock, but this model is rare.",
        "Most hotels will let you store luggage after check-out, and we're happy to as well.",
        "These two models aren't in the same league on battery life.",
        "You were lucky to get the last one, enjoy it!",
        "The medium is the most popular size in the country.",
        "We're quite picky about which farms we buy from.",
        "Your class is in Room 101 on the first floor.",
        "A child ticket can be used on any weekday service.",
        "Tyre pressure is one of the basics we check at every service.",
        "Our website says very clearly that delivery is free, so I've refunded the £4.99.",
        "I hope that's clearer now, but do ring me if not.",
        "Our invoice and our payment log are hard to square, which is our fault.",
        "The photos speak for themselves: it was crushed in transit, so I've refunded you.",
        "We can't have people waiting in the cold, so we've opened the lobby at 7.",
        "This is the courier's fault and I've sent a replacement today at no cost.",
        "You can give our support team a ring on 0800 123 456.",
        "You'll need to submit a warranty claim through our online form; I'll approve it today.",
    ],
)
def test_near_neighbours_of_the_new_wordings_do_not_block(sentence: str) -> None:
    assert not blocked_kinds(sentence)


def test_a_refusal_in_its_own_clause_cancels_ownership_a_conditional_does_not() -> None:
    refused = "You'll need to contact FedEx. We aren't able to do that on your behalf."
    assert "deflection" in blocked_kinds(refused)
    later = (
        "You'll need to contact the courier. If there's no news by Monday I'll chase it for you."
    )
    assert "deflection" not in blocked_kinds(later)
