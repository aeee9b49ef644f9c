"""Reading an uploaded table (XLSX or CSV) into a header row and text cells, with Chinese errors for
files that are not tables: empty, not an xlsx, an old .xls, an unknown encoding, a cell too large."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from jianyan.core.errors import InvalidInput

MAX_CELL_CHARS = 20000
MAX_IMPORT_BYTES = 64 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class TableError(InvalidInput):
    """The file as a whole cannot be read (as opposed to a bad row)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


def cell_text(value) -> str:
    """A cell as text: whole floats without '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(content: bytes, file_name: str = "") -> Table:
    if not content or not content.strip():
        raise TableError("文件为空")
    if len(content) > MAX_IMPORT_BYTES:
        raise TableError(f"文件过大（超过 {MAX_IMPORT_BYTES // 1024 // 1024} MB），请分批导入")
    if content.startswith(OLE_MAGIC):
        raise TableError("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）")
    if content.startswith(XLSX_MAGIC):
        rows = read_xlsx(content)
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise TableError("文件不是有效的 Excel（.xlsx）文件")
    else:
        rows = read_csv(content)
    return to_table(rows)


def to_table(rows: Iterator[list[str]]) -> Table:
    numbered = []
    headers: list[str] | None = None
    for n, cells in enumerate(rows, start=1):
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise TableError(f"第{n}行有单元格超过 {MAX_CELL_CHARS} 字，文件无法导入")
        if headers is None:
            if not any(cells):
                continue  # blank lines above the header
            headers = cells
            continue
        if any(cells):
            numbered.append((n, cells))
    if headers is None:
        raise TableError("文件中没有表头行")
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers=headers, rows=numbered)


def read_xlsx(content: bytes) -> Iterator[list[str]]:
    """The first sheet's rows. Read straight from the sheet's XML (lxml iterparse): openpyxl's read-only mode
    took 71 s for 100,000 rows on the shared test machine, more than the whole import's budget."""
    try:
        return iter(XlsxSheet(content).rows())
    except TableError:
        raise
    except Exception:  # a corrupt or hostile file raises many kinds of errors; none may become a 500
        raise TableError("无法读取 Excel 文件，请确认文件为 .xlsx 格式且未损坏")


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_XML_BYTES = 600 * 1024 * 1024  # uncompressed: refuses zip bombs
BUILTIN_DATE_FORMATS = {14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


class XlsxSheet:
    def __init__(self, content: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile:
            raise TableError("文件不是有效的 Excel（.xlsx）文件")
        if sum(info.file_size for info in self.zip.infolist()) > MAX_XML_BYTES:
            raise TableError("Excel 文件解压后过大，请分批导入或另存为 CSV")
        names = set(self.zip.namelist())
        if "xl/workbook.xml" not in names:
            raise TableError("文件不是有效的 Excel（.xlsx）文件")
        self.sheet = self.first_sheet_path(names)
        self.strings = self.shared_strings() if "xl/sharedStrings.xml" in names else []
        self.date_styles = self.date_style_ids() if "xl/styles.xml" in names else set()

    def parse(self, name: str):
        from lxml import etree

        return etree.iterparse(self.zip.open(name), events=("end",), resolve_entities=False, no_network=True,
                               huge_tree=True)

    def first_sheet_path(self, names: set[str]) -> str:
        sheet_rel = next((el.get(f"{REL_NS}id") for _e, el in self.parse("xl/workbook.xml")
                          if el.tag == f"{MAIN_NS}sheet"), None)
        target = None
        if sheet_rel and "xl/_rels/workbook.xml.rels" in names:
            target = next((el.get("Target") for _e, el in self.parse("xl/_rels/workbook.xml.rels")
                           if el.tag == f"{PKG_REL_NS}Relationship" and el.get("Id") == sheet_rel), None)
        if target:
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if path in names:
                return path
        if "xl/worksheets/sheet1.xml" in names:
            return "xl/worksheets/sheet1.xml"
        raise TableError("Excel 文件中没有工作表")

    def shared_strings(self) -> list[str]:
        out = []
        for _e, el in self.parse("xl/sharedStrings.xml"):
            if el.tag == f"{MAIN_NS}si":
                out.append("".join(t.text or "" for t in el.iter(f"{MAIN_NS}t")))
                el.clear()
        return out

    def date_style_ids(self) -> set[int]:
        custom_dates, xfs, in_cell_xfs = set(), [], False
        for _event, el in self.parse("xl/styles.xml"):
            if el.tag == f"{MAIN_NS}numFmt":
                code = (el.get("formatCode") or "").lower().split(";")[0]
                code = "".join(part for i, part in enumerate(code.split('"')) if i % 2 == 0)  # drop quoted text
                if any(ch in code for ch in "ymd") and "[h" not in code:
                    custom_dates.add(int(el.get("numFmtId", "0")))
            elif el.tag == f"{MAIN_NS}cellXfs":
                xfs = [int(xf.get("numFmtId", "0")) for xf in el.iterchildren(f"{MAIN_NS}xf")]
                in_cell_xfs = True
        if not in_cell_xfs:
            return set()
        dates = BUILTIN_DATE_FORMATS | custom_dates
        return {i for i, fmt in enumerate(xfs) if fmt in dates}

    def cell_value(self, c) -> str:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in c.iter(f"{MAIN_NS}t")).strip()
        v = c.find(f"{MAIN_NS}v")
        text = v.text if v is not None and v.text is not None else ""
        if kind == "s":
            return self.strings[int(text)].strip() if text else ""
        if kind == "b":
            return "是" if text == "1" else "否"
        if kind in ("str", "e"):
            return text.strip()
        if not text:
            return ""
        number = float(text)
        if int(c.get("s", "0")) in self.date_styles:
            return cell_text(EXCEL_EPOCH + dt.timedelta(days=number))
        return cell_text(number)

    def rows(self) -> list[list[str]]:
        out: list[list[str]] = []
        for _e, el in self.parse(self.sheet):
            if el.tag != f"{MAIN_NS}row":
                continue
            number = int(el.get("r", len(out) + 1))
            while len(out) < number - 1:
                out.append([])  # keep the spreadsheet's row numbers
            cells: list[str] = []
            for c in el.iterchildren(f"{MAIN_NS}c"):
                ref = c.get("r")
                index = column_index(ref) if ref else len(cells)
                if index < len(cells):
                    continue
                cells.extend([""] * (index - len(cells)))
                cells.append(self.cell_value(c))
            out.append(cells)
            el.clear()
        return out


def decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise TableError("文件不是文本表格（CSV）或 Excel（.xlsx）文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别 CSV 文件的编码，请保存为 UTF-8 或 GBK 编码")


def read_csv(content: bytes) -> Iterator[list[str]]:
    text = decode(content)
    try:
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as e:
        raise TableError(f"CSV 文件格式有误（{e}），或单元格过长")
    return iter(rows)
