"""`jianyan stats --year 2024 [--committee CODE] [--json]`: the statistics of domain.md §9 for a year."""

import json

from django.core.management.base import BaseCommand, CommandError

from jianyan.core.cli import resolve_committee
from jianyan.people.models import Committee
from jianyan.proposals.models import ProposerType
from jianyan.reports.statistics import year_statistics, years_with_sessions


def pct(x: float) -> str:
    return f"{x * 100:.2f}%"


class Command(BaseCommand):
    help = "提案工作统计（收到、立案、办复、办结、满意率等，定义见 jianyan/reports/statistics.py）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="年度，如 2024（按会次年度统计）")
        parser.add_argument("--committee", help="政协代码，默认 yq（若存在），否则唯一的政协")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        year, committee = options["year"], options.get("committee")
        try:
            year_n = int(str(year).strip())
        except ValueError:
            raise CommandError(f"年度无效：{year}（应为四位数字，如 2024）")
        if not 1949 <= year_n <= 2100:
            raise CommandError(f"年度无效：{year}（应为四位数字，如 2024）")
        c = resolve_committee(committee)
        years = years_with_sessions(c)
        if year_n not in years:
            known = "、".join(str(y) for y in years) or "无"
            raise CommandError(f"{c.short_name}没有 {year_n} 年的会次（已有年度：{known}）")
        stats = year_statistics(year=year_n, committee=c)
        if options.get("json"):
            self.stdout.write(to_json(stats))
        else:
            self.stdout.write(summary_text(stats, c))


def to_json(stats: dict) -> str:
    return json.dumps(stats, ensure_ascii=False)


def summary_text(s: dict, committee: Committee) -> str:
    sat = s["satisfaction"]
    types = dict(ProposerType.choices)
    lines = [
        f"{committee.name} {s['year']} 年度提案统计",
        f"收到提案 {s['received']} 件，立案 {s['registered']} 件（立案率 {pct(s['registration_rate'])}），"
        f"其中集体提案 {s['collective']} 件（占 {pct(s['collective_share'])}）、委员提案 {s['member']} 件；",
        f"未立案：并案 {s['merged']} 件、转意见建议 {s['converted']} 件、不予立案 {s['not_registered']} 件；"
        f"待审查 {s['pending_review']} 件。",
        f"已答复 {s['replied']} 件（办复率 {pct(s['replied_rate'])}），按期办复 {s['on_time']} 件"
        f"（按期办复率 {pct(s['on_time_rate'])}），办结 {s['closed']} 件（办结率 {pct(s['completion_rate'])}）；"
        f"超期未复 {s['overdue']} 件次；重点提案 {s['key_proposals']} 件。",
        f"满意率（办理结果，满意+基本满意）{pct(s['satisfaction_rate'])}；"
        f"办理态度 {pct(sat['attitude']['rate'])}（其中满意 {pct(sat['attitude']['satisfied_rate'])}），"
        f"办理结果满意 {pct(sat['result']['satisfied_rate'])}；收回评价 {s['evaluations_returned']} 份，"
        f"未评价 {s['unrated']} 份（不计为满意）。",
        "办理结果：" + "、".join(f"{k} 类 {n} 件" for k, n in s["by_result_class"].items())
        + f"（解决率 {pct(s['solved_rate'])} = {s['rate_formulas']['solved']}，"
        f"采纳率 {pct(s['adopted_rate'])} = {s['rate_formulas']['adopted']}）。",
        f"委员参与率 {pct(s['member_participation'])}（{s['members_participating']}/{s['members_total']}）。",
        "按主题：" + "、".join(f"{k} {n} 件" for k, n in s["by_category"].items()) + "。",
        "按提案者：" + "、".join(f"{types[k]} {n} 件" for k, n in s["by_proposer_type"].items() if n) + "。",
    ]
    if s["not_registered_by_reason"]:
        lines.append("不予立案理由：" + "、".join(f"{k} {n} 件" for k, n in s["not_registered_by_reason"].items()) + "。")
    lines += breakdown_lines(s)
    if s["by_unit"]:
        lines.append("承办单位（主办/会办/分办，按期办复率，满意率）：")
        for u in s["by_unit"]:
            lines.append(f"  {u['unit']}：{u['lead']}/{u['co']}/{u['separate']}，"
                         f"{pct(u['on_time_rate'])}，{pct(u['satisfaction_rate'])}")
    return "\n".join(lines)


BREAKDOWN_TITLES = {"session": "按会次", "sector": "按界别（第一提案人）", "party": "按党派（集体提案）"}


def breakdown_lines(s: dict) -> list[str]:
    """One line per row of the session, sector and party breakdowns that has proposals:
    收到/立案/已答复/办结, 办复率 and 满意率."""
    lines = []
    for name, title in BREAKDOWN_TITLES.items():
        rows = [r for r in s["breakdowns"][name] if r["received"]]
        if rows:
            lines.append(f"{title}（收到/立案/已答复/办结，办复率，满意率）：")
            lines += [f"  {r['label']}：{r['received']}/{r['registered']}/{r['replied']}/{r['closed']}，"
                      f"{pct(r['replied_rate'])}，{pct(r['satisfaction_rate'])}" for r in rows]
    return lines
