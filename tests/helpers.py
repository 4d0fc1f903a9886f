"""A minimal valid data folder, built in a temporary directory, that tests then break.

Rows are written with the contract's Chinese headers; tests address cells by the
contract's English field names. Row ``i`` of a table (0-based) is spreadsheet row
``i + 2`` of its file (the header is row 1).

    folder = DataFolder(tmp_path)
    folder.edit("tasks", 0, end="2026-01-01")
    model = folder.load()
"""

from __future__ import annotations

import copy
import csv
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
from stdnum.cn import uscc as stdnum_uscc

from generator.contract import load_contract
from generator.model import Model, load_model

CONTRACT = load_contract()
CORPUS = Path(__file__).parent / "corpus"

# Where each table is written, relative to the data folder.
FILES = {
    "items": "items.csv",
    "plans": "plans.csv",
    "tasks": "tasks.csv",
    "strata": "strata.csv",
    "results": "results/a.csv",
    "dispositions": "dispositions.csv",
    "calendar": "calendar.csv",
    "departments": "departments.csv",
    "inspectors": "inspectors.csv",
    "population": "population.csv",
}


def uscc(body: str) -> str:
    """A valid 统一社会信用代码: 17 characters plus the computed check character."""
    assert len(body) == 17, body
    return body + stdnum_uscc.calc_check_digit(body)


def bad_check(code: str) -> str:
    """The same code with a wrong check character (still 18 valid characters)."""
    right = code[-1]
    wrong = "0" if right != "0" else "1"
    return code[:-1] + wrong


USCC_A = uscc("91130100MA07L8QX3")
USCC_B = uscc("92130123MA0DKT2W1")
USCC_C = uscc("12130123000012345")

ITEM_JR = "QH-JR-004"
ITEM_SJ = "QH-SJ-001"
PLAN = "QH-2026-JR"
TASK_LH = "QH-2026-LH-10"
TASK_BM = "QH-2026-BM-01"

GOV = "青禾县人民政府办公室"
SCJG = "青禾县市场监督管理局"

# certificate numbers of the inspectors table (with_inspectors)
CERT_GOV_1, CERT_GOV_2, CERT_SJ_1, CERT_SJ_2 = "QHJR-0001", "QHJR-0002", "QHSJ-0011", "QHSJ-0012"


def base_rows() -> dict[str, list[dict[str, str]]]:
    """The minimal valid data set: every table, every rule satisfied, no warnings; optional
    columns not given here are empty cells."""
    rows = _base_rows()
    for table, table_rows in rows.items():
        for row in table_rows:
            for f in CONTRACT[table].fields:
                row.setdefault(f.name, "")
    return rows


