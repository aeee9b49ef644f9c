"""Warn when deadlines reach past the national holiday data (the calendar then assumes Monday–Friday).

The warning goes away when the package is upgraded, or when the staff have entered the missing years'
holidays and 调休 days as CalendarException rows (admin: 工作日调整). Before the database is migrated
there is nothing to look at, so the check stays silent (e.g. `check --deploy` on a fresh database)."""

import datetime as dt

from django.core import checks
from django.db import DatabaseError
from django.utils import timezone

from jianyan.workdays.calendar import NATIONAL_LAST_YEAR

HORIZON = dt.timedelta(days=366)  # handling periods plus extensions stay within a year of today


def years_entered_locally(years: range) -> set[int] | None:
    from jianyan.workdays.models import CalendarException

    try:
        return {d.year for d in CalendarException.objects.filter(date__year__in=list(years)).dates("date", "year")}
    except DatabaseError:
        return None


@checks.register()
def national_calendar_covers_deadlines(app_configs=None, **kwargs):
    last_needed = (timezone.localdate() + HORIZON).year
    if last_needed <= NATIONAL_LAST_YEAR:
        return []
    missing = range(NATIONAL_LAST_YEAR + 1, last_needed + 1)
    entered = years_entered_locally(missing)
    if entered is None or set(missing) <= entered:
        return []
    return [checks.Warning(
        f"节假日数据（chinesecalendar）只到 {NATIONAL_LAST_YEAR} 年；{NATIONAL_LAST_YEAR + 1} 年起的期限按周一至周五计算工作日。",
        hint="请升级 chinesecalendar，或在后台“工作日调整”中录入新一年的放假与调休安排。",
        id="workdays.W001",
    )]
