import re

import pytest

from jianyan.textlab.precheck import Finding, Location, precheck, precheck_text, split_draft

TITLE = "关于加快老旧小区加装电梯的提案"
BACKGROUND = (
    "我市现有2000年以前建成的老旧小区412个，多为六层以下住宅，没有电梯。60岁以上居民占比超过三成，"
    "上下楼困难。2023年全市仅完成加装电梯37部，主要难在业主意见难统一、审批环节多、资金筹措难、管线迁改费用高。"
)
SUGGESTIONS = [
    "由市住建局牵头制定既有住宅加装电梯实施办法，简化规划、消防、特种设备等审批，实行一窗受理、并联审批。",
    "设立加装电梯专项补助资金，按每部15万元标准给予补贴，并允许提取住房公积金用于加装电梯。",
    "建立供水、供电、燃气等管线迁改费用减免机制，由各管线单位承担迁改费用。",
]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def located(f: Finding, title: str, background: str, suggestions: list[str]) -> str:
    part = {"title": title, "background": background}.get(f.location.part)
    text = suggestions[f.location.item] if f.location.part == "suggestions" else part
    return text[f.location.start : f.location.end]


def test_a_good_proposal_passes_cleanly():
    assert precheck(TITLE, BACKGROUND, SUGGESTIONS) == []


@pytest.mark.parametrize(
    ("code", "background", "suggestions", "evidence"),
    [
        (
            "R5",
            BACKGROUND + "该小区业主与开发商的纠纷目前已向法院提起诉讼，法院已受理。",
            SUGGESTIONS,
            "诉讼",
        ),
        ("R5", BACKGROUND + "此事已申请劳动仲裁。", SUGGESTIONS, "仲裁"),
        (
            "R7",
            BACKGROUND + "我家住在六楼，我的父亲行动不便，希望尽快为我家所在单元加装电梯。",
            SUGGESTIONS,
            "我",
        ),
        ("R7", BACKGROUND, SUGGESTIONS + ["请有关部门解决本人住房补偿问题，按原标准补发。"], "本人住房"),
        (
            "R8",
            BACKGROUND,
            SUGGESTIONS + ["推广使用“安途”牌家用电梯，我公司产品已通过检测，建议统一采购。"],
            "牌",
        ),
        ("R8", BACKGROUND + "本公司研发的智能电梯系统已在外地推广。", SUGGESTIONS, "本公司"),
    ],
)
def test_non_registration_reasons_are_flagged_where_they_are(code, background, suggestions, evidence):
    found = [f for f in precheck(TITLE, background, suggestions) if f.code == code]
    assert len(found) == 1
    f = found[0]
    assert f.severity == "warning"
    assert evidence in located(f, TITLE, background, suggestions)
    assert f.location.end > f.location.start
    assert re.search(r"[\u4e00-\u9fff]", f.message) and re.search(r"[\u4e00-\u9fff]", f.fix)


def test_no_suggestions_is_r10():
    found = precheck(TITLE, BACKGROUND, [])
    assert codes(found) == ["R10"]
    assert found[0].severity == "error" and found[0].location == Location("suggestions")


def test_slogans_are_not_suggestions_and_only_slogans_is_r10():
    slogans = ["高度重视，提高认识，营造良好氛围。", "加强领导，形成合力，常抓不懈。"]
    found = precheck(TITLE, BACKGROUND, slogans)
    assert codes(found) == ["R10", "vague_suggestion", "vague_suggestion"]
    assert [f.location.item for f in found[1:]] == [0, 1]
    mixed = precheck(TITLE, BACKGROUND, SUGGESTIONS + slogans[:1])
    assert codes(mixed) == ["vague_suggestion"] and mixed[0].location.item == 3


def test_a_suggestion_about_another_issue_breaks_one_issue_per_proposal():
    other = "增加中小学专职心理健康教师编制，每所学校至少配备一名心理教师。"
    found = precheck(TITLE, BACKGROUND, SUGGESTIONS[:2] + [other])
    assert codes(found) == ["multiple_issues"]
    assert found[0].location.item == 2 and "一事一案" in found[0].message


def test_the_length_limit_of_the_committee():
    found = precheck(TITLE, BACKGROUND, SUGGESTIONS, max_chars=200)
    assert codes(found) == ["too_long"]
    assert found[0].severity == "error" and found[0].location.start == 200


def test_title_form_gets_a_conventional_title_as_fix():
    found = precheck("老旧小区加装电梯要加快", BACKGROUND, SUGGESTIONS)
    assert codes(found) == ["title_form"]
    assert "“关于老旧小区加装电梯要加快的提案”" in found[0].fix
    assert precheck("关于加快老旧小区加装电梯的建议", BACKGROUND, SUGGESTIONS) == []


def test_missing_parts_and_a_thin_background():
    assert codes(precheck("", "", SUGGESTIONS)) == ["missing_title", "missing_background"]
    assert codes(precheck(TITLE, "电梯少。", SUGGESTIONS)) == ["short_background"]


@pytest.mark.parametrize(
    "background",
    [
        BACKGROUND + "本人在调研中发现，多数居民支持加装。",
        BACKGROUND + "建议借鉴外地做法，建立环境公益诉讼制度。",
        BACKGROUND + "家用电梯品牌众多，质量参差不齐。",
    ],
)
def test_ordinary_wording_raises_no_reason_flag(background):
    assert not {"R5", "R7", "R8"} & set(codes(precheck(TITLE, background, SUGGESTIONS)))


def test_a_plain_text_draft_with_headings_is_split_into_its_parts():
    text = f"案由：{TITLE}\n情况分析：\n{BACKGROUND}\n具体建议：\n" + "\n".join(
        f"{i}. {s}" for i, s in enumerate(SUGGESTIONS, 1)
    )
    draft = split_draft(text)
    assert (draft.title, draft.background, draft.suggestions) == (TITLE, BACKGROUND, SUGGESTIONS)
    assert precheck_text(text) == []


def test_a_plain_text_draft_without_headings_is_split_too():
    text = f"{TITLE}\n\n{BACKGROUND}\n为此建议：\n" + "\n".join(
        f"（{n}）{s}" for n, s in zip("一二三", SUGGESTIONS, strict=True)
    )
    draft = split_draft(text)
    assert draft.title == TITLE
    assert draft.suggestions == SUGGESTIONS
    assert draft.background.startswith("我市现有")
