import subprocess
import sys
import threading

import pytest

from jianyan.textlab import segment
from jianyan.textlab.segment import is_stop_word, keywords, segmented, tokens

DOMAIN_WORDS = [
    "专精特新",
    "新质生产力",
    "医养结合",
    "老旧小区",
    "营商环境",
    "碳达峰",
    "市工信局",
    "市中小企业发展中心",
    "加装电梯",
    "乡村振兴",
]


@pytest.mark.parametrize("word", DOMAIN_WORDS)
def test_domain_words_stay_whole(word):
    assert word in tokens(f"关于推动{word}相关工作的建议")


def test_stop_words_are_dropped_and_the_issue_remains():
    assert tokens("关于进一步加强我市老旧小区加装电梯工作的提案") == ["老旧小区", "加装电梯"]


@pytest.mark.parametrize(
    "word", ["关于", "提案", "建议", "我市", "进一步", "加强", "推进", "的", "和", "问题"]
)
def test_the_genre_words_are_stop_words(word):
    assert is_stop_word(word)


def test_tokens_drop_numbers_punctuation_and_single_characters():
    assert tokens("2024年，全市新增停车位3000个（含立体停车场）!") == ["新增", "停车位", "立体停车场"]


def test_full_width_text_reads_like_half_width():
    assert tokens("推广５Ｇ基站") == tokens("推广5G基站")


def test_keywords_name_issues_not_the_genre(dev_records):
    top = [w for w, _ in keywords([r["title"] for r in dev_records], top=15)]
    assert {"停车场", "老旧小区", "红绿灯", "天然气"} <= set(top)
    assert not {"关于", "建议", "提案", "我市", "加强", "推进", "问题", "安装"} & set(top)


def test_keywords_count_texts_not_repeats():
    assert keywords(["停车场停车场停车场", "停车场", "公厕"], top=2) == [("停车场", 2), ("公厕", 1)]


def test_segmented_text_finds_parts_of_compound_words():
    words = segmented("关于推进老旧小区加装电梯的提案").split(" ")
    assert {"老旧小区", "小区", "加装电梯", "电梯"} <= set(words)
    assert "，" not in segmented("停车难，充电难")


def test_the_dictionary_loads_once_under_concurrent_first_use(monkeypatch):
    monkeypatch.setattr(segment, "_instance", None)
    built = []
    original = segment._Segmenter

    class Counting(original):
        def __init__(self):
            built.append(1)
            super().__init__()

    monkeypatch.setattr(segment, "_Segmenter", Counting)
    results, start = [], threading.Barrier(8)

    def work():
        start.wait()
        results.append(tokens("关于培育专精特新企业的提案"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1
    assert results == [["培育", "专精特新", "企业"]] * 8


def test_textlab_imports_and_runs_without_django():
    code = (
        "import sys\n"
        "from jianyan.textlab import classify, evaluate, precheck, segment, similar\n"
        "assert segment.tokens('关于推进碳达峰的提案') == ['碳达峰']\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(segment.DATA_DIR.parents[2])}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert done.returncode == 0, done.stderr
