"""Load the demo: a repair shop, an online seller and an independent rep.

Everything is built through the domain services (accounts, customers,
tickets), never by writing rows directly, so the demo shows exactly what the
product does: the same events, handoffs and facts a real desk would have.
The stories re-enact the seeds behind the product principles: a towed-in car
whose promised call-back never came, one purchase split into two tickets and a
refund that must include the card fee, and a rep who owns the problem instead
of sending the customer to "the home office".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from rightdesk.accounts.models import Role, Team
from rightdesk.accounts.services import create_agent, create_team
from rightdesk.channels.choices import Source
from rightdesk.channels.models import RawMessage
from rightdesk.channels.services import create_from_email, store_raw_message
from rightdesk.commerce.choices import FeeKind, LineKind
from rightdesk.commerce.services.orders import (
    LineInput,
    OrderInput,
    PaymentInput,
    get_or_create_source,
    record_order,
)
from rightdesk.commerce.services.refunds import RefundItem, approve_refund, request_refund
from rightdesk.commerce.services.routing import link_ticket_to_order
from rightdesk.custody.choices import Arrival, ItemKind, LocationKind
from rightdesk.custody.services import Identity, check_in_item, create_location
from rightdesk.customers.models import Customer
from rightdesk.customers.services import create_customer, record_fact
from rightdesk.tickets.choices import CallDirection, Channel, Priority, Status
from rightdesk.tickets.models import Message, Ticket
from rightdesk.tickets.services import (
    assign_ticket,
    change_status,
    create_ticket,
    log_call,
    merge_tickets,
    send_reply,
)

SHOP_TIME_ZONE = "America/Chicago"
DEMO_MAILBOX = "service@kesslerauto.example"

#: The demo is loaded when this team exists; a second load changes nothing.
MARKER_TEAM = "Workshop"

REPAIR_SHOP = "Kessler Auto Repair (repair shop)"
ONLINE_SELLER = "Northwind Hosting (online seller)"
INDEPENDENT_REP = "Lakeside Water, AquaPure dealer (independent rep)"

#: Key for PostgreSQL's advisory lock so two processes never load the demo at once.
_ADVISORY_LOCK_KEY = 0x52445F44454D4F  # "RD_DEMO"


@dataclass(frozen=True)
class DemoLogin:
    """One agent a visitor can sign in as."""

    business: str
    username: str
    password: str
    name: str
    role: str


@dataclass
class DemoResult:
    """What :func:`load_demo` did: whether it created anything, and the logins."""

    created: bool
    logins: list[DemoLogin] = field(default_factory=list)


#: (business, username, name, role). Passwords are ``demo-<username>``.
DEMO_AGENTS: tuple[tuple[str, str, str, str], ...] = (
    (REPAIR_SHOP, "rosa", "Rosa Delgado", Role.AGENT),
    (REPAIR_SHOP, "mike", "Mike Brennan", Role.AGENT),
    (REPAIR_SHOP, "karen", "Karen Kessler", Role.MANAGER),
    (ONLINE_SELLER, "priya", "Priya Natarajan", Role.AGENT),
    (ONLINE_SELLER, "tom", "Tom Becker", Role.MANAGER),
    (INDEPENDENT_REP, "jenna", "Jenna Olsen", Role.AGENT),
    (INDEPENDENT_REP, "luis", "Luis Romero", Role.AGENT),
    ("All businesses (administration)", "admin", "Avery Admin", Role.ADMIN),
)


def demo_password(username: str) -> str:
    return f"demo-{username}"


def demo_logins() -> list[DemoLogin]:
    """The demo logins, in the order they are printed."""
    return [
        DemoLogin(business=b, username=u, password=demo_password(u), name=n, role=r)
        for b, u, n, r in DEMO_AGENTS
    ]


#: The demo passwords are printed on the console, so a slow hash protects nothing; Django
#: re-hashes with the full work factor at the first sign-in.
DEMO_PBKDF2_ITERATIONS = 1_000


def _demo_password_hash(username: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(
            demo_password(username), hasher.salt(), iterations=DEMO_PBKDF2_ITERATIONS
        )
    return make_password(demo_password(username))


class _Clock:
    """A replacement for ``timezone.now`` that walks through the past days.

    The services stamp calls, notes, facts and handoffs with ``timezone.now()``;
    re-enacting the stories at their own moments keeps every timeline in the
    order a real desk would have written it.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.current = now

    def ago(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """A moment in the past, without moving the clock."""
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def set(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """Move the clock back to this long before the real now, and return that moment."""
        self.current = self.ago(days=days, hours=hours, minutes=minutes)
        return self.current

    def __call__(self) -> datetime:
        return self.current


@contextmanager
def _reenact(clock: _Clock) -> Iterator[None]:
    original: Callable[[], datetime] = timezone.now
    timezone.now = clock  # restored below; the load runs before any other thread starts
    try:
        yield
    finally:
        timezone.now = original


def _last_business_afternoon(now: datetime) -> datetime:
    """The latest 4 pm (shop time) not after ``now``: the stories then happen in opening hours."""
    local = now.astimezone(ZoneInfo(SHOP_TIME_ZONE))
    afternoon = local.replace(hour=16, minute=0, second=0, microsecond=0)
    if afternoon > local:
        afternoon -= timedelta(days=1)
    return afternoon


def load_demo(*, now: datetime | None = None) -> DemoResult:
    """Create the three demo businesses unless they already exist (idempotent)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        if Team.objects.filter(name=MARKER_TEAM).exists():
            return DemoResult(created=False, logins=demo_logins())
        clock = _Clock(now or _last_business_afternoon(timezone.now()))
        with _reenact(clock):
            agents = {
                username: create_agent(
                    username=username,
                    password=None,
                    email=f"{username}@demo.example.com",
                    display_name=name,
                    role=role,
                )
                for _, username, name, role in DEMO_AGENTS
            }
            for username, user in agents.items():
                user.password = _demo_password_hash(username)
                user.save(update_fields=["password"])
            _repair_shop(clock, agents)
            _online_seller(clock, agents)
            _independent_rep(clock, agents)
    return DemoResult(created=True, logins=demo_logins())


def _arrives_by_mail(*, sender: str, subject: str, body: str) -> None:
    """An e-mail as the gateway receives it: stored raw first, then placed (or held)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = DEMO_MAILBOX
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = make_msgid(domain="example.net")
    mail.set_content(body)
    raw_id, _new = store_raw_message(
        raw=mail.as_bytes(), source=Source.SMTP, mailbox=None, envelope_to=[DEMO_MAILBOX]
    )
    # The column's default is the real clock; the story happened at the demo's moment.
    RawMessage.objects.filter(pk=raw_id).update(received_at=timezone.now())
    create_from_email(raw_id=raw_id)


def _first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("created_at", "id").first()  # type: ignore[return-value]


def _facts(
    customer: Customer,
    actor: User,
    facts: list[tuple[str, str]],
    *,
    ticket: Ticket | None = None,
    source: Message | None = None,
    note: str = "",
) -> None:
    for label, value in facts:
        record_fact(
            customer=customer,
            label=label,
            value=value,
            actor=actor,
            ticket=ticket,
            source_message=source,
            source_note=note,
        )


def _repair_shop(clock: _Clock, agents: dict[str, User]) -> None:
    """Seed 000: a towed-in car, a promised call-back nobody made, a customer who chases."""
    rosa, mike, karen = agents["rosa"], agents["mike"], agents["karen"]
    front = create_team(name="Front desk", time_zone=SHOP_TIME_ZONE, manager=karen)
    front.members.add(rosa)
    workshop = create_team(name=MARKER_TEAM, time_zone=SHOP_TIME_ZONE, manager=karen)
    workshop.members.add(mike)

    maggie = create_customer(
        name="Margaret Thornton",
        preferred_name="Maggie",
        emails=["maggie.thornton@example.net"],
        phones=["+1 608-555-0131"],
    )
    towed = create_ticket(
        customer=maggie,
        subject="Towed-in 2016 Subaru Outback won't start",
        channel=Channel.PHONE,
        priority=Priority.HIGH,
        team=front,
        owner=rosa,
        actor=rosa,
        at=clock.set(days=3, hours=6),
    )
    clock.set(days=3, hours=5, minutes=52)
    intake = log_call(
        ticket=towed,
        actor=rosa,
        direction=CallDirection.INBOUND,
        party="Margaret Thornton",
        started_at=clock.ago(days=3, hours=6),
        duration_seconds=420,
        summary=(
            "Maggie called from work: her Outback was towed in by Badger Towing this morning "
            "after it died on the Beltline with a grinding noise. It is in the lot, bay 4. "
            "I told her we would call her back by 5 pm today with what is wrong and a rough "
            "price."
        ),
    )
    clock.set(days=3, hours=5, minutes=50)
    _facts(
        maggie,
        rosa,
        [
            ("Make", "Subaru"),
            ("Model", "Outback 2.5i Premium (2016)"),
            ("Colour", "Abyss Blue"),
            ("Plate", "WI AKR-4721"),
        ],
        ticket=towed,
        source=intake,
    )
    clock.set(days=3, hours=5, minutes=45)
    bay = create_location(name="Lot B, bay 4", kind=LocationKind.BAY, actor=karen)
    check_in_item(
        customer=maggie,
        kind=ItemKind.VEHICLE,
        arrival=Arrival.TOWED,
        ticket=towed,
        location=bay,
        actor=rosa,
        at=clock.current,
        identity=Identity(
            make="Subaru",
            model="Outback 2.5i Premium (2016)",
            colour="Abyss Blue",
            plate="WI AKR-4721",
        ),
    )
    clock.set(days=3, hours=5, minutes=30)
    assign_ticket(
        ticket=towed,
        actor=rosa,
        owner=mike,
        team=workshop,
        note=(
            "Maggie Thornton's blue Outback (plate AKR-4721), towed in this morning, bay 4. "
            "Died on the Beltline after a grinding noise and won't crank. I promised her a call "
            "back by 5 pm today with a diagnosis and a rough price: please call her, or tell me "
            "what to say and I will."
        ),
    )
    # Nobody called back that day. The next morning Maggie has to chase.
    clock.set(days=2, hours=7, minutes=55)
    log_call(
        ticket=towed,
        actor=rosa,
        direction=CallDirection.INBOUND,
        party="Margaret Thornton",
        started_at=clock.ago(days=2, hours=8),
        duration_seconds=180,
        summary=(
            "Maggie called: any news on my car? Nobody called her back yesterday as promised. "
            "I apologised and told her Mike in the workshop has the car and will call her "
            "before noon."
        ),
    )

    # Her husband writes from his own address about the same car: a stranger to the
    # ticket, so the mail waits in "Mail to sort" for Mike to decide, and Mike is told.
    clock.set(days=2, hours=6, minutes=10)
    _arrives_by_mail(
        sender="Tom Thornton <tom.thornton@example.net>",
        subject=f"Re: [{towed.reference}] Towed-in 2016 Subaru Outback won't start",
        body=(
            "Hello, I'm Maggie's husband. She's at work all day, so I can pick the Outback up "
            "on Saturday morning if it's ready. What do we owe, and do you take cards?\n\nTom"
        ),
    )

    daniel = create_customer(
        name="Daniel Okafor",
        emails=["d.okafor@example.com"],
        phones=["+1 608-555-0178"],
    )
    service = create_ticket(
        customer=daniel,
        subject="Oil change and tyre rotation, 2019 Honda Civic",
        channel=Channel.WALK_IN,
        team=workshop,
        owner=mike,
        actor=rosa,
        at=clock.set(days=5, hours=4),
    )
    clock.set(days=5, hours=3, minutes=58)
    _facts(
        daniel,
        rosa,
        [
            ("Make", "Honda"),
            ("Model", "Civic LX (2019)"),
            ("Colour", "Silver"),
            ("Plate", "WI BHT-2290"),
        ],
        ticket=service,
        note="Checked the car in at the counter",
    )
    clock.set(days=5, minutes=58)
    log_call(
        ticket=service,
        actor=mike,
        direction=CallDirection.OUTBOUND,
        party="Daniel Okafor",
        started_at=clock.ago(days=5, hours=1),
        duration_seconds=95,
        summary="Told Daniel the Civic is ready: oil and filter changed, tyres rotated, $89.95.",
    )
    clock.set(days=4, hours=20)
    change_status(ticket=service, actor=mike, status=Status.RESOLVED, reason="Picked up")

    priscilla = create_customer(name="Priscilla Vance", emails=["pvance@example.org"])
    create_ticket(
        customer=priscilla,
        subject="Brakes squeal when stopping: estimate?",
        channel=Channel.WEB,
        team=front,
        at=clock.set(hours=3),
        body_text=(
            "Hi, my 2014 Ford Focus squeals every time I brake. Could you give me an estimate "
            "for new pads, and when could you fit it in this week? Thanks, Priscilla"
        ),
    )


def _online_seller(clock: _Clock, agents: dict[str, User]) -> None:
    """Seed 001: one purchase, two tickets merged into one, a refund that includes the fee."""
    priya, tom = agents["priya"], agents["tom"]
    support = create_team(name="Northwind support", time_zone="America/New_York", manager=tom)
    support.members.add(priya)

    jon = create_customer(
        name="Jonathan Reyes",
        preferred_name="Jon",
        emails=["jon.reyes@example.org"],
    )
    order, _ = record_order(
        source=get_or_create_source(slug="northwind-shop", name="Northwind shop"),
        data=OrderInput(
            external_ref="NW-20931",
            placed_at=clock.ago(days=6, hours=2),
            currency="USD",
            customer_id=jon.pk,
            lines=[
                LineInput(
                    product="Site Builder Pro, 1-year licence",
                    unit_price="129.00",
                    kind=LineKind.DIGITAL,
                    sku="SBP-1Y",
                ),
                LineInput(
                    product="Managed WordPress Starter, 12 months",
                    unit_price="96.00",
                    kind=LineKind.SUBSCRIPTION,
                    sku="WP-START-12",
                ),
                LineInput(
                    product="Card processing fee",
                    unit_price="6.53",
                    kind=LineKind.FEE,
                    fee_kind=FeeKind.PROCESSING,
                ),
            ],
            payments=[PaymentInput(amount="231.53", method="Visa ending 4417")],
        ),
    )
    first = create_ticket(
        customer=jon,
        subject="Licence key for order NW-20931 never arrived",
        channel=Channel.EMAIL,
        team=support,
        at=clock.set(days=4, hours=5),
        body_text=(
            "Hello,\n\nOn Monday I paid $231.53 for order NW-20931: Site Builder Pro (1-year "
            "licence) and the Managed WordPress Starter hosting plan. The licence key never "
            "arrived, and the hosting turns out not to support the PHP version my site needs.\n\n"
            "I would like to cancel both and get a full refund, including the $6.53 card fee: "
            "I am not the one who failed to deliver.\n\nJon Reyes"
        ),
    )
    second = create_ticket(
        customer=jon,
        subject="Refund request: WordPress Starter hosting (order NW-20931)",
        channel=Channel.WEB,
        team=support,
        at=clock.set(days=4, hours=3),
        body_text=(
            "Your help page says to open a separate ticket for each product, so this is the "
            "second one, for the hosting plan on order NW-20931. Please cancel and refund it."
        ),
    )
    clock.set(days=3, hours=22)
    merge_tickets(source=second, target=first, actor=priya)
    clock.set(days=3, hours=21, minutes=50)
    items = [line for line in order.lines.order_by("position") if not line.is_fee]
    link_ticket_to_order(ticket=first, order=order, lines=items, actor=priya)
    _facts(
        jon,
        priya,
        [("Order number", "NW-20931"), ("Paid with", "Visa ending 4417")],
        ticket=first,
        source=_first_message(first),
    )
    clock.set(days=3, hours=21, minutes=40)
    # The refund defaults to everything he paid for both items, the card fee included.
    refund = request_refund(
        order=order,
        items=[RefundItem(line_id=line.pk) for line in items],
        actor=priya,
        ticket=first,
    )
    clock.set(days=3, hours=21, minutes=30)
    send_reply(
        ticket=first,
        actor=priya,
        body_text=(
            f"Hi Jon,\n\nI'm sorry you had to write twice. Both requests are now together on "
            f"this one ticket, {first.reference}, and I am handling it from start to finish.\n\n"
            "I have asked for a refund of everything you paid on order NW-20931: $129.00 for "
            "Site Builder Pro, $96.00 for the WordPress Starter hosting and the $6.53 card "
            "processing fee, $231.53 in total, back to your Visa ending 4417. I will write "
            "again as soon as it has been paid, by Thursday at the latest.\n\n"
            "Priya Natarajan\nNorthwind Hosting support"
        ),
        status=Status.WAITING_US,
    )
    approve_refund(refund=refund, actor=tom, at=clock.set(days=3, hours=20))

    hana = create_customer(name="Hana Kimura", emails=["hana.kimura@example.com"])
    question = create_ticket(
        customer=hana,
        subject="Does the Starter plan include daily backups?",
        channel=Channel.WEB,
        team=support,
        at=clock.set(days=1, hours=6),
        body_text=(
            "Before I buy: does Managed WordPress Starter include daily backups, and can I "
            "restore one myself? Hana"
        ),
    )
    send_reply(
        ticket=question,
        actor=priya,
        at=clock.set(days=1, hours=5, minutes=20),
        body_text=(
            "Hi Hana,\n\nYes: Starter keeps a daily backup for 14 days, and you can restore any "
            "of them yourself from the control panel (Backups, then Restore). There is no extra "
            "charge for it.\n\nPriya Natarajan\nNorthwind Hosting support"
        ),
        status=Status.RESOLVED,
    )


def _independent_rep(clock: _Clock, agents: dict[str, User]) -> None:
    """Seed 004: each rep owns their customers and their problems; no "home office"."""
    jenna, luis = agents["jenna"], agents["luis"]
    reps = create_team(name="Lakeside Water reps", time_zone=SHOP_TIME_ZONE)
    reps.members.add(jenna, luis)

    carol = create_customer(
        name="Carol Jensen",
        preferred_name="Carol",
        emails=["carol.jensen@example.com"],
        phones=["+1 612-555-0193"],
        account_owner=jenna,
    )
    clinic = create_customer(
        name="Riverside Family Dental",
        emails=["office@riversidedental.example.com"],
        phones=["+1 612-555-0107"],
        account_owner=jenna,
    )
    ahmed = create_customer(
        name="Ahmed Hassan",
        emails=["ahmed.hassan@example.net"],
        account_owner=luis,
    )
    clock.set(days=30)
    _facts(
        carol,
        jenna,
        [
            ("System", "AquaPure SoftFlow 45 water softener"),
            ("Installed", "14 June 2023 by Jenna Olsen"),
            ("Warranty", "AquaPure 5-year parts, until June 2028"),
        ],
        note="From the installation sheet",
    )
    _facts(
        clinic,
        jenna,
        [("System", "2 x AquaPure RO-500 reverse osmosis")],
        note="From the installation sheet",
    )
    _facts(
        ahmed,
        luis,
        [
            ("System", "AquaPure RO-300 under-sink filter"),
            ("Filter plan", "Cartridges delivered every 6 months"),
        ],
        note="From the installation sheet",
    )

    tank = create_ticket(
        customer=carol,
        subject="Brine tank cracked: warranty?",
        channel=Channel.EMAIL,
        team=reps,
        owner=jenna,
        at=clock.set(days=2, hours=4),
        body_text=(
            "Hi Jenna,\n\nThe brine tank on our softener has a crack and there is water on the "
            "basement floor. Last time I had a problem with the old unit, the company line told "
            "me to take it up with the home office, and nobody ever did. Can you help?\n\nCarol"
        ),
    )
    clock.set(days=2, hours=3, minutes=10)
    call = log_call(
        ticket=tank,
        actor=jenna,
        direction=CallDirection.OUTBOUND,
        party="Carol Jensen",
        started_at=clock.ago(days=2, hours=3, minutes=15),
        duration_seconds=300,
        summary=(
            "Called Carol back: hairline crack near the overflow fitting, about a cup of water "
            "a day. Told her to put a tray under it; I will file the warranty claim with "
            "AquaPure myself."
        ),
    )
    clock.set(days=2, hours=2, minutes=40)
    _facts(
        carol,
        jenna,
        [("Warranty claim", "AP-55812, filed with AquaPure by Jenna")],
        ticket=tank,
        source=call,
    )
    send_reply(
        ticket=tank,
        actor=jenna,
        at=clock.set(days=2, hours=2, minutes=30),
        body_text=(
            "Hi Carol,\n\nThanks for walking me through it on the phone. This one is mine from "
            "start to finish: you don't need to call AquaPure or anyone else. I have filed the "
            "warranty claim myself (claim AP-55812); the replacement tank ships to me and I "
            "will install it Thursday afternoon, with no charge for parts or labour.\n\n"
            "Jenna Olsen\nLakeside Water"
        ),
        status=Status.WAITING_US,
    )

    filters = create_ticket(
        customer=ahmed,
        subject="Filter cartridges didn't arrive this month",
        channel=Channel.EMAIL,
        team=reps,
        owner=luis,
        at=clock.set(days=6, hours=2),
        body_text="My replacement cartridges were due last week and nothing came. Ahmed",
    )
    send_reply(
        ticket=filters,
        actor=luis,
        at=clock.set(days=6),
        body_text=(
            "Hi Ahmed,\n\nMy mistake: your delivery was skipped when AquaPure changed "
            "warehouses. I am dropping off the two cartridges myself tomorrow before 10 am and "
            "will fit them if you like.\n\nLuis Romero\nLakeside Water"
        ),
        status=Status.RESOLVED,
    )
