"""Times the PDF and DOCX of one official letter (a 立案通知 with its red 版头) and of a 30-page document.

    .venv/bin/python bench/documents_bench.py [ROUNDS]

The baseline, measured in the same run, is WeasyPrint called the default way (`HTML(string=...).write_pdf()`),
which builds a new URL fetcher, with its SSL context, for every document; jianyan.documents.render reuses
one that allows data: URLs only. Each figure is the median of ROUNDS (default 5) after one warm-up, which
loads Pango and the CJK font. No database is needed."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianyan.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django  # noqa: E402

django.setup()

from weasyprint import HTML  # noqa: E402

from jianyan.documents.layout import Document  # noqa: E402
from jianyan.documents.render import render, to_html  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def letter() -> Document:
    doc = Document(template="register_notice", title="提案立案通知", filename="bench",
                   organ="政协阳泉市委员会提案委员会", doc_no="阳政协提〔2024〕12号")
    doc.add("plain", "张委员、李委员：")
    doc.add("p", "您（们）提出的《关于加快传统产业改造升级的提案》，经政协阳泉市委员会提案委员会审查，符合立案条件，"
                 "予以立案，案号为市政协十四届三次会议第0012号，列入“产业转型”类。")
    doc.add("p", "该提案已交办，由市工信局主办，市科技局会办，承办单位应于2024年6月5日前办理答复。")
    doc.add("p", "请您关注提案办理进展，积极与承办单位沟通协商，并在收到答复后及时反馈意见。特此通知。")
    doc.add("sign", lines=["政协阳泉市委员会提案委员会", "2024年3月5日"])
    return doc


def long_document(pages: int = 30) -> Document:
    doc = Document(template="compilation", title="提案汇编（基准）", filename="bench")
    for i in range(1, pages * 2 + 1):
        doc.add("heading", f"第{i:04d}号　关于推进第{i}项民生工程建设的提案", level=1, anchor=f"p{i}")
        doc.toc.append((f"p{i}", f"第{i:04d}号　关于推进第{i}项民生工程建设的提案"))
        for _ in range(3):
            doc.add("p", "我市持续推进民生工程建设，群众获得感明显增强，但仍存在投入分散、管护不足等问题。" * 2)
    return doc


def median_ms(func) -> float:
    func()
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    one, many = letter(), long_document()
    html = to_html(one)
    baseline = median_ms(lambda: HTML(string=html).write_pdf())
    ours = median_ms(lambda: render(one, "pdf"))
    docx = median_ms(lambda: render(one, "docx"))
    pages_ms = median_ms(lambda: render(many, "pdf"))
    print(f"one letter, PDF, WeasyPrint default fetcher (baseline): {baseline:7.0f} ms")
    print(f"one letter, PDF, jianyan.documents.render:              {ours:7.0f} ms")
    print(f"one letter, DOCX:                                       {docx:7.0f} ms")
    print(f"{len(many.toc)} sections with a table of contents, PDF:           {pages_ms:7.0f} ms")


if __name__ == "__main__":
    main()
