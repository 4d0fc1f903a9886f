"""Deterministic sample data of the fictitious county 青禾县 (示例数据).

The portal needs data that exercises every rule of the contract (joint tasks,
plan adjustments, strata, synonyms, late publication, repeated inspections) for
demos and tests, and needs it at benchmark scale too. Real agency exports cannot
be committed with personal data, so this module invents a county whose shape
follows real 实施方案 and scales it with ``results``.

Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order
and built over arrays, so the same ``(results, seed)`` gives byte-identical files
and a million result rows take seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

from generator.contract import load_contract
from generator.sample import names as W
from generator.sample.uscc import make_uscc

__all__ = ["write_sample_data", "make_uscc", "PLAN_DOCUMENTS", "ITEMS", "DEPARTMENTS"]

DEPARTMENTS: dict[str, str] = {
    "JR": "青禾县人民政府办公室",
    "SJ": "青禾县市场监督管理局",
    "GA": "青禾县公安局",
    "CZ": "青禾县财政局",
}
DEPT_CODES = tuple(DEPARTMENTS)

# The departments table: (short code, telephone, address, web page) of each department, all
# fictitious (0311-8xxxxxxx numbers, addresses in 青禾县, .example.gov.cn pages). The county
# government office gives no short code, so the sample shows a slug made from pinyin too.
DEPARTMENT_CONTACTS: dict[str, tuple[str, str, str, str]] = {
    "JR": ("", "0311-86010001", "青禾县禾兴大街1号县政务服务中心三楼",
           "https://www.qinghe.example.gov.cn/jrjg/"),
    "SJ": ("scjg", "0311-86012315、0311-86012316", "青禾县禾兴大街88号",
           "https://scjg.qinghe.example.gov.cn/"),
    "GA": ("gaj", "0311-86011100", "青禾县文昌路16号", "https://gaj.qinghe.example.gov.cn/"),
    "CZ": ("czj", "0311-86013355", "青禾县建设南街23号", "https://czj.qinghe.example.gov.cn/"),
}
YEARS = (2025, 2026)

# Nothing in the sample is dated after this day, so the still unpublished results
# of the latest task are pending rather than overdue when the portal takes the
# latest date in the data as "today".
CUTOFF = "2026-12-14"
LAST_DECISION = "2026-11-30"

# Task slugs that have a 实施方案 page in content/pages/.
PLAN_DOCUMENTS = ("qh-2026-lh-10", "qh-2026-jr-01", "qh-2026-cz-01")

_FIN = "小额贷款公司、典当行、融资担保公司、融资租赁公司"
_HB_FIN = "《河北省地方金融监督管理条例》"

# (item_id, domain, name, category, target, method, basis, ratio, frequency)
_ITEM_ROWS: tuple[tuple[str, ...], ...] = (
    ("QH-JR-001", "地方金融监管", "地方金融组织准入类检查", "一般检查事项", _FIN,
     "书面检查、实地核查", _HB_FIN, "不低于3%", "每年不少于1次"),
    ("QH-JR-002", "地方金融监管", "地方金融组织变更事项审批、备案情况检查", "一般检查事项", _FIN,
     "书面检查", _HB_FIN + "《融资担保公司监督管理条例》", "3%", "每年1次"),
    ("QH-JR-003", "地方金融监管", "地方金融组织一般合规性检查", "一般检查事项", _FIN,
     "书面检查、实地核查", _HB_FIN, "不低于3%", "每年不少于1次"),
    ("QH-JR-004", "地方金融监管", "小额贷款公司经营业务类检查", "重点检查事项", "小额贷款公司",
     "实地核查、书面检查",
     "《关于小额贷款公司试点的指导意见》（银监发〔2008〕23号）" + _HB_FIN, "10%", "每年不少于1次"),
    ("QH-JR-005", "地方金融监管", "地方金融组织执行暂停相关业务监管措施情况检查", "重点检查事项",
     _FIN, "书面检查、实地核查", _HB_FIN, "5%", "根据监管需要适时开展"),
    ("QH-JR-006", "地方金融监管", "典当行经营业务类检查", "重点检查事项", "典当行",
     "实地核查、书面检查", "《典当管理办法》（商务部、公安部令2005年第8号）", "10%",
     "每年不少于1次"),
    ("QH-JR-007", "地方金融监管", "融资担保公司经营业务类检查", "重点检查事项", "融资担保公司",
     "实地核查、书面检查", "《融资担保公司监督管理条例》（国务院令第683号）", "≥20%", "每年1次"),
    ("QH-JR-008", "地方金融监管", "融资租赁公司经营业务类检查", "一般检查事项", "融资租赁公司",
     "书面检查", "《融资租赁公司监督管理暂行办法》（银保监发〔2020〕22号）", "0.05", "每年1次"),
    ("QH-SJ-001", "市场监管", "登记事项检查", "一般检查事项", "企业、个体工商户、农民专业合作社",
     "书面检查、实地核查", "《中华人民共和国市场主体登记管理条例》", "不低于3%", "每年不少于1次"),
    ("QH-SJ-002", "市场监管", "公示信息检查", "一般检查事项", "企业、个体工商户、农民专业合作社",
     "书面检查、网络监测", "《企业信息公示暂行条例》", "3%", "每年1次"),
    ("QH-SJ-003", "市场监管", "广告行为检查", "一般检查事项", "广告主、广告经营者、广告发布者",
     "网络监测、实地核查", "《中华人民共和国广告法》", "不低于3%", "每年1次"),
    ("QH-SJ-004", "市场监管", "价格行为检查", "一般检查事项", "经营者",
     "实地核查", "《中华人民共和国价格法》《明码标价和禁止价格欺诈规定》", "3%", "每年1次"),
    ("QH-SJ-005", "市场监管", "食品销售者检查", "重点检查事项", "食品销售者",
     "实地核查", "《中华人民共和国食品安全法》", "5%", "每年不少于2次"),
    ("QH-GA-001", "治安管理", "金融机构营业场所和金库安全防范设施建设情况检查", "重点检查事项",
     "金融机构、小额贷款公司、典当行", "实地核查",
     "《金融机构营业场所和金库安全防范设施建设许可实施办法》《企业事业单位内部治安保卫条例》",
     "不低于5%", "每年1次"),
    ("QH-GA-002", "治安管理", "保安服务公司检查", "一般检查事项", "保安服务公司",
     "书面检查、实地核查", "《保安服务管理条例》", "≥20%", "每年一次"),
    ("QH-GA-003", "治安管理", "旅馆业治安管理检查", "一般检查事项", "旅馆",
     "实地核查", "《旅馆业治安管理办法》", "10%（20户）", "每年一次"),
    ("QH-CZ-001", "财政会计监督", "会计信息质量检查", "一般检查事项", "企业",
     "书面检查、实地核查", "《中华人民共和国会计法》", "不低于3%", "每年1次"),
    ("QH-CZ-002", "财政会计监督", "代理记账机构检查", "一般检查事项", "代理记账机构",
     "书面检查、实地核查", "《代理记账管理办法》（财政部令第98号）", "10%", "每年1次"),
    ("QH-CZ-003", "财政会计监督", "注册会计师行业执业质量检查", "重点检查事项", "会计师事务所",
     "书面检查", "《中华人民共和国注册会计师法》", "不低于20%", "每年1次"),
    ("QH-CZ-004", "财政会计监督", "政府采购代理机构监督检查", "一般检查事项", "政府采购代理机构",
     "书面检查", "《中华人民共和国政府采购法》《政府采购代理机构管理暂行办法》", "0.05",
     "每两年覆盖一次"),
)  # fmt: skip

ITEMS: tuple[dict[str, str], ...] = tuple(
    {
        "item_id": r[0],
        "domain": r[1],
        "name": r[2],
        "category": r[3],
        "target": r[4],
        "department": DEPARTMENTS[r[0][3:5]],
        "method": r[5],
        "basis": r[6],
        "ratio": r[7],
        "frequency": r[8],
    }
    for r in _ITEM_ROWS
)
ITEM_IDS = tuple(i["item_id"] for i in ITEMS)
_ITEM_INDEX = {item_id: k for k, item_id in enumerate(ITEM_IDS)}
_ITEM_DEPT = np.array([DEPT_CODES.index(i[3:5]) for i in ITEM_IDS])

# ---------------------------------------------------------------- enterprises


@dataclass(frozen=True)
class Sector:
    """How enterprises of one kind are named and registered."""

    # (pattern with {} for the 字号, division code, weight)
    buckets: tuple[tuple[str, str, float], ...]
    # (industry + organization form, USCC kind, weight)
    suffixes: tuple[tuple[str, str, float], ...]


def _companies(*words: tuple[str, float]) -> tuple[tuple[str, str, float], ...]:
    return tuple((w, "91", p) for w, p in words)


_R, _C, _P = W.REGION_CODE, W.CITY_CODE, W.PROVINCE_CODE
_LOCAL = (
    ("青禾县{}", _R, 0.62),
    ("青禾{}", _R, 0.12),
    ("{}（青禾）", _R, 0.06),
    ("石家庄{}", _C, 0.12),
    ("{}（石家庄）", _C, 0.04),
    ("河北{}", _P, 0.04),
)
_SHOP_BUCKETS = (("青禾县{}", _R, 0.4),) + tuple(
    (f"青禾县{town}{{}}", _R, 0.6 / len(W.TOWNS)) for town in W.TOWNS
)

SECTORS: dict[str, Sector] = {
    "XD": Sector(
        (("青禾县{}", _R, 0.8), ("青禾{}", _R, 0.2)),
        _companies(("小额贷款有限公司", 0.5), ("小额贷款有限责任公司", 0.3),
                   ("小额贷款股份有限公司", 0.2)),
    ),
    "DD": Sector(
        (("青禾县{}", _R, 0.85), ("石家庄{}", _C, 0.15)),
        _companies(("典当有限责任公司", 0.6), ("典当有限公司", 0.4)),
    ),
    "DB": Sector(
        (("青禾县{}", _R, 0.6), ("石家庄{}", _C, 0.25), ("河北{}", _P, 0.15)),
        _companies(("融资担保有限公司", 0.6), ("融资担保有限责任公司", 0.2),
                   ("融资担保股份有限公司", 0.2)),
    ),
    "ZL": Sector(
        (("河北{}", _P, 0.5), ("石家庄{}", _C, 0.5)),
        _companies(("融资租赁有限公司", 1.0)),
    ),
    "GEN": Sector(
        _LOCAL,
        tuple(
            (ind + form, "91", p / len(W.INDUSTRIES))
            for ind, (form, p) in product(W.INDUSTRIES, W.COMPANY_FORMS)
        ),
    ),
    "FOOD": Sector(_SHOP_BUCKETS, tuple((s, "92", 1 / len(W.FOOD_SHOPS)) for s in W.FOOD_SHOPS)),
    "HOTEL": Sector(
        _SHOP_BUCKETS,
        tuple((s, "92", 0.8 / len(W.HOTELS)) for s in W.HOTELS) + (("酒店管理有限公司", "91", 0.2),),
    ),
    "MEIRONG": Sector(
        (("青禾县{}", _R, 0.7), ("石家庄{}", _C, 0.3)),
        _companies(("医疗美容诊所有限公司", 0.6), ("医疗美容门诊部有限公司", 0.4)),
    ),
    "BA": Sector(
        (("青禾县{}", _R, 0.6), ("石家庄{}", _C, 0.4)),
        _companies(("保安服务有限公司", 0.8), ("保安服务有限责任公司", 0.2)),
    ),
    "DLJZ": Sector(
        (("青禾县{}", _R, 0.7), ("石家庄{}", _C, 0.3)),
        _companies(("财务咨询有限公司", 0.4), ("代理记账有限公司", 0.3), ("会计服务有限公司", 0.3)),
    ),
    "KJS": Sector(
        (("河北{}", _P, 0.5), ("石家庄{}", _C, 0.5)),
        _companies(("会计师事务所（普通合伙）", 0.5), ("会计师事务所有限公司", 0.5)),
    ),
    "CGDL": Sector(
        (("青禾县{}", _R, 0.4), ("石家庄{}", _C, 0.4), ("河北{}", _P, 0.2)),
        _companies(("招标代理有限公司", 0.4), ("项目管理有限公司", 0.3), ("工程咨询有限公司", 0.3)),
    ),
}  # fmt: skip
SECTOR_NAMES = tuple(SECTORS)


def _apply_matrix() -> np.ndarray:
    """Probability that an item of a task is checked on an enterprise of a sector.

    1 means always (the item is the reason the enterprise is in the task), values
    below 1 are items a 一企一表 form includes only when they apply (e.g. a change
    of registered capital for the 变更事项 item), 0 means never.
    """
    m = np.zeros((len(SECTOR_NAMES), len(ITEM_IDS)))

    def put(sectors: str, item: str, p: float) -> None:
        for s in sectors.split():
            m[SECTOR_NAMES.index(s), _ITEM_INDEX[item]] = p

    finance = "XD DD DB ZL"
    put(finance, "QH-JR-001", 0.5)
    put(finance, "QH-JR-002", 0.4)
    put(finance, "QH-JR-003", 1.0)
    put(finance, "QH-JR-005", 0.3)
    put("XD", "QH-JR-004", 1.0)
    put("DD", "QH-JR-006", 1.0)
    put("DB", "QH-JR-007", 1.0)
    put("ZL", "QH-JR-008", 1.0)
    put(" ".join(SECTOR_NAMES), "QH-SJ-001", 1.0)
    put(" ".join(SECTOR_NAMES), "QH-SJ-002", 1.0)
    put(" ".join(SECTOR_NAMES), "QH-SJ-003", 0.5)
    put("GEN XD DD", "QH-SJ-003", 0.6)
    put("MEIRONG", "QH-SJ-003", 1.0)
    put("GEN", "QH-SJ-004", 0.7)
    put("FOOD HOTEL", "QH-SJ-004", 0.8)
    put("MEIRONG", "QH-SJ-004", 0.6)
    put("FOOD", "QH-SJ-005", 1.0)
    put("XD DD", "QH-GA-001", 1.0)
    put("BA", "QH-GA-002", 1.0)
    put("HOTEL", "QH-GA-003", 1.0)
    put("GEN", "QH-CZ-001", 1.0)
    put("DLJZ", "QH-CZ-002", 1.0)
    put("KJS", "QH-CZ-003", 1.0)
    put("CGDL", "QH-CZ-004", 1.0)
    return m


APPLY = _apply_matrix()

# ---------------------------------------------------------------- tasks

TIERS = ("A", "B", "C", "D")
_TIER_SHARES = np.array([0.55, 0.30, 0.11, 0.04])
# relative sampling rate by tier: higher risk, higher rate
_TIER_RATES = np.array([1.0, 1.6, 3.0, 6.0])


@dataclass
class Group:
    """A 检查对象名录库 segment: enterprises of one sector that tasks draw from.

    Only the drawn enterprises are ever materialized; the rest exist as a count,
    which keeps populations realistic without generating millions of names.
    """

    sector: str
    tiers: tuple[int, int, int, int]

    @property
    def population(self) -> int:
        return int(sum(self.tiers))


def _tiers(population: int) -> tuple[int, int, int, int]:
    counts = np.floor(population * _TIER_SHARES).astype(int)
    counts[0] += population - counts.sum()
    return tuple(int(c) for c in counts)  # type: ignore[return-value]


@dataclass
class TaskSpec:
    """One task as an agency would plan and run it."""

    task_id: str
    name: str
    lead: str
    items: tuple[str, ...]
    # group -> number drawn, or (A, B, C, D) numbers for a stratified draw
    draws: dict[str, int | tuple[int, ...]]
    start: str
    end: str
    ratio: str = ""
    scope: str = ""
    joint: tuple[str, ...] = ()
    selection: str = "双随机抽查"
    plan_document: str = ""
    # rolling: published a few days after each visit; batch: after the task ends;
    # late: after the 20-working-day limit; pending: the last visits not yet published
    pub: str = "rolling"
    in_plan: bool = True
    versions: tuple[int, ...] | None = None
    plan_changes: dict[int, dict[str, str]] = field(default_factory=dict)
    # (source task, group, n): re-inspect the first n enterprises of that task
    recheck: tuple[str, str, int] | None = None

    @property
    def year(self) -> int:
        return int(self.task_id[3:7])

    @property
    def stratified(self) -> bool:
        return any(isinstance(k, tuple) for k in self.draws.values())


CORE_GROUPS: dict[str, Group] = {
    "XD": Group("XD", (18, 11, 6, 3)),
    "DD": Group("DD", (12, 8, 4, 2)),
    "DB": Group("DB", (5, 2, 1, 1)),
    "ZL": Group("ZL", (4, 2, 1, 0)),
    "GEN1": Group("GEN", (890, 486, 178, 66)),
    "GEN2": Group("GEN", _tiers(980)),
    "GEN3": Group("GEN", _tiers(1800)),
    "FOOD": Group("FOOD", _tiers(560)),
    "BA": Group("BA", (8, 4, 2, 0)),
    "HOTEL": Group("HOTEL", _tiers(198)),
    "MEIRONG": Group("MEIRONG", _tiers(23)),
    "DLJZ": Group("DLJZ", _tiers(41)),
    "KJS": Group("KJS", (4, 2, 0, 0)),
    "CGDL": Group("CGDL", _tiers(18)),
    "CZGEN": Group("GEN", _tiers(1350)),
}

_JR_ALL = tuple(f"QH-JR-00{k}" for k in range(1, 9))


def _core_tasks() -> list[TaskSpec]:
    """The named tasks every sample contains, modelled on real 实施方案."""
    T = TaskSpec
    return [
        T("QH-2025-JR-01", "2025年地方金融组织随机抽查", "JR",
          ("QH-JR-001", "QH-JR-002", "QH-JR-003", "QH-JR-004", "QH-JR-006", "QH-JR-007",
           "QH-JR-008"),
          {"XD": (1, 1, 1, 1), "DD": (1, 1, 1, 0), "DB": (1, 0, 0, 1), "ZL": (1, 0, 0, 0)},
          "2025-04-01", "2025-09-30", "不低于3%", "本县" + _FIN, pub="batch"),
        T("QH-2025-LH-06", "2025年第六次跨部门联合抽查", "JR",
          ("QH-JR-003", "QH-JR-004", "QH-SJ-001", "QH-SJ-002"), {"XD": 3},
          "2025-05-06", "2025-08-29", "不低于5%", "本县小额贷款公司", joint=("SJ",)),
        T("QH-2025-SJ-01", "2025年企业登记事项和公示信息随机抽查", "SJ",
          ("QH-SJ-001", "QH-SJ-002"), {"GEN1": 80}, "2025-03-10", "2025-06-30", "3%",
          "本县登记的各类企业"),
        T("QH-2025-SJ-02", "2025年广告和价格行为随机抽查", "SJ", ("QH-SJ-003", "QH-SJ-004"),
          {"GEN2": 40}, "2025-05-12", "2025-09-30", "不低于3%", "本县从事商品零售和服务的企业"),
        T("QH-2025-SJ-03", "2025年食品销售者随机抽查", "SJ", ("QH-SJ-001", "QH-SJ-005"),
          {"FOOD": 32}, "2025-06-02", "2025-10-31", "5%", "本县食品销售者", pub="batch"),
        T("QH-2025-GA-01", "2025年保安服务公司随机抽查", "GA", ("QH-GA-002",), {"BA": 4},
          "2025-04-01", "2025-06-30", "≥20%", "在本县备案的保安服务公司", pub="batch"),
        T("QH-2025-GA-02", "2025年旅馆业治安管理随机抽查", "GA", ("QH-GA-003",), {"HOTEL": 20},
          "2025-07-01", "2025-09-30", "10%（20户）", "本县旅馆业经营单位", pub="late"),
        T("QH-2025-CZ-01", "2025年代理记账机构和会计师事务所随机抽查", "CZ",
          ("QH-CZ-002", "QH-CZ-003"), {"DLJZ": 6, "KJS": 2}, "2025-05-06", "2025-08-29", "10%",
          "在本县开展业务的代理记账机构、会计师事务所", pub="batch"),
        T("QH-2025-CZ-02", "2025年企业会计信息质量随机抽查", "CZ", ("QH-CZ-001",),
          {"CZGEN": 42}, "2025-08-01", "2025-11-28", "不低于3%", "本县执行企业会计准则的企业"),
        # 2026
        T("QH-2026-JR-01", "2026年融资担保公司、融资租赁公司随机抽查", "JR",
          ("QH-JR-001", "QH-JR-002", "QH-JR-003", "QH-JR-005", "QH-JR-007", "QH-JR-008"),
          {"DB": 2, "ZL": 1}, "2026-04-01", "2026-09-30", "不低于10%",
          "本县融资担保公司、融资租赁公司", plan_document="qh-2026-jr-01", pub="batch"),
        T("QH-2026-JR-02", "2026年典当行经营业务随机抽查", "JR", ("QH-JR-003", "QH-JR-006"),
          {"DD": 3}, "2026-09-01", "2026-11-20", "10%", "本县典当行", pub="batch",
          plan_changes={1: {"planned_start": "2026-05-06", "planned_end": "2026-08-31"}}),
        T("QH-2026-LH-10", "2026年第十次跨部门联合抽查", "JR",
          _JR_ALL[:6] + ("QH-SJ-001", "QH-SJ-002", "QH-SJ-003", "QH-GA-001"),
          {"XD": (1, 1, 1, 1), "DD": (0, 1, 1, 1)}, "2026-03-01", "2026-07-30", "不低于3%",
          "本县小额贷款公司、典当行", joint=("SJ", "GA"), plan_document="qh-2026-lh-10",
          versions=(2,)),
        T("QH-2026-JR-03", "2026年小额贷款公司定向抽查", "JR", ("QH-JR-004",), {"XD": 1},
          "2026-08-17", "2026-09-11", "",
          "第十次跨部门联合抽查中发现问题的小额贷款公司及被举报的小额贷款公司",
          selection="定向抽查", in_plan=False, pub="batch", recheck=("QH-2026-LH-10", "XD", 2)),
        T("QH-2026-SJ-01", "2026年企业登记事项和公示信息随机抽查", "SJ",
          ("QH-SJ-001", "QH-SJ-002"), {"GEN1": (38, 24, 12, 6)}, "2026-03-16", "2026-06-30",
          "3%", "本县登记的各类企业（按信用风险分类抽取）"),
        T("QH-2026-SJ-02", "2026年广告和价格行为随机抽查", "SJ", ("QH-SJ-003", "QH-SJ-004"),
          {"GEN2": 40}, "2026-05-11", "2026-09-30", "不低于3%", "本县从事商品零售和服务的企业"),
        T("QH-2026-SJ-03", "2026年食品销售者随机抽查", "SJ", ("QH-SJ-001", "QH-SJ-005"),
          {"FOOD": 32}, "2026-04-13", "2026-08-31", "5%", "本县食品销售者", pub="batch"),
        T("QH-2026-SJ-04", "2026年第二批企业公示信息随机抽查", "SJ", ("QH-SJ-002",),
          {"GEN3": 60}, "2026-09-01", "2026-11-30", "0.03", "本县登记的各类企业",
          pub="pending"),
        T("QH-2026-SJ-05", "2026年医疗美容广告专项检查", "SJ", ("QH-SJ-003",), {"MEIRONG": 6},
          "2026-06-01", "2026-06-30", "", "本县医疗美容机构", selection="专项检查",
          in_plan=False, pub="batch"),
        T("QH-2026-LH-04", "2026年保安服务公司跨部门联合抽查", "SJ",
          ("QH-SJ-001", "QH-SJ-002", "QH-GA-002"), {"BA": 4}, "2026-04-07", "2026-06-30",
          "≥20%", "在本县登记或备案的保安服务公司", joint=("GA",)),
        T("QH-2026-GA-01", "2026年旅馆业治安管理随机抽查", "GA", ("QH-GA-003",), {"HOTEL": 21},
          "2026-05-06", "2026-08-31", "10%（20户）", "本县旅馆业经营单位", pub="batch"),
        T("QH-2026-CZ-01", "2026年代理记账机构和会计师事务所随机抽查", "CZ",
          ("QH-CZ-002", "QH-CZ-003"), {"DLJZ": 6, "KJS": 2}, "2026-04-01", "2026-07-31", "10%",
          "在本县开展业务的代理记账机构、会计师事务所", plan_document="qh-2026-cz-01",
          pub="batch"),
        T("QH-2026-CZ-02", "2026年会计信息质量和政府采购代理机构随机抽查", "CZ",
          ("QH-CZ-001", "QH-CZ-004"), {"CZGEN": 42, "CGDL": 3}, "2026-06-01", "2026-10-30",
          "不低于3%", "本县执行企业会计准则的企业、政府采购代理机构"),
    ]  # fmt: skip


# (year, department) -> [(version, published_on, adjustment_note)]
PLAN_VERSIONS: dict[tuple[int, str], list[tuple[int, str, str]]] = {
    (2025, "JR"): [(1, "2025-02-10", "")],
    (2025, "SJ"): [(1, "2025-01-24", "")],
    (2025, "GA"): [(1, "2025-02-20", "")],
    (2025, "CZ"): [(1, "2025-03-05", "")],
    (2026, "JR"): [
        (1, "2026-01-20", ""),
        (2, "2026-02-25",
         "按照县政府统一部署，新增2026年第十次跨部门联合抽查任务；典当行经营业务随机抽查与联合抽查"
         "的检查对象重叠，实施时间调整至第三、四季度。"),
    ],
    (2026, "SJ"): [(1, "2026-01-22", "")],
    (2026, "GA"): [(1, "2026-02-12", "")],
    (2026, "CZ"): [(1, "2026-02-27", "")],
}  # fmt: skip

# Bulk task templates for large samples: (lead, joint, items, sector, name, weight)
_BULK = (
    ("SJ", (), ("QH-SJ-001", "QH-SJ-002"), "GEN", "企业登记事项和公示信息随机抽查", 0.40),
    ("SJ", (), ("QH-SJ-003", "QH-SJ-004"), "GEN", "广告和价格行为随机抽查", 0.15),
    ("SJ", (), ("QH-SJ-001", "QH-SJ-005"), "FOOD", "食品销售者随机抽查", 0.15),
    ("SJ", ("CZ",), ("QH-SJ-001", "QH-SJ-002", "QH-CZ-001"), "GEN",
     "企业登记、公示和会计信息跨部门联合抽查", 0.10),
    ("GA", (), ("QH-GA-003",), "HOTEL", "旅馆业治安管理随机抽查", 0.08),
    ("CZ", (), ("QH-CZ-001",), "GEN", "企业会计信息质量随机抽查", 0.12),
)  # fmt: skip
_SCOPE_NOUNS = {"GEN": "企业", "FOOD": "食品销售者", "HOTEL": "旅馆业经营单位"}
_BULK_RATIOS = (("不低于3%", 0.03), ("3%", 0.03), ("5%", 0.05), ("不低于5%", 0.05),
                ("≥5%", 0.05), ("0.05", 0.05), ("不低于10%", 0.10))  # fmt: skip


def _expected_rows(task: TaskSpec, groups: dict[str, Group]) -> float:
    items = [_ITEM_INDEX[i] for i in task.items]
    total = 0.0
    for g, k in task.draws.items():
        per_visit = max(APPLY[SECTOR_NAMES.index(groups[g].sector), items].sum(), 1.0)
        total += (sum(k) if isinstance(k, tuple) else k) * per_visit
    if task.recheck:
        total += task.recheck[2] * len(items)
    return total


def _scale(task: TaskSpec, f: float) -> TaskSpec:
    def s(k: int) -> int:
        # rounding up keeps the sampling ratio once populations shrink by the same f
        return max(1, int(np.ceil(k * f))) if k > 0 else 0

    draws = {
        g: tuple(s(x) for x in k) if isinstance(k, tuple) else s(k) for g, k in task.draws.items()
    }
    return TaskSpec(**{**task.__dict__, "draws": draws})


def _day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def _date_str(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, np.int64).astype("datetime64[D]"), unit="D")


def _bulk(rng: np.random.Generator, rows: float, groups: dict[str, Group]) -> list[TaskSpec]:
    """Pairs of tasks (one per year) on new 名录库 segments until ``rows`` are covered.

    Each segment is inspected once a year, so its enterprises recur across years
    but never twice in one year.
    """
    tasks: list[TaskSpec] = []
    weights = np.array([b[-1] for b in _BULK])
    seq: dict[tuple[int, str], int] = {}
    counters = np.zeros(len(_BULK), int)
    start_numbers = {"SJ": 10, "GA": 10, "CZ": 10, "LH": 20}
    unit = 0
    while rows > 0:
        t = int(rng.choice(len(_BULK), p=weights / weights.sum()))
        lead, joint, items, sector, title, _ = _BULK[t]
        counters[t] += 1
        town = W.TOWNS[int(rng.integers(len(W.TOWNS)))]
        k = int(np.exp(rng.uniform(np.log(30), np.log(3000))))
        per_visit = APPLY[SECTOR_NAMES.index(sector), [_ITEM_INDEX[i] for i in items]].sum()
        k = max(1, min(k, int(np.ceil(rows / (2 * per_visit)))))
        ks = np.maximum(1, np.round(k * rng.uniform(0.85, 1.15, size=2))).astype(int)
        ratio, r_min = _BULK_RATIOS[int(rng.integers(len(_BULK_RATIOS)))]
        # the smaller year's draw must still meet the ratio
        population = max(int(ks.min() / (r_min * rng.uniform(1.05, 1.8))), int(ks.max()))
        stratified = unit % 4 == 3
        tiers = _tiers(population)
        gname = f"BULK{unit}"
        groups[gname] = Group(sector, tiers)
        start = int(rng.integers(0, 150))
        length = int(rng.integers(30, 110))
        pub = str(rng.choice(["rolling", "batch", "late"], p=[0.6, 0.36, 0.04]))
        prefix = "LH" if joint else lead
        for year, k_year in zip(YEARS, ks, strict=True):
            seq[(year, prefix)] = seq.get((year, prefix), start_numbers[prefix]) + 1
            s = _day(f"{year}-03-01") + start
            e = min(s + length, _day(f"{year}-10-31"))
            draw: int | tuple[int, ...] = int(k_year)
            if stratified:
                share = np.array(tiers) * _TIER_RATES
                split = np.minimum(np.floor(k_year * share / share.sum()), tiers).astype(int)
                split[0] += k_year - split.sum()  # tier A is by far the largest
                draw = tuple(int(x) for x in split)
            tasks.append(
                TaskSpec(
                    task_id=f"QH-{year}-{prefix}-{seq[(year, prefix)]:02d}",
                    name=f"{year}年{town}{title}（第{counters[t]}批）",
                    lead=lead,
                    items=items,
                    draws={gname: draw},
                    start=str(_date_str(np.array([s]))[0]),
                    end=str(_date_str(np.array([e]))[0]),
                    ratio=ratio,
                    scope=f"{W.COUNTY}{town}辖区内的{_SCOPE_NOUNS[sector]}",
                    joint=joint,
                    pub=pub,
                )
            )
        rows -= float(ks.sum() * per_visit)
        unit += 1
    return tasks


def _shrink_groups(groups: dict[str, Group], tasks: list[TaskSpec], f: float) -> dict[str, Group]:
    """Scale populations with the draws, so small samples keep their sampling ratios."""
    need = {g: np.zeros((len(YEARS), 4), int) for g in groups}
    total = {g: np.zeros(len(YEARS), int) for g in groups}
    for t in tasks:
        y = YEARS.index(t.year)
        for g, k in t.draws.items():
            if isinstance(k, tuple):
                need[g][y] += np.array(k)
            total[g][y] += sum(k) if isinstance(k, tuple) else k
    out = {}
    for g, grp in groups.items():
        tiers = np.maximum(np.floor(np.array(grp.tiers) * f).astype(int), need[g].max(axis=0))
        tiers[0] += max(0, int(total[g].max()) - int(tiers.sum()))
        out[g] = Group(grp.sector, tuple(int(x) for x in tiers))  # type: ignore[arg-type]
    return out


def _task_list(rng: np.random.Generator, results: int) -> tuple[list[TaskSpec], dict[str, Group]]:
    """Core tasks scaled to ``results``, plus bulk tasks when more rows are asked for."""
    groups = dict(CORE_GROUPS)
    core = _core_tasks()
    expected = sum(_expected_rows(t, groups) for t in core)
    f = min(1.0, results / expected)
    if f < 1.0:
        core = [_scale(t, f) for t in core]
        groups = _shrink_groups(groups, core, f)
    remaining = results - expected * f
    bulk = _bulk(rng, remaining, groups) if remaining >= max(100.0, 0.02 * results) else []
    return core + bulk, groups


# ---------------------------------------------------------------- drawing


def _draw(
    rng: np.random.Generator, tasks: list[TaskSpec], groups: dict[str, Group]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw each task's enterprises, as the 名录库 platform would; one row per visit.

    Within a year a group is drawn without replacement across all its tasks, so
    the same enterprise is never randomly inspected twice in one year. A few of
    last year's enterprises are put first in next year's order, so enterprise
    pages show inspections in several years even in the small sample.
    """
    gnames = list(groups)
    task_no = {t.task_id: n for n, t in enumerate(tasks)}
    picks: dict[int, list[tuple[int, np.ndarray]]] = {}
    previous: dict[str, np.ndarray] = {}
    for year in YEARS:
        year_tasks = [t for t in tasks if t.year == year]
        order: dict[str, np.ndarray] = {}
        used: dict[str, np.ndarray] = {}
        drawn: dict[str, list[np.ndarray]] = {}
        for g in gnames:
            if not any(g in t.draws for t in year_tasks):
                continue
            perm = rng.permutation(groups[g].population)
            prev = previous.get(g)
            if prev is not None and prev.size:
                carry = rng.choice(prev, size=max(1, round(0.05 * prev.size)), replace=False)
                perm = np.concatenate([carry, perm[~np.isin(perm, carry)]])
            order[g] = perm
            used[g] = np.zeros(groups[g].population, bool)
            drawn[g] = []
        # stratified tasks draw first, so an earlier unstratified task on the same
        # group cannot exhaust a tier they need
        for t in sorted(year_tasks, key=lambda t: not t.stratified):
            n = task_no[t.task_id]
            picks[n] = []
            if t.recheck:
                src, g, k = t.recheck
                src_idx = [idx for gi, idx in picks[task_no[src]] if gi == gnames.index(g)]
                picks[n].append((gnames.index(g), np.concatenate(src_idx)[:k]))
            for g, k in t.draws.items():
                perm = order[g]
                free = perm[~used[g][perm]]
                if isinstance(k, tuple):
                    tier = np.searchsorted(np.cumsum(groups[g].tiers), free, side="right")
                    pick = np.concatenate([free[tier == j][: k[j]] for j in range(4)])
                else:
                    pick = free[:k]
                used[g][pick] = True
                drawn[g].append(pick)
                picks[n].append((gnames.index(g), pick))
        previous = {g: np.concatenate(v) for g, v in drawn.items() if v}
    vt, vg, vi = [], [], []
    for n in range(len(tasks)):
        for gi, idx in picks[n]:
            vt.append(np.full(idx.size, n))
            vg.append(np.full(idx.size, gi))
            vi.append(idx)
    return (
        np.concatenate(vt).astype(np.int64),
        np.concatenate(vg).astype(np.int64),
        np.concatenate(vi).astype(np.int64),
    )


