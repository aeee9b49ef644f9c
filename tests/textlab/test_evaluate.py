import json

import pytest

from jianyan.textlab import evaluate
from jianyan.textlab.classify import _themes_data, _units_data

DEMO_THEMES = {t["name"] for t in _themes_data()}
DEMO_UNITS = {u["name"] for u in _units_data()}


def fractions(block: dict) -> list[float]:
    return [v for k, v in block.items() if k not in ("n", "queries") and isinstance(v, float)]


def test_the_metrics_are_plain_fractions_next_to_their_baselines(dev_metrics):
    assert json.loads(json.dumps(dev_metrics)) == dev_metrics
    similar = dev_metrics["similar"]
    blocks = [similar["same_topic"], similar["same_issue"], dev_metrics["theme"], dev_metrics["unit"]]
    blocks += [
        similar[b][kind]
        for b in ("baseline_trigram_0.25", "baseline_bigram_jaccard")
        for kind in ("same_topic", "same_issue")
    ]
    for block in blocks:
        assert fractions(block) and all(0.0 <= v <= 1.0 for v in fractions(block))
    assert dev_metrics["records"] == 211 and similar["same_topic"]["queries"] == 199


def test_the_baselines_reproduce_the_figures_of_the_issue(dev_metrics):
    similar = dev_metrics["similar"]
    assert similar["baseline_trigram_0.25"]["same_topic"]["recall@10"] == pytest.approx(0.02, abs=0.005)
    assert similar["baseline_bigram_jaccard"]["same_topic"]["recall@10"] == pytest.approx(0.34, abs=0.005)


def test_textlab_finds_same_topic_and_same_issue_mates(dev_metrics):
    similar = dev_metrics["similar"]
    assert similar["same_topic"]["recall@10"] >= 0.72  # measured 0.79
    assert similar["same_topic"]["precision@1"] >= 0.70  # measured 0.77
    assert similar["same_issue"]["recall@10"] == 1.0  # 6 titles of 3 issues


def test_every_unit_type_of_the_labelled_data_has_a_place_in_the_mapping(dev_records):
    mapping = evaluate.unit_type_names()
    types = {r["unit_type"] for r in dev_records if r["unit_type"]}
    assert types <= set(mapping)
    assert {name for name in mapping.values() if name} <= DEMO_UNITS
    assert mapping["其他"] is None


def test_predictions_follow_the_contract(dev_records):
    records = dev_records[:40]
    lines = list(evaluate.predictions(records))
    assert len(lines) == len(records)
    titles = [r["title"] for r in records]
    for record, line in zip(records, lines, strict=True):
        assert set(line) == {"title", "similar", "themes", "units"}
        assert line["title"] == record["title"]
        assert len(line["similar"]) <= 10 and set(line["similar"]) <= set(titles)
        assert line["title"] not in line["similar"]
        assert len(line["themes"]) == 3 and set(line["themes"]) <= DEMO_THEMES
        assert len(line["units"]) == 3 and set(line["units"]) <= DEMO_UNITS
    first = lines[0]
    assert first["themes"][0] == "产业转型" and "市农业农村局" in first["units"]


def test_prediction_lines_are_json(dev_records):
    line = next(evaluate.prediction_lines(dev_records[:5]))
    assert json.loads(line)["title"] == dev_records[0]["title"]
    assert "关于" in line  # Chinese written as is, not escaped


def test_topic_folds_hold_out_whole_topics(dev_records):
    folds = evaluate._folds(dev_records, "topic")
    assert sum(len(f) for f in folds) == len(dev_records)
    assert all(len({dev_records[i]["topic_id"] for i in fold}) == 1 for fold in folds)
    with pytest.raises(ValueError):
        evaluate._folds(dev_records, "random")


def test_the_report_prints_ours_and_the_baselines(dev_metrics):
    report = evaluate.format_report(dev_metrics)
    assert "baseline trigram" in report and "baseline char-bigram" in report and "majority" in report
    assert f"{dev_metrics['theme']['top1']:.3f}" in report


def test_the_command_line_writes_predictions(tmp_path, dev_records, capsys):
    source = tmp_path / "titles.jsonl"
    source.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in dev_records[:30]), encoding="utf-8"
    )
    out = tmp_path / "predictions.jsonl"
    assert evaluate.main([str(source), "--folds", "topic", "--predictions", str(out)]) == 0
    assert "textlab" in capsys.readouterr().out
    assert len(out.read_text(encoding="utf-8").splitlines()) == 30
