"""Open data (开放数据): every public publication as CSV or JSON, with a stable list of fields. Adding a
field is allowed (at the end); renaming or removing one is a breaking change for the people who use it."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder

from jianyan.disclosure import public

FIELDS = [
    "id", "number", "title", "committee", "session", "year", "theme", "kind", "proposer_type", "units",
    "state", "state_label", "result_class", "published_at", "updated_at", "body", "reply", "url",
]
FIELD_LABELS = {
    "id": "公开编号", "number": "案号", "title": "标题", "committee": "政协", "session": "会次", "year": "年度",
    "theme": "主题", "kind": "类型", "proposer_type": "提案者类型", "units": "承办单位（方式）", "state": "状态代码",
    "state_label": "状态", "result_class": "办理结果分类", "published_at": "公开时间", "updated_at": "更新时间",
    "body": "提案正文（公开版）", "reply": "答复（公开版）", "url": "网址",
}
CHUNK = 500


def records(build_url):
    """Every public record in a fixed field order; a few queries per CHUNK rows."""
    qs = public.with_listing_data(public.public_publications()).order_by("id")
    for pub in qs.iterator(chunk_size=CHUNK):
        row = public.as_dict(pub, full=True)
        row["url"] = build_url(pub.pk)
        yield {field: row[field] for field in FIELDS}


def flat(value) -> str:
    if isinstance(value, list):
        return "；".join(f"{u['name']}（{u['mode_label']}）" for u in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = "" if value is None else str(value)
    # A cell that starts like a formula is quoted, so that a spreadsheet does not run it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def as_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([flat(row[f]) for f in FIELDS])
    return "\ufeff" + out.getvalue()


def as_json(rows) -> str:
    return json.dumps({"fields": FIELDS, "items": list(rows)}, cls=DjangoJSONEncoder, ensure_ascii=False)
