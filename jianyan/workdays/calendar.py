"""The working-day calendar: China's public holidays and adjusted working days (调休) from the
`chinese_calendar` package, plus each committee's local holidays and corrections (CalendarException).

The package's data covers 2004 to 2026 only. Beyond that, days fall back to Monday–Friday; the system
check `workdays.W001` says so, and a committee can enter the new year's holidays as CalendarException
rows until the package is upgraded.

Conventions (the ones used by Chinese administrative deadlines):
- `add_working_days(day, n)` counts n working days *after* `day` (the start day itself does not count);
  n = 0 gives `day` if it is a working day, else the next working day.
- `working_days_between(start, end)` counts the working days in (start, end], negative when end < start,
  so that working_days_between(d, add_working_days(d, n)) == n for any working day result.
- `roll_forward(day)`: a deadline that falls on a non-working day moves to the next working day."""

import bisect
import datetime as dt
import time
from dataclasses import dataclass, field
from functools import cached_property

import chinese_calendar

NATIONAL_FIRST_YEAR = min(chinese_calendar.holidays).year
NATIONAL_LAST_YEAR = max(chinese_calendar.holidays).year


# The package's own is_workday() validates its argument against the whole table (a min() and a max() over
# ~900 dates) on every call: ~50 µs a day, and a deadline list counts the working days of years of dates.
# Its two tables, read directly, answer the same in a dictionary look-up.
NATIONAL_HOLIDAYS = frozenset(chinese_calendar.holidays)
NATIONAL_WORKDAYS = frozenset(chinese_calendar.workdays)


def national_is_working_day(day: dt.date) -> bool:
    if day in NATIONAL_WORKDAYS:  # an adjusted working weekend (调休)
        return True
    return day.weekday() < 5 and day not in NATIONAL_HOLIDAYS  # beyond the tables' years: Monday–Friday


def national_holiday_name(day: dt.date) -> str:
    if not NATIONAL_FIRST_YEAR <= day.year <= NATIONAL_LAST_YEAR:
        return ""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return NAMES_ZH.get(name, "") if on_holiday and name else ""


NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
}


@dataclass(frozen=True)
class Calendar:
    """The national calendar corrected by one committee's exceptions (dates it takes off or works)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return national_is_working_day(day)

    def roll_forward(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        if n == 0:
            return self.roll_forward(day)
        step = dt.timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Arithmetic, not a walk over the days: a list of a committee's ten years of deadlines asks this
        for spans of thousands of days. Monday–Friday counted by whole weeks, then corrected on the few
        dates some table makes special (holidays on weekdays, working weekends)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = weekdays_between(start, end)
        special = self.special_dates
        for day in special[bisect.bisect_right(special, start):bisect.bisect_right(special, end)]:
            count += self.is_working_day(day) - (day.weekday() < 5)
        return count

    @cached_property
    def special_dates(self) -> list[dt.date]:
        """Every date on which a working day is not simply Monday–Friday, sorted (for bisect)."""
        return sorted(self.holidays | self.workdays | NATIONAL_HOLIDAYS | NATIONAL_WORKDAYS)


def weekdays_between(start: dt.date, end: dt.date) -> int:
    """Mondays to Fridays in (start, end]."""
    weeks, rest = divmod((end - start).days, 7)
    first = start.weekday() + 1
    return weeks * 5 + sum((first + i) % 7 < 5 for i in range(rest))


NATIONAL = Calendar()


class CommitteeCache:
    """Per-process cache of one value per committee (its calendar, its deadline policy): deadlines are
    computed for every row of a list and inside every workflow step, and these rows change a few times a
    year. A change made in this process (admin) clears the entry at once (signals in apps.py); other
    processes see it within TTL seconds."""

    TTL = 300.0

    def __init__(self, load):
        self.load = load
        self.entries: dict[int, tuple[float, object]] = {}

    def get(self, committee_id: int):
        hit = self.entries.get(committee_id)
        now = time.perf_counter()
        if hit is None or now - hit[0] > self.TTL:
            hit = self.entries[committee_id] = (now, self.load(committee_id))
        return hit[1]

    def forget(self, committee_id: int | None = None) -> None:
        if committee_id is None:
            self.entries.clear()
        else:
            self.entries.pop(committee_id, None)


def load_rules(committee_id: int) -> tuple:
    """A committee's calendar and deadline policy, loaded together so that whichever is needed first
    brings both (the policy's defaults when it has none)."""
    from jianyan.workdays.models import CalendarException, DeadlinePolicy

    holidays, workdays = set(), set()
    for day, kind in CalendarException.objects.filter(committee_id=committee_id).values_list("date", "kind"):
        (holidays if kind == CalendarException.Kind.HOLIDAY else workdays).add(day)
    policy = DeadlinePolicy.objects.filter(committee_id=committee_id).first() or DeadlinePolicy(committee_id=committee_id)
    return Calendar(frozenset(holidays), frozenset(workdays)), policy


rules = CommitteeCache(load_rules)


def calendar_for(committee) -> Calendar:
    """The calendar of a committee (instance or id; None gives the national one)."""
    if committee is None:
        return NATIONAL
    return rules.get(getattr(committee, "pk", committee))[0]


def is_working_day(day: dt.date, committee=None) -> bool:
    return calendar_for(committee).is_working_day(day)


def add_working_days(day: dt.date, n: int, committee=None) -> dt.date:
    return calendar_for(committee).add_working_days(day, n)


def working_days_between(start: dt.date, end: dt.date, committee=None) -> int:
    return calendar_for(committee).working_days_between(start, end)


def roll_forward(day: dt.date, committee=None) -> dt.date:
    return calendar_for(committee).roll_forward(day)
