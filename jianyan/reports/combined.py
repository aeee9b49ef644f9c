"""Combined statistics of a city committee and its district/county committees (市县联动).

Each committee's figures come from `jianyan.reports.statistics.year_statistics`, so every count keeps the
exact definition of domain.md §9; here they are only added up, and the rates are computed again from the
summed counts (a rate of sums, never an average of rates)."""

from jianyan.people.models import Committee
from jianyan.reports.statistics import year_statistics

# Counts that add up across committees, and the rates computed again from them: rate -> (numerator, base).
SUMMED_DICTS = ("by_result_class", "not_registered_by_reason", "by_category", "by_proposer_type")
RATES = {
    "registration_rate": ("registered", "received"),
    "replied_rate": ("replied", "registered"),
    "completion_rate": ("closed", "registered"),
    "on_time_rate": ("on_time", "registered"),
    "collective_share": ("collective", "registered"),
    "member_participation": ("members_participating", "members_total"),
}
SATISFACTION_VALUES = ("satisfied", "basically_satisfied", "unsatisfied")
SHOWN = ("received", "registered", "replied", "closed", "on_time", "overdue_proposals", "key_proposals")


def counties_of(committee: Committee) -> list[Committee]:
    return list(Committee.objects.filter(parent=committee).order_by("id"))


def ratio(numerator: int, base: int) -> float:
    return round(numerator / base, 4) if base else 0.0


def add_counts(into: dict, figures: dict) -> None:
    for key, value in figures.items():
        if isinstance(value, int) and not isinstance(value, bool):
            into[key] = into.get(key, 0) + value
        elif key in SUMMED_DICTS and isinstance(value, dict):
            bucket = into.setdefault(key, {})
            for k, v in value.items():
                if isinstance(v, int) and not isinstance(v, bool):
                    bucket[k] = bucket.get(k, 0) + v
        elif key == "satisfaction" and isinstance(value, dict):
            for dimension, counts in value.items():
                bucket = into.setdefault("satisfaction", {}).setdefault(dimension, {})
                for k in SATISFACTION_VALUES:
                    bucket[k] = bucket.get(k, 0) + int(counts.get(k) or 0)


def combined_statistics(*, year: int, committee: Committee) -> dict:
    """The city's own figures, each county's, and the totals of all of them for the year.

    Returns {"committee", "year", "rows": [{"committee", "level", "is_own", "figures"}...], "total"}: the
    first row is the committee itself, then its counties (committees whose parent it is)."""
    members = [committee, *counties_of(committee)]
    rows, total = [], {}
    for c in members:
        figures = year_statistics(year=year, committee=c)
        add_counts(total, figures)
        rows.append({"committee": c, "level": c.get_level_display(), "is_own": c.pk == committee.pk,
                     "figures": figures, "shown": {k: figures.get(k, 0) for k in SHOWN}})
    for rate, (numerator, base) in RATES.items():
        if base in total:
            total[rate] = ratio(total.get(numerator, 0), total[base])
    for block in total.get("satisfaction", {}).values():
        returned = sum(block[k] for k in SATISFACTION_VALUES)
        block["rate"] = ratio(block["satisfied"] + block["basically_satisfied"], returned)
        block["satisfied_rate"] = ratio(block["satisfied"], returned)
    if "result" in total.get("satisfaction", {}):
        total["satisfaction_rate"] = total["satisfaction"]["result"]["rate"]
    return {"committee": committee, "year": year, "rows": rows, "total": total,
            "total_shown": {k: total.get(k, 0) for k in SHOWN}}
