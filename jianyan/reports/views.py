"""The statistics page (统计分析) for the proposal committee's staff and its leaders: the figures of
reports.statistics for a year, in cards, tables and ECharts charts; each count links to the review-queue
list of the proposals it counts (staff only: the queue is theirs)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from jianyan.core.access import profile_of, role_of
from jianyan.people.models import Committee, Role
from jianyan.reports.statistics import DIMENSIONS, year_statistics, yearly_trend, years_with_sessions
from jianyan.workspace.web import Crumb

VIEWER_ROLES = (Role.STAFF, Role.LEADER)

DIMENSION_PARAM = {"session": "session", "theme": "theme", "proposer_type": "proposer_type", "sector": "sector",
                   "party": "organisation"}
"""The review-queue parameter that selects a breakdown row's proposals."""

ROW_METRICS = ("received", "registered", "collective", "not_registered", "replied", "on_time", "closed",
               "overdue_proposals")
CARD_METRICS = ROW_METRICS + ("member", "merged", "converted", "pending_review", "key_proposals")
METRIC_OF = {"overdue_proposals": "overdue", "key_proposals": "key"}
EVALUATION_VALUES = ("satisfied", "basically_satisfied", "unsatisfied")


class Links:
    """Builds review-queue URLs for one year; `None` everywhere when the viewer has no queue to link to."""

    def __init__(self, year: int, enabled: bool):
        self.base = reverse("staff:queue") if enabled else None
        self.year = year

    def __call__(self, metric: str = "", **params) -> str | None:
        if self.base is None:
            return None
        query = {"state": "all", "year": self.year}
        if metric:
            query["metric"] = METRIC_OF.get(metric, metric)
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        return f"{self.base}?{urlencode(query)}"

    def metrics(self, names, **params) -> dict:
        return {name: self(name, **params) for name in names}


def annual_report_links(year: int) -> list[tuple[str, str]]:
    """The annual report's download links, once the documents app provides them (hidden until then)."""
    links = []
    for fmt, label in (("docx", "下载年度报告（Word）"), ("pdf", "下载年度报告（PDF）")):
        try:
            links.append((label, reverse("documents:annual", kwargs={"year": year, "fmt": fmt})))
        except NoReverseMatch:
            return []
    return links


def committees_for(own: Committee) -> list[Committee]:
    """The viewer's committee and the lower-level committees under it (县区政协), for the selector."""
    return [own, *Committee.objects.filter(parent=own).order_by("id")]


def chart_data(stats: dict, trend: list[dict]) -> dict:
    units = sorted(stats["by_unit"], key=lambda u: (-u["replying"], u["unit_id"]))[:15]
    sectors = [r for r in stats["breakdowns"]["sector"] if r["registered"]]
    return {
        "trend": {"years": [str(r["year"]) for r in trend], "received": [r["received"] for r in trend],
                  "registered": [r["registered"] for r in trend], "closed": [r["closed"] for r in trend],
                  "completion": [round(r["completion_rate"] * 100, 1) for r in trend]},
        "themes": {"names": [r["label"] for r in stats["breakdowns"]["theme"]],
                   "registered": [r["registered"] for r in stats["breakdowns"]["theme"]],
                   "replied": [r["replied"] for r in stats["breakdowns"]["theme"]]},
        "units": {"names": [u["unit"] for u in units],
                  "on_time": [round(u["on_time_rate"] * 100, 1) for u in units],
                  "satisfaction": [round(u["satisfaction_rate"] * 100, 1) for u in units]},
        "sectors": [{"name": r["label"], "value": r["registered"]} for r in sectors],
    }


def league_table(by_unit: list[dict]) -> list[dict]:
    """Units ranked by on-time rate, then satisfaction, then replies (办理情况排行)."""
    return sorted(by_unit, key=lambda u: (-u["on_time_rate"], -u["satisfaction_rate"], -u["replied"], u["unit_id"]))


def with_links(stats: dict, link: Links) -> dict:
    """Adds `links` to the figures and to every breakdown row and unit row (no queries)."""
    stats["links"] = link.metrics(CARD_METRICS)
    stats["reason_links"] = {code: link("not_registered", reason=code) for code in stats["not_registered_by_reason"]}
    stats["class_links"] = {code: link("replied", result_class=code) for code in stats["by_result_class"]}
    stats["evaluation_links"] = {
        dim: {v: link(evaluation=f"{dim}:{v}") for v in EVALUATION_VALUES} for dim in ("attitude", "result")}
    for name, rows in stats["breakdowns"].items():
        for row in rows:
            key = row["key"]
            row["links"] = link.metrics(ROW_METRICS, **{DIMENSION_PARAM[name]: key}) if key is not None else {}
    for u in stats["by_unit"]:
        u["links"] = {"lead": link("registered", unit=u["unit_id"], unit_mode="lead"),
                      "co": link("registered", unit=u["unit_id"], unit_mode="co"),
                      "separate": link("registered", unit=u["unit_id"], unit_mode="separate"),
                      "replied": link("replied", unit=u["unit_id"]),
                      "overdue": link("overdue", unit=u["unit_id"])}
    return stats


@login_required
def statistics_page(request):
    profile = profile_of(request.user)
    if profile is None or role_of(request.user) not in VIEWER_ROLES:
        raise Http404("页面不存在")
    committees = committees_for(profile.committee)
    committee = next((c for c in committees if c.code == request.GET.get("committee")), committees[0])
    years = years_with_sessions(committee)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    context = {"committees": committees, "committee": committee, "years": years, "year": year,
               "crumbs": [Crumb("工作台", reverse("workspace:home")), Crumb("统计分析")]}
    if year is not None:
        own = committee.pk == profile.committee_id
        stats = year_statistics(year=year, committee=committee)
        trend = yearly_trend(committee)
        link = Links(year, enabled=own and role_of(request.user) == Role.STAFF)
        context.update({
            "stats": with_links(stats, link), "trend": trend, "charts": chart_data(stats, trend),
            "league": league_table(stats["by_unit"]),
            "satisfaction_dims": [("attitude", "办理态度"), ("result", "办理结果")],
            "tables": [(name, label, stats["breakdowns"][name]) for name, (label, _) in DIMENSIONS.items()],
            "report_links": annual_report_links(year) if own else [],
        })
    return render(request, "reports/statistics.html", context)
