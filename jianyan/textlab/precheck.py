"""The draft pre-check (慧预审): what a member can fix before submitting.

`precheck(title, background, suggestions, max_chars=...)` returns findings, each with a code,
a severity (error: will not be registered as it stands; warning: staff will likely return it;
info: worth a look), a message and a suggested fix in Chinese, and where it is: the part
(title, background, suggestions, all), the suggestion's index and a character span in that part.

Checks: the three parts (案由, 情况分析, 具体建议) are present; suggestions are concrete (an
actionable verb and an object, not a slogan); one issue per proposal (a suggestion that shares
nothing with the rest and would go to another handling unit); the committee's length limit; the title form 关于……的提案/建议; and the
non-registration reasons text can reveal: R5 litigation, R7 personal matters, R8 promoting a
product, R10 no concrete suggestion. R5, R7 and R8 are warnings: a person decides.

`split_draft(text)` cuts a plain-text draft into the three parts (for `jianyan precheck FILE`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal

from jianyan.textlab.classify import UnitSuggester, suggest_units
from jianyan.textlab.features import vector
from jianyan.textlab.segment import tokens
from jianyan.textlab.similar import cosine

Severity = Literal["error", "warning", "info"]

MAX_CHARS = 2500  # a common local limit (e.g. 2,500 characters); committees configure their own
MIN_BACKGROUND_CHARS = 60
MAX_TITLE_CHARS = 40
CONFIDENT_UNIT = 0.06  # a unit suggestion this likely (30 units: 0.033 each at random) counts as routing

ACTION_VERBS = tuple(
    "建立 制定 设立 增加 完善 出台 修订 修改 修建 新建 建设 改建 扩建 安装 增设 设置 配备 配置 开通 开设 开展 实施 组织 推行 推广 试点 纳入 列入 明确 简化 "
    "取消 降低 减免 提高 补贴 奖励 拨付 安排 划定 规划 改造 整治 修复 培训 引进 招聘 建成 加大 扩大 延长 缩短 统一 整合 公开 发布 编制 成立 组建 搭建 打通 "
    "对接 督促 检查 考核 评估 监测 排查 清理 取缔 查处 打击 投入 保障 落实 推进 设计 铺设 硬化 维修 更新 新增 扩容 共享 开放 建议由 由市".split()
)
SLOGAN_WORDS = frozenset(
    "重视 高度重视 认识 提高认识 统一思想 思想 领导 加强领导 组织领导 氛围 良好氛围 合力 形成合力 常抓不懈 "
    "齐抓共管 关心 关注 支持 弘扬 意识 责任感 使命感 共同努力 全社会 各方面 积极性 主动性 重要性 "
    "紧迫性 力度 水平 效果 成效 大局 长远 科学 合理 有序 健康 可持续 新局面 新台阶 好 更好".split()
)
SLOGAN_PATTERNS = re.compile(
    r"高度重视|提高认识|统一思想|加强领导|营造[^，。；]{0,8}氛围|形成合力|常抓不懈|齐抓共管|多措并举|"
    r"切实加强|全面提升|大力弘扬|共同努力|久久为功|抓紧抓实|真抓实干"
)

_R5 = re.compile(
    r"(已|已经|正在|目前)[^，。；]{0,10}(起诉|诉讼|仲裁|立案审理|审理|判决|上诉|申诉)|"
    r"法院(已|已经)?(受理|立案|判决|审理)|(提起|提出)(了)?(民事|刑事|行政)?诉讼|"
    r"(申请|提请)(了)?(劳动)?仲裁|(一审|二审|再审|终审)(判决|裁定|中|阶段)|本案|案件(尚在|正在|已)"
)
_R7 = re.compile(
    r"(我|我们)家|家父|家母|家兄|舍弟|"
    r"我的(孩子|儿子|女儿|父亲|母亲|爱人|妻子|丈夫|家人|亲属|亲戚|老伴)|"
    r"我(儿子|女儿|父亲|母亲|爱人|妻子|丈夫|老伴|孙子|孙女)|"
    r"本人(的)?(住房|房屋|工作|待遇|职称|编制|工资|户口|调动|退休|补偿|拆迁|孩子|子女|医药费|养老金)|"
    r"(亲属|亲戚|家属)(的)?(工作|调动|安置|住房|待遇|户口|入学|补偿|编制)"
)
_R8 = re.compile(
    r"(我|本)(公司|企业|厂|集团)[^，。；]{0,12}(产品|品牌|设备|系统|技术|软件)|"
    r"“[^”]{1,15}”(牌|品牌|系列)|(推广|推介|采购|购买|选用|指定使用|统一使用|引进)[^，。；]{0,15}(牌|品牌)[^，。；]{0,8}(产品|设备|系统)?|"
    r"[®™]|(性价比|独家代理|专利产品)"
)


@dataclass(frozen=True)
class Location:
    """Where a finding is: part is title, background, suggestions or all; item indexes suggestions
    (from 0); start and end are character offsets in that part (end exclusive)."""

    part: str
    item: int | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    location: Location
    fix: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Draft:
    title: str = ""
    background: str = ""
    suggestions: list[str] = field(default_factory=list)


# ---- the check --------------------------------------------------------------------------------------


def precheck(
    title: str,
    background: str,
    suggestions: list[str],
    *,
    max_chars: int = MAX_CHARS,
    units: UnitSuggester | None = None,
) -> list[Finding]:
    """Every finding on a draft, errors first. ``units``: the committee's unit model (the demo's by default)."""
    title, background = (title or "").strip(), (background or "").strip()
    suggestions = [s.strip() for s in suggestions or [] if s and s.strip()]
    findings = [
        *check_parts(title, background, suggestions),
        *check_title(title),
        *check_length(title, background, suggestions, max_chars),
        *check_suggestions(suggestions),
        *check_one_issue(title, background, suggestions, units),
        *check_reasons(title, background, suggestions),
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def precheck_text(text: str, *, max_chars: int = MAX_CHARS) -> list[Finding]:
    """Pre-check a plain-text draft (see `split_draft`)."""
    draft = split_draft(text)
    return precheck(draft.title, draft.background, draft.suggestions, max_chars=max_chars)


def check_parts(title: str, background: str, suggestions: list[str]) -> list[Finding]:
    found = []
    if not title:
        found.append(
            Finding(
                "missing_title",
                "error",
                "缺少案由（提案标题）。",
                Location("title"),
                "用一句话写明所提事项，如“关于……的提案”。",
            )
        )
    if not background:
        found.append(
            Finding(
                "missing_background",
                "error",
                "缺少情况分析。",
                Location("background"),
                "写明现状、存在的问题及其原因，最好有数据或调研事实。",
            )
        )
    elif len(background) < MIN_BACKGROUND_CHARS:
        found.append(
            Finding(
                "short_background",
                "warning",
                f"情况分析仅 {len(background)} 字，过于简略。",
                Location("background", None, 0, len(background)),
                "补充现状数据、问题表现和原因分析，说明为什么需要解决。",
            )
        )
    return found


def check_title(title: str) -> list[Finding]:
    if not title:
        return []
    found = []
    if not title.startswith("关于") or not re.search(r"的(提案|建议)$", title):
        found.append(
            Finding(
                "title_form",
                "warning",
                "案由不符合“关于……的提案”的格式。",
                Location("title", None, 0, len(title)),
                f"改为“{conventional_title(title)}”。",
            )
        )
    if len(title) > MAX_TITLE_CHARS:
        found.append(
            Finding(
                "long_title",
                "info",
                f"案由 {len(title)} 字，偏长。",
                Location("title", None, 0, len(title)),
                f"案由宜简明，控制在 {MAX_TITLE_CHARS} 字以内，细节放在情况分析中。",
            )
        )
    return found


def conventional_title(title: str) -> str:
    """关于 + the issue + 的提案."""
    core = re.sub(r"^关于", "", title.strip())
    core = re.sub(r"(的)?(提案|建议|议案)$", "", core).strip("，。,. ")
    return f"关于{core}的提案"


def check_length(title: str, background: str, suggestions: list[str], max_chars: int) -> list[Finding]:
    total = len(title) + len(background) + sum(len(s) for s in suggestions)
    if total <= max_chars:
        return []
    return [
        Finding(
            "too_long",
            "error",
            f"全文 {total} 字，超过 {max_chars} 字的限制。",
            Location("all", None, max_chars, total),
            f"精简情况分析，删去与建议无关的内容，压缩到 {max_chars} 字以内。",
        )
    ]


def is_concrete(suggestion: str) -> bool:
    """An actionable verb and at least two words of substance (not slogan words), and not a bare slogan."""
    substance = [w for w in tokens(suggestion) if w not in SLOGAN_WORDS]
    has_action = any(v in suggestion for v in ACTION_VERBS)
    has_number = bool(
        re.search(r"\d|[一二三四五六七八九十百千万]+(个|所|条|名|万元|亿元|公里|处)", suggestion)
    )
    if len(suggestion) < 8 or len(substance) < 2:
        return False
    if SLOGAN_PATTERNS.search(suggestion) and len(substance) < 4 and not has_number:
        return False
    return has_action or has_number


def check_suggestions(suggestions: list[str]) -> list[Finding]:
    if not suggestions:
        return [
            Finding(
                "R10",
                "error",
                "没有具体建议（不予立案理由 R10：内容空泛、没有具体建议）。",
                Location("suggestions"),
                "逐条写出可操作的建议：由谁、做什么、做到什么程度，如“由市住建局制定……办法”。",
            )
        ]
    found = []
    vague = [i for i, s in enumerate(suggestions) if not is_concrete(s)]
    for i in vague:
        s = suggestions[i]
        found.append(
            Finding(
                "vague_suggestion",
                "warning",
                f"第{i + 1}条建议较空泛，缺少可操作的措施。",
                Location("suggestions", i, 0, len(s)),
                "写明具体措施和对象，用“建立、制定、设立、增加、完善……”等动词，避免口号式表述。",
            )
        )
    if len(vague) == len(suggestions):
        found.insert(
            0,
            Finding(
                "R10",
                "error",
                "各条建议均较空泛，没有具体建议（R10）。",
                Location("suggestions"),
                "至少提出一条具体、可操作、有明确对象的建议。",
            ),
        )
    elif len(suggestions) == 1:
        found.append(
            Finding(
                "few_suggestions",
                "info",
                "只有 1 条建议。",
                Location("suggestions", 0, 0, len(suggestions[0])),
                "可从政策、资金、机制、实施主体等方面补充建议，一般 2 至 5 条为宜。",
            )
        )
    return found


def check_one_issue(
    title: str, background: str, suggestions: list[str], units: UnitSuggester | None = None
) -> list[Finding]:
    """Suggestions that share no words or concepts with the title, the background and the other
    suggestions, and that would go to another handling unit: likely another issue (一事一案)."""
    if len(suggestions) < 2 or not (title or background):
        return []
    anchor_text = f"{title}\n{background}"
    anchor = vector(anchor_text)
    anchor_units = {s.label for s in suggest_units(anchor_text, top=3, model=units)}
    found = []
    for i, s in enumerate(suggestions):
        if len(tokens(s)) < 3 or not is_concrete(s):
            continue
        others = "\n".join(x for j, x in enumerate(suggestions) if j != i)
        if cosine(vector(s), anchor) >= 0.08 or cosine(vector(s), vector(others)) >= 0.08:
            continue
        unit = suggest_units(s, top=1, model=units)[0]
        if unit.label not in anchor_units and unit.score >= CONFIDENT_UNIT:
            found.append(
                Finding(
                    "multiple_issues",
                    "warning",
                    f"第{i + 1}条建议与案由所提事项关联不大，可能是另一件事（一事一案），"
                    f"看来应由{unit.label}办理。",
                    Location("suggestions", i, 0, len(s)),
                    "一件提案只提一个事项：删去该条，或将其单独写成一件提案。",
                )
            )
    return found


def check_reasons(title: str, background: str, suggestions: list[str]) -> list[Finding]:
    """R5, R7 and R8 from the wording of any part."""
    rules = [
        (
            "R5",
            _R5,
            "涉及已进入诉讼或仲裁程序的事项（不予立案理由 R5）。",
            "已进入司法或仲裁程序的个案不宜作为提案，可删去个案内容，就普遍性的制度问题提出建议。",
        ),
        (
            "R7",
            _R7,
            "涉及本人或亲属的个人问题（不予立案理由 R7）。",
            "个人诉求请通过信访、12345 热线等渠道反映；如有普遍性，请改从群体和制度角度提出。",
        ),
        (
            "R8",
            _R8,
            "疑似宣传、推介具体产品或品牌（不予立案理由 R8）。",
            "删去具体品牌、企业和产品，改为对行业标准、采购规则等共性问题提出建议。",
        ),
    ]
    parts = [("title", None, title), ("background", None, background)]
    parts += [("suggestions", i, s) for i, s in enumerate(suggestions)]
    found = []
    for code, pattern, message, fix in rules:
        for part, item, text in parts:
            match = pattern.search(text)
            if match:
                found.append(
                    Finding(
                        code,
                        "warning",
                        f"{message}原文：“{match.group(0)}”",
                        Location(part, item, match.start(), match.end()),
                        fix,
                    )
                )
                break
    return found


# ---- splitting a plain-text draft --------------------------------------------------------------------

_HEADER = re.compile(
    r"^\s*[一二三四五六七八九十\d]*[、.．]?\s*(?P<name>案由|标题|题目|情况分析|情况说明|现状和问题|现状及问题|现状与问题|"
    r"存在的?问题|问题分析|背景|具体建议|对策建议|措施建议|建议)\s*[:：]?\s*(?P<rest>.*)$"
)
_ITEM = re.compile(
    r"(?:^|\n)\s*(?:\d+[.、．)）]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、是]|[①-⑩])\s*"
)


def split_draft(text: str) -> Draft:
    """Cut a draft into title, background and numbered suggestions, by its headings if it has them
    (案由 / 情况分析 / 具体建议), else the first line is the title and numbered items are suggestions."""
    lines = [line.rstrip() for line in (text or "").strip().splitlines()]
    sections: dict[str, list[str]] = {"title": [], "background": [], "suggestions": []}
    current = None
    for line in lines:
        header = _HEADER.match(line)
        name = header.group("name") if header else None
        if name and (name != "建议" or not header.group("rest")):
            current = _section_of(name)
            if header.group("rest"):
                sections[current].append(header.group("rest"))
            continue
        if current is None:
            if not line.strip():
                continue
            if not sections["title"]:
                sections["title"].append(line.strip())
                continue
            current = "background"
        sections[current].append(line)
    if not sections["suggestions"]:
        sections["background"], sections["suggestions"] = _split_trailing_items(sections["background"])
    suggestions = [s.strip() for s in _ITEM.split("\n".join(sections["suggestions"])) if s.strip()]
    return Draft(
        " ".join(x.strip() for x in sections["title"]).strip(),
        "\n".join(sections["background"]).strip(),
        suggestions,
    )


def _section_of(header: str) -> str:
    if header in ("案由", "标题", "题目"):
        return "title"
    if "建议" in header:
        return "suggestions"
    return "background"


def _split_trailing_items(lines: list[str]) -> tuple[list[str], list[str]]:
    """Without a 具体建议 heading, the suggestions are the numbered items after the last line that
    announces them (建议如下, 为此建议 ...), else after the first numbered line."""
    numbered = [i for i, line in enumerate(lines) if _ITEM.match("\n" + line)]
    if not numbered:
        return lines, []
    announcing = [i for i, line in enumerate(lines) if re.search(r"建议(如下)?[:：]\s*$|为此", line)]
    after = [i for i in numbered if announcing and i > announcing[-1]]
    start = after[0] if after else numbered[0]
    return lines[:start], lines[start:]
