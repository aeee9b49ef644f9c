"""The command line of contract §2: similar, precheck, suggest, textlab-eval (and reindex-similar, in
test_assist_index.py): their output, their JSON, and a one-line Chinese error on bad input."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from jianyan.proposals import workflow as proposals

DEV_TITLES = Path(__file__).parent / "textlab" / "data" / "real-titles-dev.jsonl"
DRAFT = """关于加快老旧小区既有住宅加装电梯的提案
情况分析：
我市老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。据调查，全市有加装需求的单元约三千个，已加装的不到一成，
主要原因是审批环节多、资金筹措难、低层住户意见难统一。
具体建议：
1. 设立加装电梯专项补助资金，每部电梯补助不低于20万元。
2. 由市住建局牵头简化审批流程，推行一窗受理、并联审批。
"""


def run(*args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **({"stdin": stdin} if stdin is not None else {}))
    return out.getvalue(), err.getvalue()


@pytest.fixture
def elevator(member):
    p = proposals.create_proposal(actor=member, title="关于老旧小区加装电梯的提案",
                                  background="老旧小区没有电梯，老年居民上下楼困难。", suggestions=["设立加装电梯补助资金"])
    return proposals.submit_proposal(p, actor=member)


@pytest.mark.parametrize("name", ["similar", "precheck", "suggest", "textlab_eval", "reindex_similar"])
def test_every_command_has_chinese_help(name):
    parser = load_command_class("jianyan.assist", name).create_parser("jianyan", name)
    text = parser.format_help()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in parser.description or "") and "--help" in text


def test_similar_lists_the_committees_proposals_with_scores(elevator, cosigner):
    proposals.create_proposal(actor=cosigner, title="关于老旧小区加装电梯的建议", suggestions=["加装电梯"])  # a draft
    out, _ = run("similar", "关于推进老旧小区加装电梯的建议", "--top", "5")
    lines = out.strip().splitlines()
    assert "相似的提案（1 件" in lines[0]
    assert "关于老旧小区加装电梯的提案" in lines[1] and "已提交" in lines[1] and f"#{elevator.pk}" in lines[1]
    assert float(lines[1].split()[1]) > 0.3
    body = json.loads(run("similar", "关于推进老旧小区加装电梯的建议", "--json", "--committee", "yq")[0])
    assert body["committee"] == "yq"
    [item] = body["items"]
    assert item["id"] == elevator.pk and item["state"] == "submitted" and 0 < item["score"] <= 1
    assert run("similar", "关于发展乡村旅游的提案")[0].startswith("政协阳泉市委员会没有")


def test_similar_reads_standard_input_and_refuses_bad_input(elevator):
    out, _ = run("similar", "-", "--json", stdin=io.StringIO("关于推进老旧小区加装电梯的建议\n老年人上下楼难"))
    assert json.loads(out)["items"][0]["id"] == elevator.pk
    for args, message in [
        (("similar", "   "), "请提供要查找的文字"),
        (("similar", "电梯", "--committee", "nowhere"), "没有代码为“nowhere”的政协"),
        (("similar", "电梯", "--top", "many"), "--top 应为 1 到 50 之间的整数"),
        (("similar", "电梯", "--top", "0"), "--top 应为 1 到 50 之间的整数"),
    ]:
        with pytest.raises(CommandError, match=message) as caught:
            run(*args)
        assert "\n" not in str(caught.value)


def test_similar_needs_a_committee(db):
    with pytest.raises(CommandError, match="数据库中还没有政协"):
        run("similar", "电梯")


def test_precheck_reads_a_file_or_standard_input(committee, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    out, _ = run("precheck", str(draft))
    assert out.startswith("案由：关于加快老旧小区既有住宅加装电梯的提案\n")
    assert "具体建议 2 条" in out
    assert "须修改 0 项" in out or "预审未发现问题" in out
    vague = "关于加强领导的建议\n情况分析：\n有关工作重视不够。\n具体建议：\n1. 高度重视，加强领导，形成合力。\n"
    out, _ = run("precheck", "-", stdin=io.StringIO(vague))
    assert "[须修改]" in out and "R10" in out and "位置：具体建议" in out
    body = json.loads(run("precheck", "-", "--json", stdin=io.StringIO(vague))[0])
    assert body["committee"] == "yq" and body["counts"]["error"] >= 1
    assert body["draft"]["suggestions"] == ["高度重视，加强领导，形成合力。"]
    assert {"code", "severity", "message", "fix", "location"} <= set(body["findings"][0])


def test_precheck_uses_the_committees_length_limit(committee, tmp_path):
    committee.body_max_chars = 50
    committee.save()
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="gb18030")  # an old Windows editor's file
    out, _ = run("precheck", str(draft))
    assert "超过本政协 50 字的上限" in out


def test_precheck_refuses_missing_or_empty_input(db, tmp_path):
    with pytest.raises(CommandError, match="找不到文件：.*nothing.txt"):
        run("precheck", str(tmp_path / "nothing.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(CommandError, match="提案文本为空"):
        run("precheck", str(empty))
    with pytest.raises(CommandError, match="没有代码为“zz”的政协"):
        run("precheck", "-", "--committee", "zz", stdin=io.StringIO(DRAFT))


def test_suggest_prints_the_top_three_themes_and_units(committee, unit_gxj, unit_kjj, unit_jyj):
    out, _ = run("suggest", "关于加强中小学生心理健康教育的提案")
    lines = out.splitlines()
    assert lines[0] == "建议主题：" and "公共服务与民生" in lines[1]
    assert lines[4] == "建议承办单位：" and "市教育局" in lines[5]
    assert len(lines) == 8
    body = json.loads(run("suggest", "关于加强中小学生心理健康教育的提案", "--json")[0])
    assert body["themes"][0]["name"] == "公共服务与民生" and body["themes"][0]["id"] is not None
    assert body["units"][0] == {"id": unit_jyj.pk, "name": "市教育局", "score": body["units"][0]["score"],
                                "reason": body["units"][0]["reason"]}
    with pytest.raises(CommandError, match="请提供提案内容"):
        run("suggest", " ")
    with pytest.raises(CommandError, match="没有代码为“zz”的政协"):
        run("suggest", "电梯", "--committee", "zz")


def test_suggest_without_a_committee_uses_the_built_in_demo_data(db):
    out, err = run("suggest", "关于加强中小学生心理健康教育的提案", "--json")
    assert "内置" in err
    assert json.loads(out)["units"][0]["name"] == "市教育局"


@pytest.fixture
def titles(tmp_path):
    lines = DEV_TITLES.read_text(encoding="utf-8").splitlines()[:40]
    path = tmp_path / "titles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, [json.loads(x) for x in lines]


def test_textlab_eval_prints_the_metrics_and_writes_predictions(committee, unit_gxj, unit_kjj, unit_jyj, titles,
                                                                tmp_path):
    path, records = titles
    predictions = tmp_path / "out.jsonl"
    out, err = run("textlab_eval", str(path), "--predictions", str(predictions))
    assert "政协阳泉市委员会（yq）：主题 5 个，承办单位 3 个" in out
    assert "baseline trigram ≥0.25 (Decidim)" in out and "theme, high-confidence labels" in out
    assert "100%" in err and f"{len(records)}/{len(records)}" in err
    lines = [json.loads(x) for x in predictions.read_text(encoding="utf-8").splitlines()]
    assert [x["title"] for x in lines] == [r["title"] for r in records]
    file_titles = {r["title"] for r in records}
    for x in lines:
        assert set(x) == {"title", "similar", "themes", "units"}
        assert len(x["similar"]) <= 10 and x["title"] not in x["similar"] and set(x["similar"]) <= file_titles
        assert len(x["themes"]) == 3 and set(x["themes"]) <= {t.name for t in committee.themes.all()}
        assert set(x["units"]) == {"市工信局", "市科技局", "市教育局"}
    metrics = json.loads(run("textlab_eval", str(path), "--json", "--folds", "topic")[0])
    assert metrics["records"] == 40 and metrics["folds"] == "topic"
    assert 0 <= metrics["similar"]["same_topic"]["recall@10"] <= 1


def test_textlab_eval_without_a_committee_names_the_built_in_units(db, titles, tmp_path):
    path, _ = titles
    predictions = tmp_path / "out.jsonl"
    out, _ = run("textlab_eval", str(path), "--predictions", str(predictions))
    assert "内置的演示主题" in out
    units = {u for line in predictions.read_text(encoding="utf-8").splitlines() for u in json.loads(line)["units"]}
    assert len(units) > 3 and {"市住建局", "市交通运输局"} & units


def test_textlab_eval_refuses_bad_files(db, tmp_path, titles):
    with pytest.raises(CommandError, match="找不到文件"):
        run("textlab_eval", str(tmp_path / "none.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "关于电梯的提案"}\n{"title": \n', encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行不是有效的 JSON"):
        run("textlab_eval", str(bad))
    bad.write_text('{"title": "关于电梯的提案"}\n{"topic_id": "T1"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行缺少 title"):
        run("textlab_eval", str(bad))
    bad.write_text("\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有记录"):
        run("textlab_eval", str(bad))
    with pytest.raises(CommandError, match="--folds 应为"):
        run("textlab_eval", str(titles[0]), "--folds", "1")
    with pytest.raises(CommandError, match="目录不存在"):
        run("textlab_eval", str(titles[0]), "--predictions", str(tmp_path / "no" / "out.jsonl"))