def _base_rows() -> dict[str, list[dict[str, str]]]:
    plan_v1 = {
        "plan_id": PLAN, "plan_name": "青禾县2026年度双随机抽查工作计划", "year": "2026",
        "publisher": GOV, "version": "1", "published_on": "2026-02-01", "adjustment_note": "",
        "task_type": "部门联合抽查", "lead_department": GOV, "joint_departments": SCJG,
        "scope": "本县小额贷款公司", "ratio": "不低于3%", "planned_start": "2026-03-01",
        "planned_end": "2026-07-30",
    }
    plan_v2 = dict(plan_v1, version="2", published_on="2026-06-15",
                   adjustment_note="增加本部门抽查任务")
    return {
        "items": [
            {"item_id": ITEM_JR, "domain": "地方金融监管", "name": "小额贷款公司经营业务类检查",
             "category": "重点检查事项", "target": "小额贷款公司", "department": GOV,
             "method": "实地核查", "basis": "《河北省地方金融监督管理条例》",
             "ratio": "不低于5%", "frequency": "每年一次"},
            {"item_id": ITEM_SJ, "domain": "市场监管", "name": "企业公示信息检查",
             "category": "一般检查事项", "target": "企业", "department": SCJG,
             "method": "书面检查", "basis": "《企业信息公示暂行条例》", "ratio": "3%",
             "frequency": ""},
        ],
        "plans": [
            dict(plan_v1, task_id=TASK_LH, task_name="2026年第十次跨部门联合抽查",
                 item_ids=f"{ITEM_JR}；{ITEM_SJ}"),
            dict(plan_v2, task_id=TASK_LH, task_name="2026年第十次跨部门联合抽查",
                 item_ids=f"{ITEM_JR}；{ITEM_SJ}"),
            dict(plan_v2, task_id=TASK_BM, task_name="2026年企业公示信息抽查",
                 task_type="本部门抽查", joint_departments="", item_ids=ITEM_SJ),
        ],
        "tasks": [
            {"task_id": TASK_LH, "name": "2026年第十次跨部门联合抽查", "plan_id": PLAN,
             "task_type": "部门联合抽查", "selection": "双随机抽查", "lead_department": GOV,
             "joint_departments": SCJG, "item_ids": f"{ITEM_JR}；{ITEM_SJ}",
             "scope": "本县小额贷款公司", "population": "64", "sampled": "3",
             "start": "2026-03-01", "end": "2026-07-30", "plan_document": "qh-2026-lh-10"},
            {"task_id": TASK_BM, "name": "2026年企业公示信息抽查", "plan_id": "",
             "task_type": "本部门抽查", "selection": "定向抽查", "lead_department": SCJG,
             "joint_departments": "", "item_ids": ITEM_SJ, "scope": "", "population": "10",
             "sampled": "2", "start": "2026-04-01", "end": "2026-05-31",
             "plan_document": "https://www.example.gov.cn/fa/2026-1.html"},
        ],
        "strata": [
            {"task_id": TASK_LH, "risk_tier": "A", "population": "40", "sampled": "1"},
            {"task_id": TASK_LH, "risk_tier": "C", "population": "24", "sampled": "2"},
        ],
        "results": [
            {"task_id": TASK_LH, "uscc": USCC_A, "entity_name": "青禾县汇通小额贷款有限公司",
             "inspecting_department": GOV, "item_id": ITEM_JR, "inspected_on": "2026-05-12",
             "result": "未发现问题", "published_on": "2026-06-01", "note": ""},
            {"task_id": TASK_LH, "uscc": USCC_B, "entity_name": "青禾县兴业典当有限公司",
             "inspecting_department": GOV, "item_id": ITEM_JR, "inspected_on": "2026-05-13",
             "result": "发现问题已责令改正", "published_on": "2026-06-01", "note": ""},
            {"task_id": TASK_BM, "uscc": USCC_C, "entity_name": "青禾县某某协会",
             "inspecting_department": SCJG, "item_id": ITEM_SJ, "inspected_on": "2026-04-20",
             "result": "未发现问题", "published_on": "", "note": "尚未公示"},
        ],
        "dispositions": [
            {"task_id": TASK_LH, "uscc": USCC_B, "department": GOV, "action": "责令改正",
             "outcome": "已于期限内完成整改", "decided_on": "2026-05-20",
             "recorded_on": "2026-06-10"},
        ],
        "calendar": [
            {"date": "2027-02-06", "kind": "休息日", "note": "春节"},
        ],
        "departments": [
            {"name": GOV, "short_code": "", "phone": "0311-86010001",
             "address": "青禾县禾兴大街1号", "website": "https://www.qinghe.example.gov.cn/"},
            {"name": SCJG, "short_code": "scjg", "phone": "0311-86012315",
             "address": "青禾县禾兴大街88号", "website": "https://scjg.qinghe.example.gov.cn/"},
        ],
        "inspectors": [
            {"certificate": CERT_GOV_1, "name": "王立新", "department": GOV,
             "categories": "地方金融监管", "valid_from": "2024-01-01", "valid_to": "2028-12-31",
             "status": "有效"},
            {"certificate": CERT_GOV_2, "name": "李敏", "department": GOV,
             "categories": "地方金融监管", "valid_from": "2024-01-01", "valid_to": "2028-12-31",
             "status": "有效"},
            {"certificate": CERT_SJ_1, "name": "张海峰", "department": SCJG,
             "categories": "市场监管综合执法；食品安全", "valid_from": "2023-06-01",
             "valid_to": "2028-05-31", "status": "有效"},
            {"certificate": CERT_SJ_2, "name": "赵静", "department": SCJG,
             "categories": "市场监管综合执法", "valid_from": "2023-06-01",
             "valid_to": "2028-05-31", "status": "有效"},
        ],
        # the county office's directory of 小额贷款公司 (with_population): 60 at the start of
        # 2025, 64 at the start of 2026 (40 of tier A, 24 of tier C), as task LH and its
        # strata say
        "population": [
            {"department": GOV, "object_type": "小额贷款公司", "risk_tier": "", "count": "60",
             "as_of": "2025-01-01"},
            {"department": GOV, "object_type": "小额贷款公司", "risk_tier": "", "count": "64",
             "as_of": "2026-01-01"},
            {"department": GOV, "object_type": "小额贷款公司", "risk_tier": "A", "count": "40",
             "as_of": "2026-01-01"},
            {"department": GOV, "object_type": "小额贷款公司", "risk_tier": "C", "count": "24",
             "as_of": "2026-01-01"},
        ],
    }

