"""Business-time arithmetic: examples a person can check, then properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightdesk.sla.hours import OFFICE_HOURS, BusinessHours, due_with_pauses

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


def test_four_hours_from_friday_afternoon_lands_on_monday() -> None:
    hours = BusinessHours(zone=CHICAGO)
    due = hours.add(local(CHICAGO, 2026, 3, 6, 15, 0), timedelta(hours=4))
    assert due == local(CHICAGO, 2026, 3, 9, 11, 0)


def test_us_holiday_is_skipped_with_country_calendar() -> None:
    hours = BusinessHours(zone=CHICAGO, country="US")
    # Wednesday 2026-11-25 16:00 + 2h: Thanksgiving (Thu 26th) is closed.
    due = hours.add(local(CHICAGO, 2026, 11, 25, 16, 0), timedelta(hours=2))
    assert due == local(CHICAGO, 2026, 11, 27, 10, 0)


def test_custom_closure_is_skipped() -> None:
    hours = BusinessHours(zone=CHICAGO, closed_dates={date(2026, 3, 9)})
    due = hours.add(local(CHICAGO, 2026, 3, 6, 16, 0), timedelta(hours=2))
    assert due == local(CHICAGO, 2026, 3, 10, 10, 0)


def test_elapsed_counts_only_open_time() -> None:
    hours = BusinessHours(zone=CHICAGO)
    elapsed = hours.elapsed(local(CHICAGO, 2026, 3, 6, 16, 0), local(CHICAGO, 2026, 3, 9, 10, 30))
    assert elapsed == timedelta(hours=2, minutes=30)


def test_spring_forward_night_shift_is_one_hour_shorter() -> None:
    night = tuple(((0, 6 * 60),) for _ in range(7))
    hours = BusinessHours(zone=CHICAGO, weekly=night)
    # 2026-03-08: clocks jump 02:00 -> 03:00 in Chicago; the shift lasts 5 real hours.
    start = local(CHICAGO, 2026, 3, 8, 0, 0)
    assert hours.elapsed(start, local(CHICAGO, 2026, 3, 8, 6, 0)) == timedelta(hours=5)
    assert hours.add(start, timedelta(hours=5)) == local(CHICAGO, 2026, 3, 8, 6, 0)


def test_fall_back_night_shift_is_one_hour_longer() -> None:
    night = tuple(((0, 6 * 60),) for _ in range(7))
    hours = BusinessHours(zone=CHICAGO, weekly=night)
    start = local(CHICAGO, 2026, 11, 1, 0, 0)
    assert hours.elapsed(start, local(CHICAGO, 2026, 11, 1, 6, 0)) == timedelta(hours=7)


def test_pause_moves_due_time_by_paused_business_time() -> None:
    hours = BusinessHours(zone=CHICAGO)
    start = local(CHICAGO, 2026, 3, 9, 9, 0)
    pause = (local(CHICAGO, 2026, 3, 9, 10, 0), local(CHICAGO, 2026, 3, 10, 10, 0))
    assert due_with_pauses(hours, start, timedelta(hours=2), [pause]) == local(
        CHICAGO, 2026, 3, 10, 11, 0
    )
    assert due_with_pauses(hours, start, timedelta(hours=2), [(pause[0], None)]) is None


def test_invalid_schedules_are_refused() -> None:
    with pytest.raises(ValueError):
        BusinessHours(zone=CHICAGO, weekly=tuple(() for _ in range(7)))
    with pytest.raises(ValueError):
        BusinessHours(zone=CHICAGO, weekly=(((600, 500),), *tuple(() for _ in range(6))))


# ---------------------------------------------------------------------------
# Properties, over random schedules, zones with both DST transitions, holidays.

ZONES = ["America/Chicago", "Europe/Berlin", "Australia/Sydney", "UTC", "America/New_York"]


@st.composite
def day_spans(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted(draw(st.sets(st.integers(0, 1440), max_size=4)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return tuple((cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessHours:
    weekly = draw(st.lists(day_spans(), min_size=7, max_size=7))
    if sum(end - start for day in weekly for start, end in day) < 8 * 60:
        weekly[2] = ((9 * 60, 17 * 60),)  # at least a working day a week
    # Always include the night hours of the DST Sundays in some draws.
    if draw(st.booleans()):
        weekly[6] = ((0, 5 * 60), (8 * 60, 12 * 60))
    zone = draw(st.sampled_from(ZONES))
    closed = draw(st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20))
    country = draw(st.sampled_from(["", "US", "DE"]))
    return BusinessHours(zone=zone, weekly=weekly, closed_dates=closed, country=country)


# Instants around the DST changes of 2026 and across the year.
instants = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 1), timezones=st.just(UTC)),
    st.sampled_from(
        [
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # Chicago spring forward
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # Chicago fall back
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # Berlin spring forward
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # Berlin fall back
            datetime(2026, 12, 24, 22, 0, tzinfo=UTC),
        ]
    ),
)
durations = st.timedeltas(timedelta(0), timedelta(days=12))
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(hours=calendars(), start=instants, duration=durations)
def test_due_time_is_always_within_business_hours(
    hours: BusinessHours, start: datetime, duration: timedelta
) -> None:
    assert hours.is_open(hours.add(start, duration))


@PROPERTY
@given(hours=calendars(), start=instants, a=durations, b=durations)
def test_adding_is_monotonic(
    hours: BusinessHours, start: datetime, a: timedelta, b: timedelta
) -> None:
    low, high = sorted([a, b])
    assert hours.add(start, low) <= hours.add(start, high)


@PROPERTY
@given(hours=calendars(), start=instants, a=durations, b=durations)
def test_adding_is_additive(
    hours: BusinessHours, start: datetime, a: timedelta, b: timedelta
) -> None:
    assert hours.add(hours.add(start, a), b) == hours.add(start, a + b)


@PROPERTY
@given(hours=calendars(), start=instants, duration=durations)
def test_elapsed_inverts_add(hours: BusinessHours, start: datetime, duration: timedelta) -> None:
    assert hours.elapsed(start, hours.add(start, duration)) == duration


@PROPERTY
@given(hours=calendars(), start=instants, duration=durations)
def test_closed_days_get_no_due_times(
    hours: BusinessHours, start: datetime, duration: timedelta
) -> None:
    due = hours.add(start, duration)
    local_day = due.astimezone(hours.zone).date()
    # The due instant is either inside a span of its own (open) local date, or
    # the exact closing midnight of the previous one.
    assert not hours.is_closed_day(local_day) or (
        due.astimezone(hours.zone).time().hour == 0
        and due.astimezone(hours.zone).time().minute == 0
        and not hours.is_closed_day(local_day - timedelta(days=1))
    )


def test_office_hours_default_is_monday_to_friday() -> None:
    assert [bool(day) for day in OFFICE_HOURS] == [True] * 5 + [False] * 2