# ---------------------------------------------------------------- naming


@dataclass
class Enterprises:
    sector: np.ndarray
    tier: np.ndarray
    uscc: np.ndarray
    name: np.ndarray
    new_name: np.ndarray  # name in the later year; differs for a few renamed ones


def _name_parts(sector: Sector) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    pre = np.array([b[0].split("{}")[0] for b in sector.buckets])
    post = np.array([b[0].split("{}")[1] for b in sector.buckets])
    region = np.array([b[1] for b in sector.buckets])
    kinds = np.array([s[1] for s in sector.suffixes])
    return pre, post, region, kinds


def _enterprises(
    rng: np.random.Generator, sectors: np.ndarray, tiers: np.ndarray, both_years: np.ndarray
) -> Enterprises:
    """Names, codes and risk tiers of the drawn enterprises.

    Names are unique: within each (区划 pattern, industry + form) cell the 字号 are
    drawn without replacement. ``both_years`` marks enterprises inspected in both
    years; a few of them get a new 字号 in the later year (a registered name change).
    """
    n = sectors.size
    name = np.empty(n, dtype=object)
    region = np.empty(n, dtype="U6")
    kind = np.empty(n, dtype="U2")
    parts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for s_no, s_name in enumerate(SECTOR_NAMES):
        ids = np.flatnonzero(sectors == s_no)
        if ids.size == 0:
            continue
        spec = SECTORS[s_name]
        pre, post, regions, kinds = _name_parts(spec)
        bw = np.array([b[2] for b in spec.buckets])
        sw = np.array([x[2] for x in spec.suffixes])
        b = rng.choice(bw.size, size=ids.size, p=bw / bw.sum())
        s = rng.choice(sw.size, size=ids.size, p=sw / sw.sum())
        cell = b * sw.size + s
        order = np.argsort(cell, kind="stable")
        _, starts, counts = np.unique(cell[order], return_index=True, return_counts=True)
        z = np.empty(ids.size, np.int64)
        for start, count in zip(starts, counts, strict=True):
            z[order[start : start + count]] = rng.choice(
                len(W.zihao(int(count))), size=int(count), replace=False
            )
        zihao = np.array(W.zihao(int(counts.max())))
        suffix = np.array([x[0] for x in spec.suffixes])
        name[ids] = _join(pre[b], zihao[z], post[b], suffix[s])
        region[ids] = regions[b]
        kind[ids] = kinds[s]
        parts[s_no] = (b, s, z)
    uscc = make_uscc(rng, n, region=region, kind=kind)
    new_name = name.copy()
    candidates = np.flatnonzero(both_years)
    if candidates.size:
        m = min(candidates.size, max(2, candidates.size // 300))
        chosen = np.sort(rng.choice(candidates, size=m, replace=False))
        renamed = _renames(rng, chosen, sectors, parts)
        ok = ~np.isin(renamed, name) & ~pd.Series(renamed).duplicated(keep=False).to_numpy()
        new_name[chosen[ok]] = renamed[ok]
    return Enterprises(sectors, tiers, uscc, name, new_name)


def _join(*columns: np.ndarray) -> np.ndarray:
    out = pd.Series(columns[0], dtype=object)
    for col in columns[1:]:
        out = out + pd.Series(col, dtype=object)
    return out.to_numpy(dtype=object)


def _renames(
    rng: np.random.Generator,
    chosen: np.ndarray,
    sectors: np.ndarray,
    parts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> np.ndarray:
    out = np.empty(chosen.size, dtype=object)
    two = np.array(W.zihao())
    for s_no in np.unique(sectors[chosen]):
        ids_all = np.flatnonzero(sectors == s_no)
        sel = sectors[chosen] == s_no
        pos = np.searchsorted(ids_all, chosen[sel])
        b, s, _ = parts[int(s_no)]
        spec = SECTORS[SECTOR_NAMES[int(s_no)]]
        pre, post, _, _ = _name_parts(spec)
        suffix = np.array([x[0] for x in spec.suffixes])
        z = rng.integers(0, two.size, size=pos.size)
        out[sel] = _join(pre[b[pos]], two[z], post[b[pos]], suffix[s[pos]])
    return out


# ---------------------------------------------------------------- results

WORDS = (
    "未发现问题",
    "发现问题已责令改正",
    "发现问题待后续处理",
    "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况、弄虚作假",
    "通过登记的住所（经营场所）无法联系",
    "不配合检查情节严重",
    "未发现开展本次抽查涉及的经营活动",
    "已关闭停业或正在组织清算",
    "已注销",
    "被吊销",
    "被撤销",
    "迁出",
)
(OK, FIXED, PENDING, UNDISCLOSED, FALSE_INFO, UNREACHABLE, REFUSED, NO_ACTIVITY, CLOSED,
 CANCELLED, REVOKED_LICENCE, REVOKED, MOVED) = range(len(WORDS))  # fmt: skip
PROBLEM_WORDS = (FIXED, PENDING, UNDISCLOSED, FALSE_INFO, UNREACHABLE, REFUSED)
# words that describe the enterprise, not one item: every item of the visit gets them
VISIT_WORDS = (UNREACHABLE, REFUSED, CLOSED, CANCELLED, REVOKED_LICENCE, REVOKED, MOVED)
TERMINAL_WORDS = (CANCELLED, REVOKED_LICENCE, REVOKED, MOVED)
_NONE = -1
_VISIT_P = ((_NONE, 0.941), (UNREACHABLE, 0.02), (CLOSED, 0.012), (CANCELLED, 0.008),
            (MOVED, 0.005), (REVOKED_LICENCE, 0.005), (REVOKED, 0.004), (REFUSED, 0.005))
# 公示信息检查 rows and all other rows
_ROW_P_DISCLOSURE = ((OK, 0.80), (UNDISCLOSED, 0.09), (FALSE_INFO, 0.02), (FIXED, 0.05),
                     (PENDING, 0.02), (NO_ACTIVITY, 0.02))
_ROW_P_OTHER = ((OK, 0.80), (FIXED, 0.09), (PENDING, 0.05), (NO_ACTIVITY, 0.06))

_NOTES = {
    FIXED: ("检查中发现的问题已当场责令改正", 0.3),
    PENDING: ("问题线索已登记，待进一步核查处理", 0.5),
    UNDISCLOSED: ("未按期公示年度报告", 0.3),
    FALSE_INFO: ("年度报告所填从业人数、资产状况与实际不符", 0.5),
    UNREACHABLE: ("经实地核查，登记住所无该主体经营", 0.6),
    REFUSED: ("拒不提供检查所需材料", 0.6),
    NO_ACTIVITY: ("检查期间未开展相关业务", 0.3),
    CLOSED: ("经营场所已关闭", 0.4),
    CANCELLED: ("检查前已办理注销登记", 0.5),
    MOVED: ("已迁出本县", 0.5),
    REVOKED_LICENCE: ("营业执照已被吊销", 0.4),
    REVOKED: ("登记已被撤销", 0.4),
}  # fmt: skip

# Platforms and years word results differently; each (year, department) export
# keeps its own wording so the portal's synonym folding is exercised.
_STYLES: dict[tuple[int, str], dict[int, str]] = {
    (2025, "GA"): {OK: "正常"},
    (2025, "CZ"): {OK: "合格", CANCELLED: "注销"},
    (2025, "SJ"): {FIXED: "发现问题经责令已改正", UNREACHABLE: "通过登记的住所无法联系"},
    (2026, "SJ"): {UNREACHABLE: "住所无法联系"},
}

# follow-up action by result word: (action, weight)
_ACTIONS: dict[int, tuple[tuple[str, float], ...]] = {
    FIXED: (("责令改正", 1.0),),
    PENDING: (("立案查处", 0.35), ("责令改正", 0.3), ("移交有关部门", 0.2),
              ("移送公安机关", 0.05), ("其他", 0.1)),
    UNDISCLOSED: (("列入经营异常名录", 0.6), ("责令改正", 0.4)),
    FALSE_INFO: (("列入经营异常名录", 0.5), ("立案查处", 0.5)),
    UNREACHABLE: (("列入经营异常名录", 1.0),),
    REFUSED: (("立案查处", 0.5), ("列入经营异常名录", 0.3), ("其他", 0.2)),
}  # fmt: skip


def _pick(rng: np.random.Generator, table: tuple[tuple[int, float], ...], n: int) -> np.ndarray:
    words = np.array([w for w, _ in table])
    p = np.array([q for _, q in table])
    return words[rng.choice(words.size, size=n, p=p / p.sum())]


@dataclass
class Results:
    task: np.ndarray  # per row
    entity: np.ndarray
    item: np.ndarray
    visit: np.ndarray
    word: np.ndarray
    visit_entity: np.ndarray  # per visit
    inspected: np.ndarray
    published: np.ndarray  # per visit, -1 = not yet published


def _rows(
    rng: np.random.Generator, tasks: list[TaskSpec], visit_task: np.ndarray,
    visit_entity: np.ndarray, ent: Enterprises,
) -> tuple[np.ndarray, np.ndarray]:
    """Items checked at each visit: all that apply to the enterprise's sector."""
    bounds = np.searchsorted(visit_task, np.arange(len(tasks) + 1))
    row_visit: list[np.ndarray] = []
    row_item: list[np.ndarray] = []
    for n, t in enumerate(tasks):
        a, b = bounds[n], bounds[n + 1]
        if a == b:
            continue
        items = np.array([_ITEM_INDEX[i] for i in t.items])
        p = APPLY[ent.sector[visit_entity[a:b]]][:, items]
        if (p.max(axis=1) == 0).any():
            raise AssertionError(f"{t.task_id}: an enterprise has no applicable item")
        keep = rng.random(p.shape) < p
        none = np.flatnonzero(~keep.any(axis=1))
        keep[none, np.argmax(p[none] > 0, axis=1)] = True
        vi, ii = np.nonzero(keep)
        row_visit.append(a + vi)
        row_item.append(items[ii])
    return np.concatenate(row_visit), np.concatenate(row_item)


def _exactly(rng: np.random.Generator, results: int, row_visit: np.ndarray, row_item: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """No more than ``results`` rows: the draw gives a few more at most sizes (visits
    check several items), so items beyond the first of some visits are left unchecked;
    every visit keeps one. A benchmark asking for a million rows gets a million. A
    generator of its own (``rng``) leaves every other draw as it was. The smallest
    sizes (under about a thousand) can come out a few rows short."""
    extra = len(row_visit) - results
    if extra <= 0:
        return row_visit, row_item
    later = np.flatnonzero(np.r_[False, row_visit[1:] == row_visit[:-1]])
    if len(later) < extra:  # the fewest visits the tasks need: as few rows as can be
        keep = np.zeros(len(row_visit), dtype=bool)
        keep[np.r_[True, row_visit[1:] != row_visit[:-1]]] = True
        return row_visit[keep], row_item[keep]
    keep = np.ones(len(row_visit), dtype=bool)
    keep[rng.choice(later, size=extra, replace=False)] = False
    return row_visit[keep], row_item[keep]


def _visit_dates(
    rng: np.random.Generator, tasks: list[TaskSpec], visit_task: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    start = np.array([_day(t.start) for t in tasks])[visit_task]
    end = np.array([_day(t.end) for t in tasks])[visit_task]
    n = visit_task.size
    day = start + np.floor(rng.random(n) * (end - start + 1)).astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day = np.clip(day - (weekday == 5) + (weekday == 6), start, end)
    modes = np.array([t.pub for t in tasks])[visit_task]
    task_lag = rng.integers(3, 16, size=len(tasks))[visit_task]
    task_late = rng.integers(32, 61, size=len(tasks))[visit_task]
    jitter = rng.integers(0, 4, size=n)
    pub = day + rng.integers(2, 13, size=n)
    pub = np.where(modes == "batch", end + task_lag + jitter, pub)
    pub = np.where(modes == "late", end + task_late + jitter, pub)
    pub = np.minimum(pub, _day(CUTOFF))
    pub = np.where((modes == "pending") & (day > end - 14), -1, pub)
    return day, pub


def _words(
    rng: np.random.Generator, tasks: list[TaskSpec], r: Results, ent: Enterprises
) -> np.ndarray:
    n_visits = r.inspected.size
    status = _pick(rng, _VISIT_P, n_visits)
    # an enterprise closed or gone in the first year is not in next year's 名录库
    year = np.array([t.year for t in tasks])
    visit_year = np.full(n_visits, -1)
    visit_year[r.visit] = year[r.task]
    visit_ent = np.full(n_visits, -1)
    visit_ent[r.visit] = r.entity
    later = np.zeros(ent.sector.size, bool)
    later[visit_ent[visit_year == YEARS[-1]]] = True
    status[np.isin(status, TERMINAL_WORDS) & later[visit_ent] & (visit_year == YEARS[0])] = _NONE
    disclosure = r.item == _ITEM_INDEX["QH-SJ-002"]
    word = np.where(
        disclosure,
        _pick(rng, _ROW_P_DISCLOSURE, r.item.size),
        _pick(rng, _ROW_P_OTHER, r.item.size),
    )
    # the directed re-check follows problems found in the joint task
    task_no = {t.task_id: n for n, t in enumerate(tasks)}
    for n, t in enumerate(tasks):
        if not t.recheck:
            continue
        src = task_no[t.recheck[0]]
        mine_visits = np.unique(r.visit[r.task == n])[: t.recheck[2]]
        rechecked = r.visit_entity[mine_visits]
        in_src = (r.task == src) & np.isin(r.entity, rechecked)
        status[np.unique(r.visit[in_src])] = _NONE
        items = [_ITEM_INDEX[i] for i in t.items]
        word[in_src & np.isin(r.item, items)] = PENDING
        mine = r.task == n
        word[mine & (r.entity == rechecked[0])] = FIXED
        if rechecked.size > 1:
            word[mine & (r.entity == rechecked[1])] = OK
    word = np.where(status[r.visit] != _NONE, status[r.visit], word)
    _ensure_all_words(rng, word, r, tasks)
    return word


def _ensure_all_words(
    rng: np.random.Generator, word: np.ndarray, r: Results, tasks: list[TaskSpec]
) -> None:
    """Small samples must still show every word of the vocabulary at least once."""
    counts = np.bincount(word, minlength=len(WORDS))
    special = np.array([bool(t.recheck) or t.pub == "pending" for t in tasks])
    rows_per_visit = np.bincount(r.visit, minlength=r.inspected.size)
    for w in np.flatnonzero(counts == 0):
        base = (word == OK) & ~special[r.task]
        if w in (UNDISCLOSED, FALSE_INFO):
            base &= r.item == _ITEM_INDEX["QH-SJ-002"]
        elif w in VISIT_WORDS:
            clean = np.bincount(r.visit, weights=base, minlength=r.inspected.size)
            base &= clean[r.visit] == rows_per_visit[r.visit]
        candidates = np.flatnonzero(base)
        if candidates.size == 0:
            continue
        row = candidates[rng.integers(candidates.size)]
        if w in VISIT_WORDS:
            word[r.visit == r.visit[row]] = w
        else:
            word[row] = w


def _result_text(
    rng: np.random.Generator, tasks: list[TaskSpec], r: Results
) -> tuple[np.ndarray, np.ndarray]:
    """Result and note text: canonical words, export-specific synonyms, a few pairs."""
    text = np.array(WORDS, dtype=object)[r.word]
    year = np.array([t.year for t in tasks])[r.task]
    dept = _ITEM_DEPT[r.item]
    for (y, d), style in _STYLES.items():
        here = (year == y) & (dept == DEPT_CODES.index(d))
        for w, synonym in style.items():
            text[here & (r.word == w)] = synonym
    u = rng.random(r.word.size)
    last = year == YEARS[-1]
    disclosure = r.item == _ITEM_INDEX["QH-SJ-002"]
    text[last & disclosure & (r.word == OK) & (u < 0.05)] = "正常（符合信息公示相关规定）"
    jr = dept == DEPT_CODES.index("JR")
    text[last & jr & (r.word == OK) & (u < 0.08)] = "未发现违法违规行为"
    pairs = np.flatnonzero(disclosure & (r.word == UNDISCLOSED))
    if pairs.size:
        chosen = pairs[u[pairs] < 0.15]
        chosen = chosen if chosen.size else pairs[:1]
        text[chosen] = text[chosen] + "；发现问题已责令改正"
    note = np.full(r.word.size, "", dtype=object)
    v = rng.random(r.word.size)
    for w, (words, p) in _NOTES.items():
        note[(r.word == w) & (v < p)] = words
    for n, t in enumerate(tasks):
        if t.recheck:
            mine = np.flatnonzero(r.task == n)
            first = r.visit_entity[np.unique(r.visit[mine])[: t.recheck[2]]]
            rechecked = np.isin(r.entity[mine], first)
            note[mine] = np.where(rechecked, "对跨部门联合抽查发现问题的复查", "根据举报线索开展检查")
    return text, note


def _dispositions(
    rng: np.random.Generator, tasks: list[TaskSpec], r: Results
) -> pd.DataFrame:
    """Follow-up for most (visit, department) pairs where a problem was found."""
    problem = np.flatnonzero(np.isin(r.word, PROBLEM_WORDS))
    dept = _ITEM_DEPT[r.item[problem]]
    first = ~pd.DataFrame({"v": r.visit[problem], "d": dept}).duplicated().to_numpy()
    rows = problem[first]
    dept = dept[first]
    word = r.word[rows]
    keep = rng.random(rows.size) < np.where(word == PENDING, 0.6, 0.85)
    rows, dept, word = rows[keep], dept[keep], word[keep]
    action = np.empty(rows.size, dtype=object)
    for w, table in _ACTIONS.items():
        sel = np.flatnonzero(word == w)
        names = np.array([a for a, _ in table], dtype=object)
        p = np.array([q for _, q in table])
        action[sel] = names[rng.choice(names.size, size=sel.size, p=p / p.sum())]
    not_sj = dept != DEPT_CODES.index("SJ")
    action[not_sj & (action == "列入经营异常名录")] = "移交有关部门"
    action[(dept == DEPT_CODES.index("GA")) & (action == "移送公安机关")] = "立案查处"
    outcome = np.empty(rows.size, dtype=object)
    u = rng.random(rows.size)
    for a, texts in W.OUTCOMES.items():
        sel = action == a
        outcome[sel] = np.array(texts, dtype=object)[(u[sel] * len(texts)).astype(int)]
    fined = outcome == "已立案调查，依法处以罚款"
    fines = np.array([f"{f}元" for f in W.FINES], dtype=object)
    outcome[fined] = outcome[fined] + fines[rng.integers(0, fines.size, size=int(fined.sum()))]
    inspected = r.inspected[r.visit[rows]]
    decided = inspected + rng.integers(1, 16, size=rows.size)
    late = rng.random(rows.size) < 0.06
    recorded = decided + np.where(
        late, rng.integers(35, 61, size=rows.size), rng.integers(0, 15, size=rows.size)
    )
    # decisions after November would have their 20-working-day deadline in a year the
    # packaged holiday schedule may not cover yet; they count as not yet exported
    valid = decided <= _day(LAST_DECISION)
    recorded = np.minimum(recorded, _day(CUTOFF))
    task_ids = np.array([t.task_id for t in tasks], dtype=object)
    frame = pd.DataFrame(
        {
            "task_id": task_ids[r.task[rows]],
            "uscc": r.entity[rows],  # replaced by the code in the caller
            "department": np.array(list(DEPARTMENTS.values()), dtype=object)[dept],
            "action": action,
            "outcome": outcome,
            "decided_on": _date_str(decided),
            "recorded_on": _date_str(recorded),
        }
    )[valid]
    return frame.drop_duplicates(["task_id", "uscc", "action", "decided_on"])


# ---------------------------------------------------------------- inspectors

# The 执法检查人员名录库 of each department: how many hold a certificate, and the categories
# written on it. The seed documents speak of a bureau with four certificate holders; the
# larger 市场监管局 has more. Certificate numbers carry letters (QHSJ-0003): a long run of
# digits would read as a telephone or ID number to the personal-data scan.
INSPECTOR_POOLS: dict[str, tuple[int, str]] = {
    "JR": (4, "地方金融监管"),
    "SJ": (12, "市场监管综合执法；食品安全；特种设备安全"),
    "GA": (6, "治安管理"),
    "CZ": (4, "财政监督；会计监督"),
}
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林"
_GIVEN = ("立新", "敏", "海峰", "静", "建华", "晓燕", "志强", "丽娜", "国庆", "雪梅", "永军",
          "春华", "文博", "秀英", "振宇", "淑芬", "宏伟", "玉兰", "子涵", "明辉")
# the gaps a real register has, so the dashboard has something to show: one certificate of
# 市场监管局 ran out mid-2026 and was still named afterwards; 公安局 recorded no inspectors
# on its 2025 results; a few inspections name a single inspector
EXPIRED = ("SJ", 0, "2026-06-30")
UNRECORDED = ("GA", 2025)
SINGLE_SHARE = 0.02


def _inspector_table(seed: int) -> tuple[dict[str, list], dict[str, np.ndarray]]:
    """The inspectors table and each department's certificate numbers (drawn from an rng of
    their own, so the other tables do not change with the register)."""
    rng = np.random.default_rng([seed, 23])
    table: dict[str, list] = {f: [] for f in ("certificate", "name", "department", "categories",
                                              "valid_from", "valid_to", "status")}
    pools = {}
    for code, (size, categories) in INSPECTOR_POOLS.items():
        certificates = np.array([f"QH{code}-{k + 1:04d}" for k in range(size)], dtype=object)
        pools[code] = certificates
        for k, certificate in enumerate(certificates):
            start = int(rng.integers(2021, 2025))
            table["certificate"].append(certificate)
            table["name"].append(_SURNAMES[int(rng.integers(len(_SURNAMES)))]
                                 + _GIVEN[int(rng.integers(len(_GIVEN)))])
            table["department"].append(DEPARTMENTS[code])
            table["categories"].append(categories)
            table["valid_from"].append(f"{start}-0{int(rng.integers(1, 10))}-01")
            expired = (code, k) == EXPIRED[:2]
            table["valid_to"].append(EXPIRED[2] if expired else f"{start + 5}-12-31")
            table["status"].append("注销" if expired else "有效")
    return table, pools


def _teams(seed: int, visit: np.ndarray, dept: np.ndarray, year: np.ndarray,
           pools: dict[str, np.ndarray]) -> np.ndarray:
    """The 检查人员 of every result row: two inspectors of the row's department per visit
    (the same two on each of its rows; a joint visit's departments each send their own),
    with the gaps of :data:`UNRECORDED` and :data:`SINGLE_SHARE`."""
    rng = np.random.default_rng([seed, 24])
    key = visit.astype(np.int64) * len(DEPT_CODES) + dept
    pairs, row_pair = np.unique(key, return_inverse=True)
    pair_dept = pairs % len(DEPT_CODES)
    sizes = np.array([len(pools[c]) for c in DEPT_CODES])[pair_dept]
    first = rng.integers(0, 1 << 30, pairs.size) % sizes
    second = (first + 1 + rng.integers(0, 1 << 30, pairs.size) % (sizes - 1)) % sizes
    single = rng.random(pairs.size) < SINGLE_SHARE
    names = np.empty(pairs.size, dtype=object)
    for d, code in enumerate(DEPT_CODES):
        sel = pair_dept == d
        pool = pools[code]
        a, b = pool[first[sel]], pool[second[sel]]
        names[sel] = np.where(single[sel], a, a + "；" + b)
    out = names[row_pair]
    out[(dept == DEPT_CODES.index(UNRECORDED[0])) & (year == UNRECORDED[1])] = ""
    return out


# ---------------------------------------------------------------- 检查对象名录库

# The lead departments' directories: the object type each group of the draws is counted
# as. 市场监管局 and the county office count by credit-risk tier, 公安局 and 财政局 only the
# whole (both forms occur). GEN1 and GEN3 are one directory, 企业, recounted mid-2026 when
# it had grown (the second batch of SJ-04 was drawn from the new count).
DIRECTORY_TYPES: dict[str, str] = {
    "XD": "小额贷款公司", "DD": "典当行", "DB": "融资担保公司", "ZL": "融资租赁公司",
    "GEN1": "企业", "GEN2": "零售和服务业企业", "GEN3": "企业", "FOOD": "食品销售者",
    "MEIRONG": "医疗美容机构", "BA": "保安服务公司", "HOTEL": "旅馆",
    "DLJZ": "代理记账机构", "KJS": "会计师事务所", "CGDL": "政府采购代理机构",
    "CZGEN": "执行企业会计准则的企业",
}  # fmt: skip
DIRECTORY_BY_TIER = ("JR", "SJ")
DIRECTORY_DATES: dict[str, tuple[str, ...]] = {"GEN3": ("2026-07-01",)}
DEFAULT_DIRECTORY_DATES = tuple(f"{y}-01-01" for y in YEARS)
# the gaps of a real directory: seven hotels opened in 2025 were counted at the start of 2026,
# but 公安局's 2026 task still gives last year's 198 (W309 on the task); 市场监管局 re-rated
# its enterprises at the start of 2026, two moving from tier C to D, after the stratified
# SJ-01 had taken its tiers from the old list (W309 on two strata)
NEW_HOTELS = ("GA", "HOTEL", "2026-01-01", 7)
RERATED = ("SJ", "GEN1", "2026-01-01", 2)


def _object_type(t: TaskSpec) -> str:
    """A task's 对象类型: the directory of its one group (tasks drawn from several types, and
    the directed re-check of a list of its own, name none)."""
    if t.recheck or len(t.draws) != 1:
        return ""
    return DIRECTORY_TYPES.get(next(iter(t.draws)), "")


def _population_table(tasks: list[TaskSpec], groups: dict[str, Group]) -> dict[str, list]:
    """The 检查对象名录库 counts of every lead department, by type (and tier where counted so)
    and date, as the groups the tasks drew from hold them (no rng: the other tables stay as
    they were), with the gaps of :data:`NEW_HOTELS` and :data:`RERATED`."""
    out: dict[str, list] = {f: [] for f in ("department", "object_type", "risk_tier", "count",
                                            "as_of")}
    pairs = sorted({(t.lead, g) for t in tasks if not t.recheck for g in t.draws
                    if g in DIRECTORY_TYPES})
    rows: list[tuple[int, str, str, str, int]] = []
    for dept, g in pairs:
        for as_of in DIRECTORY_DATES.get(g, DEFAULT_DIRECTORY_DATES):
            tiers = list(groups[g].tiers)
            if (dept, g, as_of) == NEW_HOTELS[:3]:
                tiers[0] += NEW_HOTELS[3]
            if (dept, g, as_of) == RERATED[:3]:
                moved = min(RERATED[3], tiers[2])
                tiers[2], tiers[3] = tiers[2] - moved, tiers[3] + moved
            counted = [(TIERS[j], n) for j, n in enumerate(tiers) if n] \
                if dept in DIRECTORY_BY_TIER else [("", sum(tiers))]
            rows += [(DEPT_CODES.index(dept), DIRECTORY_TYPES[g], as_of, tier, int(n))
                     for tier, n in counted]
    # each department's types, each with its counts oldest first, as a directory lists them
    for dept, object_type, as_of, tier, n in sorted(rows):
        out["department"].append(DEPARTMENTS[DEPT_CODES[dept]])
        out["object_type"].append(object_type)
        out["risk_tier"].append(tier)
        out["count"].append(n)
        out["as_of"].append(as_of)
    return out


# ---------------------------------------------------------------- joint visits

# 进一次门、查多项事, with the gap a real joint task has: for one enterprise of the 保安服务公司
# joint task, 公安局 could not come on the day and inspected its item three days earlier on
# its own, so that enterprise had two visits instead of one
SEPARATE_VISIT = ("QH-2026-LH-04", "GA", 3)


def _row_days(tasks: list[TaskSpec], r: Results) -> np.ndarray:
    """Each result row's inspection day: its visit's, except the rows of
    :data:`SEPARATE_VISIT` (of the task's latest visit with that department and another)."""
    day = r.inspected[r.visit].copy()
    task_id, code, back = SEPARATE_VISIT
    number = next((n for n, t in enumerate(tasks) if t.task_id == task_id), None)
    if number is None:
        return day
    dept = _ITEM_DEPT[r.item]
    mine = r.task == number
    own = np.bincount(r.visit[mine & (dept == DEPT_CODES.index(code))],
                      minlength=r.inspected.size) > 0
    other = np.bincount(r.visit[mine & (dept != DEPT_CODES.index(code))],
                        minlength=r.inspected.size) > 0
    both = np.flatnonzero(own & other)
    if not both.size:
        return day
    visit = both[np.argmax(r.inspected[both])]
    earlier = int(r.inspected[visit]) - back
    weekday = (earlier + 3) % 7  # Monday = 0
    earlier -= int(weekday == 5) + 2 * int(weekday == 6)  # the Friday before a weekend
    if earlier >= _day(tasks[number].start):
        day[(r.visit == visit) & (dept == DEPT_CODES.index(code))] = earlier
    return day


# ---------------------------------------------------------------- output


def _frame(table: str, data: dict[str, object]) -> pd.DataFrame:
    fields = load_contract()[table].fields
    frame = pd.DataFrame({f.name: data.get(f.name, "") for f in fields})
    return frame.rename(columns={f.name: f.title for f in fields})


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")


_RESULT_FILE = re.compile(r"^\d{4}-(jr|sj|ga|cz)\.csv$")


def write_sample_data(out: Path, results: int, seed: int = 2026) -> dict[str, int]:
    """Write a complete valid data folder (items.csv, plans.csv, tasks.csv, strata.csv,
    results/*.csv, dispositions.csv, departments.csv, inspectors.csv, population.csv) with
    about `results` result rows; return row counts per table.

    The data describe the fictitious county 青禾县 and are marked 示例数据 in
    ``data/README.md``; the same ``(results, seed)`` always gives the same bytes.
    """
    if results < 1:
        raise ValueError("results must be at least 1")
    out = Path(out)
    rng = np.random.default_rng(seed)
    tasks, groups = _task_list(rng, results)
    visit_task, visit_group, visit_index = _draw(rng, tasks, groups)

    # output order: tasks sorted by id, visits in draw order within a task
    by_id = sorted(range(len(tasks)), key=lambda n: _task_key(tasks[n]))
    rank = np.empty(len(tasks), np.int64)
    rank[by_id] = np.arange(len(tasks))
    order = np.lexsort((np.arange(visit_task.size), rank[visit_task]))
    sorted_tasks = [tasks[n] for n in by_id]
    visit_task = rank[visit_task[order]]
    visit_group, visit_index = visit_group[order], visit_index[order]

    keys = (visit_group << 32) | visit_index
    unique_keys, visit_entity = np.unique(keys, return_inverse=True)
    gnames = list(groups)
    ent_group = unique_keys >> 32
    ent_index = unique_keys & 0xFFFFFFFF
    ent_sector = np.array([SECTOR_NAMES.index(groups[g].sector) for g in gnames])[ent_group]
    ent_tier = np.empty(unique_keys.size, np.int64)
    for gi, g in enumerate(gnames):
        sel = ent_group == gi
        ent_tier[sel] = np.searchsorted(np.cumsum(groups[g].tiers), ent_index[sel], side="right")
    year = np.array([t.year for t in sorted_tasks])
    seen = np.zeros((unique_keys.size, len(YEARS)), bool)
    seen[visit_entity, year[visit_task] - YEARS[0]] = True
    ent = _enterprises(rng, ent_sector, ent_tier, seen.all(axis=1))

    row_visit, row_item = _rows(rng, sorted_tasks, visit_task, visit_entity, ent)
    row_visit, row_item = _exactly(np.random.default_rng([seed, results]), results, row_visit, row_item)
    inspected, published = _visit_dates(rng, sorted_tasks, visit_task)
    r = Results(
        task=visit_task[row_visit],
        entity=visit_entity[row_visit],
        item=row_item,
        visit=row_visit,
        word=np.empty(0, np.int64),
        visit_entity=visit_entity,
        inspected=inspected,
        published=published,
    )
    r.word = _words(rng, sorted_tasks, r, ent)
    text, note = _result_text(rng, sorted_tasks, r)
    disp = _dispositions(rng, sorted_tasks, r)
    disp["uscc"] = ent.uscc[disp["uscc"].to_numpy(dtype=np.int64)]

    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    counts: dict[str, int] = {}

    items = _frame("items", {k: [i[k] for i in ITEMS] for k in ITEMS[0]})
    _write(items, out / "items.csv")
    counts["items"] = len(items)

    population, sampled = _task_sizes(sorted_tasks, groups, visit_task)
    task_rows = {
        "task_id": [t.task_id for t in sorted_tasks],
        "name": [t.name for t in sorted_tasks],
        "plan_id": [f"QH-{t.year}-{t.lead}" if t.in_plan else "" for t in sorted_tasks],
        "task_type": [_task_type(t) for t in sorted_tasks],
        "selection": [t.selection for t in sorted_tasks],
        "lead_department": [DEPARTMENTS[t.lead] for t in sorted_tasks],
        "joint_departments": ["；".join(DEPARTMENTS[d] for d in t.joint) for t in sorted_tasks],
        "item_ids": ["；".join(t.items) for t in sorted_tasks],
        "scope": [t.scope for t in sorted_tasks],
        "object_type": [_object_type(t) for t in sorted_tasks],
        "population": population,
        "sampled": sampled,
        "start": [t.start for t in sorted_tasks],
        "end": [t.end for t in sorted_tasks],
        "plan_document": [t.plan_document for t in sorted_tasks],
    }
    _write(_frame("tasks", task_rows), out / "tasks.csv")
    counts["tasks"] = len(sorted_tasks)

    plans = _plans(tasks)
    _write(_frame("plans", plans), out / "plans.csv")
    counts["plans"] = len(plans["task_id"])

    strata = _strata(sorted_tasks, groups, visit_task, ent.tier[visit_entity])
    _write(_frame("strata", strata), out / "strata.csv")
    counts["strata"] = len(strata["task_id"])

    task_ids = np.array([t.task_id for t in sorted_tasks], dtype=object)
    row_year = year[r.task]
    later = row_year == YEARS[-1]
    published_text = np.where(
        r.published[r.visit] < 0, "", _date_str(np.maximum(r.published[r.visit], 0))
    )
    columns = {
        "task_id": task_ids[r.task],
        "uscc": ent.uscc[r.entity],
        "entity_name": np.where(later, ent.new_name[r.entity], ent.name[r.entity]),
        "inspecting_department": np.array(list(DEPARTMENTS.values()))[_ITEM_DEPT[r.item]],
        "item_id": np.array(ITEM_IDS)[r.item],
        "inspected_on": _date_str(_row_days(sorted_tasks, r)),
        "result": text,
        "published_on": published_text,
        "note": note,
    }
    inspector_rows, pools = _inspector_table(seed)
    columns["inspectors"] = _teams(seed, r.visit, _ITEM_DEPT[r.item], row_year, pools)
    results_frame = _frame("results", columns)
    file_key = row_year * 10 + _ITEM_DEPT[r.item]
    written = set()
    for key in np.unique(file_key):
        name = f"{key // 10}-{DEPT_CODES[key % 10].lower()}.csv"
        _write(results_frame[file_key == key], out / "results" / name)
        written.add(name)
    for stale in (out / "results").glob("*.csv"):
        if _RESULT_FILE.match(stale.name) and stale.name not in written:
            stale.unlink()
    counts["results"] = len(results_frame)

    _write(_frame("dispositions", {c: disp[c].to_numpy() for c in disp.columns}),
           out / "dispositions.csv")
    counts["dispositions"] = len(disp)

    # every department the other tables name, with its contact details (drawn from no rng:
    # adding the table changed no other file)
    codes = list(DEPARTMENTS)
    _write(_frame("departments", {
        "name": [DEPARTMENTS[c] for c in codes],
        "short_code": [DEPARTMENT_CONTACTS[c][0] for c in codes],
        "phone": [DEPARTMENT_CONTACTS[c][1] for c in codes],
        "address": [DEPARTMENT_CONTACTS[c][2] for c in codes],
        "website": [DEPARTMENT_CONTACTS[c][3] for c in codes],
    }), out / "departments.csv")
    counts["departments"] = len(codes)

    _write(_frame("inspectors", inspector_rows), out / "inspectors.csv")
    counts["inspectors"] = len(inspector_rows["certificate"])

    directory = _population_table(sorted_tasks, groups)
    _write(_frame("population", directory), out / "population.csv")
    counts["population"] = len(directory["count"])
    return counts


def _task_key(t: TaskSpec) -> tuple[int, str, int]:
    # QH-2026-SJ-9 before QH-2026-SJ-10
    _, year, prefix, number = t.task_id.split("-")
    return int(year), prefix, int(number)


def _task_type(t: TaskSpec) -> str:
    return "部门联合抽查" if t.joint else "本部门抽查"


def _task_sizes(
    tasks: list[TaskSpec], groups: dict[str, Group], visit_task: np.ndarray
) -> tuple[list[int], list[int]]:
    sampled = np.bincount(visit_task, minlength=len(tasks))
    population = []
    for t, k in zip(tasks, sampled, strict=True):
        if t.recheck:
            population.append(int(k))  # a directed check's list is its population
        else:
            population.append(sum(groups[g].population for g in t.draws))
    return population, [int(k) for k in sampled]


def _strata(
    tasks: list[TaskSpec], groups: dict[str, Group], visit_task: np.ndarray,
    visit_tier: np.ndarray,
) -> dict[str, list]:
    out: dict[str, list] = {"task_id": [], "risk_tier": [], "population": [], "sampled": []}
    for n, t in enumerate(tasks):
        if not t.stratified:
            continue
        pops = np.sum([groups[g].tiers for g in t.draws], axis=0)
        drawn = np.bincount(visit_tier[visit_task == n], minlength=4)
        for j, tier in enumerate(TIERS):
            if pops[j] == 0:
                continue
            out["task_id"].append(t.task_id)
            out["risk_tier"].append(tier)
            out["population"].append(int(pops[j]))
            out["sampled"].append(int(drawn[j]))
    return out


def _plans(tasks: list[TaskSpec]) -> dict[str, list]:
    """Every published version of every plan, each a full snapshot of its tasks."""
    fields = [f.name for f in load_contract()["plans"].fields]
    out: dict[str, list] = {f: [] for f in fields}
    for (year, dept), versions in PLAN_VERSIONS.items():
        members = sorted(
            (t for t in tasks if t.in_plan and t.year == year and t.lead == dept),
            key=_task_key,
        )
        for version, published, note in versions:
            for t in members:
                if t.versions is not None and version not in t.versions:
                    continue
                row = {
                    "plan_id": f"QH-{year}-{dept}",
                    "plan_name": f"{DEPARTMENTS[dept]}{year}年度双随机抽查工作计划",
                    "year": year,
                    "publisher": DEPARTMENTS[dept],
                    "version": version,
                    "published_on": published,
                    "adjustment_note": note,
                    "task_id": t.task_id,
                    "task_name": t.name,
                    "task_type": _task_type(t),
                    "lead_department": DEPARTMENTS[t.lead],
                    "joint_departments": "；".join(DEPARTMENTS[d] for d in t.joint),
                    "item_ids": "；".join(t.items),
                    "scope": t.scope,
                    "ratio": t.ratio,
                    "planned_start": t.start,
                    "planned_end": t.end,
                }
                row.update(t.plan_changes.get(version, {}))
                for f in fields:
                    out[f].append(row[f])
    return out