# the 检查人员 of each base result row once with_inspectors() is called: two valid
# certificates of the inspecting department each, so the rule of two is met everywhere
BASE_TEAMS = [f"{CERT_GOV_1}；{CERT_GOV_2}", f"{CERT_GOV_1}；{CERT_GOV_2}",
              f"{CERT_SJ_1}；{CERT_SJ_2}"]


class DataFolder:
    """The minimal valid folder, changed by each test only where it breaks a rule."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "data"
        self.rows = base_rows()
        self.headers: dict[str, list[str]] = {
            t.name: [f.title for f in t.fields] for t in CONTRACT
        }
        self.extra_columns: dict[str, dict[str, list[str]]] = {t.name: {} for t in CONTRACT}
        # the departments table, once given, makes every department name a reference: a
        # folder writes it only when a test touches it, so tests that invent departments
        # need not list them there
        self.skip: set[str] = {"departments", "inspectors", "population"}
        self.renamed: dict[str, str] = {}

    # --- changing the data ---------------------------------------------------------

    def with_departments(self) -> DataFolder:
        """Write the departments table too (it is left out until a test touches it)."""
        self.skip.discard("departments")
        return self

    def with_inspectors(self) -> DataFolder:
        """Write the inspectors table and name two valid inspectors on every base result.

        Left out until a test asks for it, like the departments table: most tests are
        about other rules and need not keep a team on every result they add.
        """
        self.skip.discard("inspectors")
        for row, team in zip(self.rows["results"], BASE_TEAMS, strict=False):
            row["inspectors"] = team
        return self

    def with_population(self) -> DataFolder:
        """Write the population table and give task LH its object type (小额贷款公司)."""
        self.skip.discard("population")
        self.rows["tasks"][0]["object_type"] = "小额贷款公司"
        return self

    def edit(self, table: str, index: int, **values: str) -> DataFolder:
        """Change cells of row ``index`` (0-based; spreadsheet row index + 2)."""
        if table == "departments":
            self.with_departments()
        elif table in ("inspectors", "population"):
            self.skip.discard(table)
        for name in values:
            CONTRACT[table].field(name)  # KeyError on a typo in a test
        self.rows[table][index].update(values)
        return self

    def add(self, table: str, like: int | None = 0, **values: str) -> int:
        """Append a row (a copy of row ``like`` changed by ``values``); return its row number."""
        if table == "departments":
            self.with_departments()
        elif table in ("inspectors", "population"):
            self.skip.discard(table)
        base = copy.deepcopy(self.rows[table][like]) if like is not None else {}
        for name in values:
            CONTRACT[table].field(name)
        base.update(values)
        self.rows[table].append(base)
        return len(self.rows[table]) + 1

    def remove(self, table: str, index: int) -> DataFolder:
        if table == "departments":
            self.with_departments()
        elif table in ("inspectors", "population"):
            self.skip.discard(table)
        del self.rows[table][index]
        return self

    def drop_column(self, table: str, name: str) -> DataFolder:
        if table == "departments":
            self.with_departments()
        elif table in ("inspectors", "population"):
            self.skip.discard(table)
        title = CONTRACT[table].field(name).title
        self.headers[table].remove(title)
        return self

    def rename_header(self, table: str, name: str, written: str) -> DataFolder:
        """Write the header of field ``name`` differently (an alias, spaces, full width)."""
        if table == "departments":
            self.with_departments()
        elif table in ("inspectors", "population"):
            self.skip.discard(table)
        title = CONTRACT[table].field(name).title
        self.headers[table][self.headers[table].index(title)] = written
        self.renamed[written] = title
        return self

    def add_column(self, table: str, header: str, values: list[str]) -> DataFolder:
        """A column that is not in the contract (its values must never be published)."""
        if table == "departments":
            self.with_departments()
        elif table in ("inspectors", "population"):
            self.skip.discard(table)
        self.extra_columns[table][header] = values
        return self

    def without(self, table: str) -> DataFolder:
        self.skip.add(table)
        return self

    # --- writing and loading -------------------------------------------------------

    def write(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        for table, rel in FILES.items():
            if table in self.skip:
                continue
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            titles = {f.title: f.name for f in CONTRACT[table].fields}
            headers = self.headers[table]
            extra = self.extra_columns[table]
            with open(path, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([*headers, *extra])
                for i, row in enumerate(self.rows[table]):
                    cells = [row.get(titles[self.renamed.get(h, h)], "") for h in headers]
                    cells += [values[i] for values in extra.values()]
                    writer.writerow(cells)
        return self.root

    def overlay(self, case: str) -> Path:
        """Write the folder, then the files of ``tests/corpus/<case>/`` over it."""
        root = self.write()
        source = CORPUS / case
        assert source.is_dir(), source
        for path in source.rglob("*"):
            if path.is_file():
                target = root / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        return root

    def spare(self, table: str, n: int = 1, **values: str) -> int:
        """Add a valid row nothing else refers to (so breaking it breaks nothing else).

        ``n`` (1..28) keeps the keys of several spare rows apart. Returns the row number.
        """
        assert 1 <= n <= 28
        code = uscc(f"91130123MA0PP{n:04d}")
        if table == "items":
            row = self.add("items", 0, item_id=f"QH-XX-{n:03d}")
        elif table == "plans":
            row = self.add("plans", 2, task_id=f"QH-2026-ZX-{n:02d}")
        elif table == "tasks":
            row = self.add("tasks", 1, task_id=f"QH-2026-ZX-{n:02d}")
        elif table == "strata":
            # a task of its own whose totals the single stratum matches
            self.add("tasks", 1, task_id=f"QH-2026-FC-{n:02d}")
            row = self.add("strata", 0, task_id=f"QH-2026-FC-{n:02d}", population="10",
                           sampled="2")
        elif table == "results":
            row = self.add("results", 2, uscc=code, inspected_on=f"2026-04-{n:02d}")
        elif table == "dispositions":
            row = self.add("dispositions", 0, decided_on=f"2026-05-{n:02d}")
        elif table == "calendar":
            row = self.add("calendar", 0, date=f"2027-03-{n:02d}")
        elif table == "departments":
            row = self.add("departments", 1, name=f"青禾县备用局{n}", short_code=f"by{n}")
        elif table == "inspectors":
            row = self.add("inspectors", 2, certificate=f"QHBY-{n:04d}")
        elif table == "population":
            row = self.add("population", 0, as_of=f"2024-01-{n:02d}")
        else:
            raise KeyError(table)
        self.edit(table, row - 2, **values)
        return row

    def load(self, settings: dict[str, Any] | None = None) -> Model:
        return load(self.write(), settings)


def year_without_calendar(folder: DataFolder) -> None:
    """Task BM moved to December 2026 with no calendar file: its deadline falls in 2027, a
    year the packaged holiday schedule does not know."""
    folder.without("calendar")
    folder.edit("tasks", 1, start="2026-12-01", end="2026-12-20")
    folder.edit("results", 2, inspected_on="2026-12-10")


def load(data_dir: Path, settings: dict[str, Any] | None = None) -> Model:
    """Load a data folder; every test goes through here, so the row counts are always checked."""
    model = load_model(data_dir, settings)
    check_summary(model)
    return model


# --- assertions ----------------------------------------------------------------------


def table_of(file: str | None) -> str | None:
    """The table a data file belongs to (by the contract's file naming), or None."""
    if not file:
        return None
    first = Path(file).parts[0]
    for t in CONTRACT:
        if first == t.source and t.multi_file and len(Path(file).parts) > 1:
            return t.name
        if len(Path(file).parts) == 1 and Path(file).stem == t.source:
            return t.name
    return None


def check_summary(model: Model) -> None:
    """Invariants every load must keep, whatever the input.

    Every table: rows read = rows valid + rows rejected, the valid rows are exactly the
    model's rows, a table with rejected rows has an error in one of its files, and no
    published row has an error reported on it.
    """
    assert set(model.summary) == set(CONTRACT.tables)
    frame = model.problems.frame()
    assert list(frame.columns) == ["severity", "code", "file", "row", "column", "value",
                                   "message", "original"]
    assert set(frame["severity"]) <= {"error", "warning"}
    errors = frame[frame["severity"] == "error"]
    error_rows = {(f, int(r)) for f, r in zip(errors["file"], errors["row"], strict=True)
                  if pd.notna(r)}
    error_tables = {table_of(f) for f in errors["file"]}
    for name, s in model.summary.items():
        assert s.rows_read == s.rows_valid + s.rows_rejected, (name, s)
        assert s.rows_valid == len(model.tables[name]), (name, s)
        assert min(s.rows_read, s.rows_valid, s.rows_rejected) >= 0, (name, s)
        if s.rows_rejected:
            assert name in error_tables, (name, s, frame.to_string())
        table = model.tables[name]
        published = set(zip(table["_file"].astype(str), table["_row"].astype(int), strict=True))
        assert not (published & error_rows), (name, published & error_rows)


def problems(model: Model) -> pd.DataFrame:
    return model.problems.frame()


def located(model: Model) -> list[tuple]:
    """Every problem as (code, file, row, column), sorted: the exact place of each."""
    frame = problems(model)
    out = []
    for rec in frame.to_dict("records"):
        row = None if pd.isna(rec["row"]) else int(rec["row"])
        out.append((rec["code"], rec["file"], row, rec["column"]))
    return sorted(out, key=_key)


def _key(entry: tuple) -> tuple:
    return tuple("" if v is None else str(v) for v in entry)


def expect(model: Model, *entries: tuple) -> None:
    """The problems are exactly ``entries`` (code, file, row, column), in any order."""
    assert located(model) == sorted(entries, key=_key), problems(model).to_string()


def only(model: Model, code: str) -> dict:
    """The single problem of ``code``; fails if there is none or several."""
    frame = problems(model)
    hits = frame[frame["code"] == code]
    assert len(hits) == 1, frame.to_string()
    rec = hits.iloc[0].to_dict()
    rec["row"] = None if pd.isna(rec["row"]) else int(rec["row"])
    return rec


def assert_clean(model: Model) -> None:
    frame = problems(model)
    assert frame.empty, frame.to_string()
