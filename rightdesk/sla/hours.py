"""Business-time arithmetic: pure functions over a team's opening hours.

A promise of "one business day" or an SLA of "4 business hours" only means
something against a calendar: a weekly schedule in the team's own time zone,
minus public holidays and custom closures. Everything here is pure (no
database, no clock) so it can be proven with property tests and used in bulk.

Times are handled as integer microseconds since the Unix epoch: exact (no
float rounding, so adding durations is additive to the microsecond) and fast.
Each local day's opening intervals are converted to UTC once, with the zone's
real offsets, so a day on which clocks change has its true length.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
MINUTES_PER_DAY = 24 * 60
#: How far ahead a calendar is searched before deciding it never opens again.
MAX_SCAN_DAYS = 3 * 366

Interval = tuple[int, int]  # (start, end) in epoch microseconds, start < end


def to_us(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch."""
    if moment.tzinfo is None:
        raise ValueError("Business-time arithmetic needs aware datetimes.")
    return (moment - EPOCH) // ONE_US


def from_us(value: int) -> datetime:
    """Epoch microseconds back to an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=value)


WeeklySchedule = Sequence[Sequence[tuple[int, int]]]

#: Monday to Friday, 09:00-17:00: the default for a team without a calendar.
OFFICE_HOURS: tuple[tuple[tuple[int, int], ...], ...] = tuple(
    ((9 * 60, 17 * 60),) if weekday < 5 else () for weekday in range(7)
)


@lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str) -> holidays_lib.HolidayBase:
    """The public holidays of a country (and region), expanding to new years on demand."""
    return holidays_lib.country_holidays(country, subdiv=subdivision or None)


class BusinessHours:
    """When a team is open: weekly schedule, time zone, holidays and closures.

    ``weekly[0]`` is Monday. Each entry lists (start_minute, end_minute) spans
    of local wall-clock time, 0 <= start < end <= 1440, sorted, not overlapping.
    """

    def __init__(
        self,
        *,
        zone: str | ZoneInfo,
        weekly: WeeklySchedule = OFFICE_HOURS,
        closed_dates: Collection[date] = (),
        country: str = "",
        subdivision: str = "",
        is_holiday: Callable[[date], bool] | None = None,
    ) -> None:
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        if len(weekly) != 7:
            raise ValueError("A weekly schedule has seven days, Monday first.")
        spans: list[tuple[tuple[int, int], ...]] = []
        for day in weekly:
            previous_end = -1
            cleaned = []
            for start, end in day:
                if not (0 <= start < end <= MINUTES_PER_DAY) or start < previous_end:
                    raise ValueError(f"Invalid or overlapping opening span {start}-{end}.")
                previous_end = end
                cleaned.append((int(start), int(end)))
            spans.append(tuple(cleaned))
        if not any(spans):
            raise ValueError("A calendar must be open at some time of the week.")
        self.weekly: tuple[tuple[tuple[int, int], ...], ...] = tuple(spans)
        self.closed_dates = frozenset(closed_dates)
        self._holidays = public_holidays(country, subdivision) if country else None
        self._is_holiday = is_holiday
        self._days: dict[int, tuple[Interval, ...]] = {}

    # -- calendar days ----------------------------------------------------
    def is_closed_day(self, day: date) -> bool:
        """A public holiday or a custom closure: no opening hours at all."""
        if day in self.closed_dates:
            return True
        if self._holidays is not None and day in self._holidays:
            return True
        return bool(self._is_holiday and self._is_holiday(day))

    def day_intervals(self, day: date) -> tuple[Interval, ...]:
        """The opening intervals of one local date, as exact UTC instants (cached)."""
        key = day.toordinal()
        cached = self._days.get(key)
        if cached is not None:
            return cached
        result: list[Interval] = []
        if not self.is_closed_day(day):
            for start, end in self.weekly[day.weekday()]:
                begin = to_us(self._local(day, start))
                finish = to_us(self._local(day, end))
                if finish <= begin:  # a span swallowed by a spring-forward gap
                    continue
                if result and begin <= result[-1][1]:  # overlap created by a DST gap
                    result[-1] = (result[-1][0], max(result[-1][1], finish))
                else:
                    result.append((begin, finish))
        value = tuple(result)
        self._days[key] = value
        return value

    def _local(self, day: date, minute: int) -> datetime:
        if minute >= MINUTES_PER_DAY:
            day = day + timedelta(days=1)
            minute -= MINUTES_PER_DAY
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)

    def local_date(self, value_us: int) -> date:
        return from_us(value_us).astimezone(self.zone).date()

    def _intervals_from(self, start_us: int) -> Iterator[Interval]:
        """Opening intervals that end at or after ``start_us``, in order."""
        # A span of the previous local day may close exactly at midnight, the
        # instant itself: start one day early so that closing instant counts.
        day = self.local_date(start_us) - timedelta(days=1)
        for _ in range(MAX_SCAN_DAYS):
            for interval in self.day_intervals(day):
                if interval[1] >= start_us:
                    yield interval
            day = day + timedelta(days=1)
        raise ValueError("This calendar does not open again within three years.")

    # -- the arithmetic -----------------------------------------------------
    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` lies within opening hours (closing instant included)."""
        value = to_us(moment)
        day = self.local_date(value)
        spans = self.day_intervals(day - timedelta(days=1)) + self.day_intervals(day)
        return any(s <= value <= e for s, e in spans)

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself when open, else the next opening instant."""
        return self.add(moment, timedelta(0))

    def add_us(self, start_us: int, duration_us: int) -> int:
        """Add business microseconds to an instant (integer form, for bulk use)."""
        if duration_us < 0:
            raise ValueError("Business durations are not negative.")
        remaining = duration_us
        for begin, end in self._intervals_from(start_us):
            begin = max(begin, start_us)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise AssertionError("unreachable")  # pragma: no cover

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of business time after ``start``.

        The result always lies within opening hours. Zero duration gives the
        next open instant. Adding is monotonic and additive:
        ``add(add(s, a), b) == add(s, a + b)``.
        """
        return from_us(self.add_us(to_us(start), duration // ONE_US))

    def elapsed_us(self, start_us: int, end_us: int) -> int:
        """Business microseconds between two instants (0 when end precedes start)."""
        if end_us <= start_us:
            return 0
        total = 0
        for begin, end in self._intervals_from(start_us):
            if begin >= end_us:
                break
            total += min(end, end_us) - max(begin, start_us)
        return total

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time that passed between ``start`` and ``end``."""
        return timedelta(microseconds=self.elapsed_us(to_us(start), to_us(end)))

    def windows(self, first: date, days: int) -> list[tuple[datetime, datetime]]:
        """The opening windows of ``days`` local dates from ``first`` (for calendars)."""
        out: list[tuple[datetime, datetime]] = []
        for offset in range(days):
            for begin, end in self.day_intervals(first + timedelta(days=offset)):
                out.append(
                    (from_us(begin).astimezone(self.zone), from_us(end).astimezone(self.zone))
                )
        return out

    def end_of_day(self, day: date) -> datetime | None:
        """Closing time of a local date, or None when closed that day."""
        intervals = self.day_intervals(day)
        return from_us(intervals[-1][1]) if intervals else None

    def opening_of_day(self, day: date) -> datetime | None:
        intervals = self.day_intervals(day)
        return from_us(intervals[0][0]) if intervals else None

    def next_business_day(self, day: date) -> date:
        """The first local date after ``day`` with opening hours."""
        candidate = day + timedelta(days=1)
        for _ in range(MAX_SCAN_DAYS):
            if self.day_intervals(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError("This calendar does not open again within three years.")


def add_business_time(hours: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    """Functional form of :meth:`BusinessHours.add`."""
    return hours.add(start, duration)


def business_time_between(hours: BusinessHours, start: datetime, end: datetime) -> timedelta:
    """Functional form of :meth:`BusinessHours.elapsed`."""
    return hours.elapsed(start, end)


def due_with_pauses(
    hours: BusinessHours,
    start: datetime,
    target: timedelta,
    pauses: Sequence[tuple[datetime, datetime | None]],
) -> datetime | None:
    """When a clock started at ``start`` reaches ``target`` business time, not
    counting the ``pauses`` (sorted (from, until) spans; ``until`` None = still
    paused, in which case there is no due time yet and None is returned).
    """
    cursor = to_us(start)
    remaining = target // ONE_US
    for pause_start, pause_end in pauses:
        p_end = to_us(pause_end) if pause_end is not None else None
        if p_end is not None and p_end <= cursor:
            continue
        p_start = max(to_us(pause_start), cursor)
        candidate = hours.add_us(cursor, remaining)
        if candidate <= p_start:
            return from_us(candidate)
        remaining -= hours.elapsed_us(cursor, p_start)
        if p_end is None:
            return None
        cursor = p_end
    return from_us(hours.add_us(cursor, remaining))
