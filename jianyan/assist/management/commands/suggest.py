"""`jianyan suggest "TEXT" [--committee CODE] [--json]`: suggested themes and handling units, top 3 each.

Learned from the committee's registered proposals and lead assignments, with its themes' descriptions
and units' duties as the cold start; with no committee in the database, textlab's built-in demo
themes and units."""

import json

from django.core.management.base import BaseCommand, CommandError

from jianyan.assist import services
from jianyan.core.cli import parse_top, resolve_committee, text_argument
from jianyan.textlab import classify


def builtin(text: str, top: int) -> services.Suggestions:
    def out(found):
        return [services.Suggestion(None, s.label, s.score, s.reason) for s in found]

    return services.Suggestions(out(classify.theme_suggester().suggest(text, top)),
                                out(classify.unit_suggester().suggest(text, top)))


class Command(BaseCommand):
    help = "建议提案的主题和承办单位（各前 3 个，附得分和理由）。"
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("text", help="案由或提案全文；“-”表示从标准输入读取")
        parser.add_argument("--committee", help="政协代码，默认 yq（若存在），否则唯一的政协")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--top", help="各列出几个，默认 3")

    def handle(self, *args, **options):
        text = text_argument(options)
        if not text.strip():
            raise CommandError("请提供提案内容（案由或全文）")
        top = parse_top(options.get("top"), default=3, limit=10)
        committee = resolve_committee(options.get("committee"), required=False)
        if committee is None:
            self.stderr.write("数据库中还没有政协，使用内置的演示主题和承办单位。", style_func=str)
            found = builtin(text.strip(), top)
        else:
            found = services.suggest(committee, text.strip(), top=top)
        if options["json"]:
            self.stdout.write(json.dumps({"committee": committee.code if committee else None, **found.as_dict()},
                                         ensure_ascii=False))
            return
        for label, items in (("建议主题", found.themes), ("建议承办单位", found.units)):
            self.stdout.write(f"{label}：")
            for n, s in enumerate(items, 1):
                self.stdout.write(f"{n:>3}. {s.name}  {s.score:.2f}  {s.reason}")
