"""The texts a publication is made of, and redaction: every marked passage is replaced by a mask, so the
public copy never holds it. Passages are plain text chosen by staff (personal data, business secrets)."""

from dataclasses import dataclass

from jianyan.core.errors import InvalidInput
from jianyan.handling.models import Reply

MASK = "［已隐去］"
FIELDS = ("title", "body", "reply")
FIELD_LABELS = {"title": "标题", "body": "正文", "reply": "答复"}
MAX_PASSAGES = 50


@dataclass(frozen=True)
class Sources:
    """The full, unredacted texts of a proposal as they would be published."""

    title: str
    body: str
    reply: str

    def of(self, field: str) -> str:
        return getattr(self, field)


def proposal_body(proposal) -> str:
    parts = []
    if proposal.background:
        parts.append(proposal.background.strip())
    suggestions = [s for s in proposal.suggestions or [] if str(s).strip()]
    if suggestions:
        parts.append("具体建议：\n" + "\n".join(f"{i}. {str(s).strip()}" for i, s in enumerate(suggestions, 1)))
    return "\n\n".join(parts)


def approved_replies(proposal) -> list[Reply]:
    return list(Reply.objects.filter(proposal=proposal, status=Reply.Status.APPROVED)
                .select_related("assignment__unit").order_by("round", "written_at", "id"))


def reply_text(replies: list[Reply]) -> str:
    """Every approved reply with its unit and kind; no signer, no staff names."""
    blocks = []
    for r in replies:
        kind = "补充答复" if r.is_supplementary else ("重新办理答复" if r.round > 1 else "答复")
        blocks.append(f"【{r.assignment.unit.name}·{kind}·{r.result_class}类】\n{r.body.strip()}")
    return "\n\n".join(blocks)


def latest_result_class(replies: list[Reply]) -> str:
    main = [r for r in replies if not r.is_supplementary] or replies
    return main[-1].result_class if main else ""


def sources_of(proposal) -> Sources:
    return Sources(title=proposal.title, body=proposal_body(proposal), reply=reply_text(approved_replies(proposal)))


def clean_redactions(raw: dict | None, sources: Sources) -> dict[str, list[str]]:
    """Validated passages per field: stripped, deduplicated, each found in its text; else InvalidInput."""
    raw = raw or {}
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise InvalidInput("未知的字段：" + "、".join(sorted(unknown)))
    cleaned: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        passages = []
        for p in raw.get(field) or []:
            p = str(p).strip()
            if p and p not in passages:
                passages.append(p)
        if len(passages) > MAX_PASSAGES:
            errors[field] = f"每项最多隐去 {MAX_PASSAGES} 处"
        missing = [p for p in passages if p not in sources.of(field)]
        if missing:
            errors[field] = f"{FIELD_LABELS[field]}中找不到要隐去的内容：{missing[0][:30]}"
        if passages:
            cleaned[field] = passages
    if errors:
        raise InvalidInput("隐去的内容有误：" + "；".join(errors.values()), fields=errors)
    return cleaned


def redact(text: str, passages: list[str]) -> str:
    # Longest first, so a passage inside a longer one cannot leave part of the longer one visible.
    for p in sorted(passages, key=len, reverse=True):
        text = text.replace(p, MASK)
    return text


def redacted(sources: Sources, redactions: dict[str, list[str]]) -> dict[str, str]:
    return {field: redact(sources.of(field), redactions.get(field, [])) for field in FIELDS}


def parse_lines(text: str) -> list[str]:
    """One passage per line, as typed into the redaction editor."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
