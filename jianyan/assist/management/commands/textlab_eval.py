"""`jianyan textlab-eval FILE.jsonl [--predictions OUT.jsonl] [--committee CODE] [--folds loo|topic|K] [--json]`.

Evaluates the text assistance on labelled titles (the JSON Lines format of shared/data) and prints
recall@10 and MRR of same-issue and same-topic mates, theme and unit accuracy, next to the baselines
computed in the same run (textlab.evaluate). Themes and units are the configured committee's (default
yq): its own themes and units, its registered history and lead assignments, as the application uses
them; with no committee in the database, textlab's built-in demo data. Every record is predicted by
models that did not see it (leave-one-out by default)."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianyan.assist import learning
from jianyan.core.cli import ProgressBar, resolve_committee
from jianyan.textlab import evaluate


def load(path: str) -> list[dict]:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"找不到文件：{path}")
    records = []
    try:
        with file.open(encoding="utf-8-sig") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    raise CommandError(f"第 {n} 行不是有效的 JSON：{e.msg}")
                if not isinstance(record, dict) or not isinstance(record.get("title"), str) or not record["title"].strip():
                    raise CommandError(f"第 {n} 行缺少 title（案由）")
                records.append(record)
    except UnicodeDecodeError:
        raise CommandError(f"文件 {path} 不是 UTF-8 编码")
    except OSError as e:
        raise CommandError(f"无法读取文件 {path}：{e.strerror or e}")
    if not records:
        raise CommandError(f"文件 {path} 中没有记录")
    return records


def parse_folds(value: str) -> str | int:
    value = (value or "loo").strip()
    if value in ("loo", "topic"):
        return value
    if value.isdigit() and int(value) >= 2:
        return int(value)
    raise CommandError(f"--folds 应为 loo、topic 或不小于 2 的整数，而不是“{value}”")


def unit_labeller(units: list[dict]):
    """A record's lead unit as the committee names it: the demo name if the committee has that unit,
    else the one unit whose name or full name ends with the record's unit type (教育局 -> 区教育局)."""
    names = {u["name"] for u in units}

    def label(record: dict) -> str | None:
        demo = evaluate.unit_of(record)
        if demo is None:
            return None
        if demo in names:
            return demo
        kind = record.get("unit_type") or ""
        found = [u["name"] for u in units if kind and (u["name"].endswith(kind) or u.get("full_name", "").endswith(kind))]
        return found[0] if len(found) == 1 else None

    return label


def committee_models(committee) -> tuple[dict, str]:
    """The model factories and labellers of `evaluate.run` for a committee of the database, and a summary."""
    themes = [t for _, t in learning.theme_seeds(committee)]
    units = [u for _, u in learning.unit_seeds(committee)]
    theme_history, unit_history = learning.theme_history(committee), learning.unit_history(committee)
    theme_names = {t["name"] for t in themes}
    models = {
        "theme_model": lambda train: learning.theme_model(themes, [*train, *theme_history]),
        "unit_model": lambda train: learning.unit_model(units, [*train, *unit_history]),
        "theme_label": lambda r: t if (t := evaluate.theme_of(r)) in theme_names else None,
        "unit_label": unit_labeller(units),
    }
    summary = (f"{committee.name}（{committee.code}）：主题 {len(themes)} 个，承办单位 {len(units)} 个；"
               f"学习立案提案 {len(theme_history)} 件、主办交办 {len(unit_history)} 件")
    return models, summary


class Command(BaseCommand):
    help = "用带标注的提案标题（JSON Lines）评估文本辅助：相似提案、主题和承办单位建议，并与基线比较。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON Lines 文件，每行一条记录（title、topic_id、issue_id、theme、unit_type ……）")
        parser.add_argument("--predictions", metavar="OUT.jsonl", help="把每条记录的预测写入此文件")
        parser.add_argument("--committee", help="政协代码（主题和承办单位），默认 yq（若存在）；数据库为空时用内置演示数据")
        parser.add_argument("--folds", default="loo", help="loo（逐条留出，默认）、topic（按话题留出）或折数")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出指标")

    def handle(self, *args, **options):
        records = load(options["file"])
        folds = parse_folds(options["folds"])
        out = options.get("predictions")
        if out and not Path(out).resolve().parent.is_dir():
            raise CommandError(f"无法写入 {out}：目录不存在")
        committee = resolve_committee(options.get("committee"), required=False)
        if committee is None:
            models, summary = {}, "数据库中还没有政协：使用 textlab 内置的演示主题和承办单位"
        else:
            models, summary = committee_models(committee)
        started = time.monotonic()
        bar = ProgressBar(self.stderr, "评估中")
        preds = []
        for p in evaluate.run(records, folds=folds, **models):
            preds.append(p)
            bar(len(preds), len(records))
        bar.close()
        labels = {k: v for k, v in models.items() if k.endswith("_label")}
        metrics = evaluate.metrics_of(records, preds, folds=folds, **labels)
        if options["json"]:
            self.stdout.write(json.dumps(metrics, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(summary)
            self.stdout.write(evaluate.format_report(metrics))
            self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒。")
        if out:
            try:
                with open(out, "w", encoding="utf-8") as f:
                    for line in evaluate.prediction_dicts(records, preds):
                        f.write(json.dumps(line, ensure_ascii=False) + "\n")
            except OSError as e:
                raise CommandError(f"无法写入 {out}：{e.strerror or e}")
            if not options["json"]:
                self.stdout.write(f"预测已写入 {out}（{len(records)} 行）。")
