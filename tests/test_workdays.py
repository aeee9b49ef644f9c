"""The working-day calendar: national holidays and adjusted working days, a committee's own exceptions,
the Monday–Friday fallback beyond the package's data, and the system check that says so."""

import datetime as dt

import pytest
import time_machine

from jianyan.workdays import calendar as wd
from jianyan.workdays.checks import national_calendar_covers_deadlines
from jianyan.workdays.models import CalendarException

D = dt.date


def test_national_day_week_is_a_holiday_and_the_adjusted_saturdays_are_working_days():
    assert not wd.is_working_day(D(2024, 10, 1))
    assert not wd.is_working_day(D(2024, 10, 7))
    assert wd.is_working_day(D(2024, 9, 29))  # Sunday, 调休上班
    assert wd.is_working_day(D(2024, 10, 12))  # Saturday, 调休上班
    assert not wd.is_working_day(D(2024, 10, 13))  # an ordinary Sunday
    assert wd.is_working_day(D(2024, 10, 8))


def test_adding_working_days_skips_the_holiday_and_counts_the_adjusted_day():
    # Mon 30 Sep is the 1st; 1–7 Oct off; 8, 9, 10, 11 Oct, then Saturday 12 Oct is the 6th.
    assert wd.add_working_days(D(2024, 9, 29), 1) == D(2024, 9, 30)
    assert wd.add_working_days(D(2024, 9, 29), 5) == D(2024, 10, 11)
    assert wd.add_working_days(D(2024, 9, 29), 6) == D(2024, 10, 12)
    assert wd.add_working_days(D(2024, 9, 29), 7) == D(2024, 10, 14)


def test_zero_days_rolls_forward_and_negative_days_go_back():
    assert wd.add_working_days(D(2024, 10, 3), 0) == D(2024, 10, 8)
    assert wd.add_working_days(D(2024, 10, 8), 0) == D(2024, 10, 8)
    assert wd.add_working_days(D(2024, 10, 8), -1) == D(2024, 9, 30)
    assert wd.roll_forward(D(2024, 10, 5)) == D(2024, 10, 8)


def test_working_days_between_is_the_inverse_of_adding():
    assert wd.working_days_between(D(2024, 9, 27), D(2024, 10, 14)) == 8  # 29, 30 Sep, 8–12 Oct, 14 Oct
    for n in (1, 5, 6, 20):
        assert wd.working_days_between(D(2024, 9, 29), wd.add_working_days(D(2024, 9, 29), n)) == n
    assert wd.working_days_between(D(2024, 10, 14), D(2024, 9, 27)) == -8
    assert wd.working_days_between(D(2024, 10, 2), D(2024, 10, 6)) == 0


def count_day_by_day(calendar: wd.Calendar, start: dt.date, end: dt.date) -> int:
    if end < start:
        return -count_day_by_day(calendar, end, start)
    return sum(calendar.is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def test_counting_working_days_agrees_with_counting_them_one_by_one():
    """working_days_between is arithmetic over the special dates; walking the days is the definition."""
    import random

    local = wd.Calendar(holidays=frozenset({D(2024, 5, 6), D(2024, 6, 8), D(2027, 1, 4)}),
                        workdays=frozenset({D(2024, 5, 11), D(2024, 10, 1), D(2028, 3, 4)}))
    rng = random.Random(8)
    spans = [(D(2003, 12, 30), D(2005, 1, 3)), (D(2026, 12, 25), D(2027, 1, 5)), (D(2024, 9, 28), D(2024, 9, 28))]
    for _ in range(300):
        start = D(2003, 1, 1) + dt.timedelta(days=rng.randrange(9500))
        spans.append((start, start + dt.timedelta(days=rng.randrange(-1500, 1500))))
    for calendar in (wd.NATIONAL, local):
        for start, end in spans:
            assert calendar.working_days_between(start, end) == count_day_by_day(calendar, start, end), (start, end)


def test_national_days_are_read_from_the_package_tables():
    import chinese_calendar

    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert wd.national_is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_committee_local_holiday_and_correction_apply_to_that_committee_only(committee, outsider):
    CalendarException.objects.create(committee=committee, date=D(2024, 10, 8), kind="holiday", name="本市放假")
    CalendarException.objects.create(committee=committee, date=D(2024, 10, 13), kind="workday", name="补班")
    assert not wd.is_working_day(D(2024, 10, 8), committee)
    assert wd.is_working_day(D(2024, 10, 13), committee)
    assert wd.add_working_days(D(2024, 9, 30), 1, committee) == D(2024, 10, 9)
    other = outsider.profile.committee
    assert wd.is_working_day(D(2024, 10, 8), other)
    assert wd.add_working_days(D(2024, 9, 30), 1, other) == D(2024, 10, 8)
    assert wd.add_working_days(D(2024, 9, 30), 1, committee.pk) == D(2024, 10, 9)  # by id too


@pytest.mark.django_db
def test_the_calendar_is_loaded_once_and_reloaded_when_the_committee_changes_it(committee, django_assert_num_queries):
    with django_assert_num_queries(2):  # the exceptions and the deadline policy, together
        for n in range(30):
            wd.add_working_days(D(2024, 9, 1), n, committee)
    exception = CalendarException.objects.create(committee=committee, date=D(2024, 9, 2), kind="holiday")
    assert not wd.is_working_day(D(2024, 9, 2), committee.pk)
    exception.delete()
    assert wd.is_working_day(D(2024, 9, 2), committee.pk)


def test_beyond_the_package_data_the_calendar_counts_monday_to_friday():
    year = wd.NATIONAL_LAST_YEAR + 1
    jan1 = D(year, 1, 1)
    assert wd.is_working_day(jan1) == (jan1.weekday() < 5)  # no New Year holiday known
    saturday = next(jan1 + dt.timedelta(days=i) for i in range(7) if (jan1 + dt.timedelta(days=i)).weekday() == 5)
    assert not wd.is_working_day(saturday)
    assert wd.add_working_days(saturday, 5) == saturday + dt.timedelta(days=6)


@pytest.mark.django_db
def test_the_system_check_warns_only_when_deadlines_reach_past_the_data(committee):
    with time_machine.travel(dt.datetime(wd.NATIONAL_LAST_YEAR - 1, 3, 1, 12), tick=False):
        assert national_calendar_covers_deadlines() == []
    with time_machine.travel(dt.datetime(wd.NATIONAL_LAST_YEAR, 6, 1, 12), tick=False):
        [warning] = national_calendar_covers_deadlines()
    assert warning.id == "workdays.W001"
    assert str(wd.NATIONAL_LAST_YEAR) in warning.msg and "周一至周五" in warning.msg
    CalendarException.objects.create(committee=committee, date=D(wd.NATIONAL_LAST_YEAR + 1, 1, 1), kind="holiday",
                                     name="元旦")
    with time_machine.travel(dt.datetime(wd.NATIONAL_LAST_YEAR, 6, 1, 12), tick=False):
        assert national_calendar_covers_deadlines() == []  # the new year's holidays were entered by hand
