"""Portal settings: defaults drawn from the source documents, overridable in pelicanconf.py.

Rules differ between provinces and departments, so every threshold and vocabulary
lives here as a setting rather than in the code that applies it.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

# category of each canonical result word: problem / no_problem / not_applicable
DEFAULT_RESULT_VOCABULARY: dict[str, str] = {
    "未发现问题": "no_problem",
    "发现问题已责令改正": "problem",
    "发现问题待后续处理": "problem",
    "未按规定公示应当公示的信息": "problem",
    "公示信息隐瞒真实情况、弄虚作假": "problem",
    "通过登记的住所（经营场所）无法联系": "problem",
    "不配合检查情节严重": "problem",
    "未发现开展本次抽查涉及的经营活动": "not_applicable",
    "已关闭停业或正在组织清算": "not_applicable",
    "已注销": "not_applicable",
    "被吊销": "not_applicable",
    "被撤销": "not_applicable",
    "迁出": "not_applicable",
}

DEFAULT_RESULT_SYNONYMS: dict[str, str] = {
    "正常": "未发现问题",
    "正常经营": "未发现问题",
    "正常（符合信息公示相关规定）": "未发现问题",
    "未发现违法违规行为": "未发现问题",
    "合格": "未发现问题",
    "发现问题经责令已改正": "发现问题已责令改正",
    "发现问题已改正": "发现问题已责令改正",
    "发现问题，待后续处理": "发现问题待后续处理",
    "发现问题待处理": "发现问题待后续处理",
    "未按规定公示": "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况弄虚作假": "公示信息隐瞒真实情况、弄虚作假",
    "住所无法联系": "通过登记的住所（经营场所）无法联系",
    "通过登记的住所无法联系": "通过登记的住所（经营场所）无法联系",
    "通过登记的经营场所无法联系": "通过登记的住所（经营场所）无法联系",
    "不予配合情节严重": "不配合检查情节严重",
    "未发现开展本次抽查涉及的经营活动的": "未发现开展本次抽查涉及的经营活动",
    "已关闭停业": "已关闭停业或正在组织清算",
    "正在组织清算": "已关闭停业或正在组织清算",
    "注销": "已注销",
    "已办理营业执照注销": "已注销",
    "吊销": "被吊销",
    "已吊销": "被吊销",
    "撤销": "被撤销",
    "已撤销": "被撤销",
    "已迁出": "迁出",
}

DEFAULTS: dict[str, Any] = {
    "SITENAME": "双随机、一公开信息公示",
    "GONGKAI_REGION": "",
    "GONGKAI_DATA_DIR": "data",
    "GONGKAI_RESULT_VOCABULARY": DEFAULT_RESULT_VOCABULARY,
    "GONGKAI_RESULT_SYNONYMS": DEFAULT_RESULT_SYNONYMS,
    # 20 working days after the task end (or inspection date), the date itself not counted
    "GONGKAI_PUBLICATION_WORKING_DAYS": 20,
    "GONGKAI_FOLLOWUP_WORKING_DAYS": 20,
    "GONGKAI_RANDOM_SHARE_GOAL": 0.5,
    "GONGKAI_PUBLICATION_RATE_GOAL": 1.0,
    # "双随机"抽查至少由 2 名持有有效执法证的人员实施: valid certificates per inspection
    "GONGKAI_MIN_INSPECTORS": 2,
    # inspectors' pages and dataset: name, certificate, category, department, validity
    # (行政执法公示); False publishes certificate numbers only, for a department that prefers
    "GONGKAI_INSPECTOR_NAMES": True,
    # None: the latest date found in the data, so builds are reproducible
    "GONGKAI_AS_OF": None,
    # search: the page and Pagefind bundle; the Whoosh index for `gongkai search`/`serve`
    # (written outside the output, under CACHE_PATH unless GONGKAI_SEARCH_INDEX_DIR is set)
    "GONGKAI_SEARCH": True,
    "GONGKAI_SEARCH_SERVER_INDEX": True,
    "GONGKAI_SEARCH_INDEX_DIR": None,
    # run the search stage in a process beside the data pages: True, False, or "auto"
    # (on a rebuild of an existing site, when there is more than one core)
    "GONGKAI_SEARCH_BESIDE": "auto",
    # the same for the open-data stage (datasets, workbooks, feeds, the JSON API)
    "GONGKAI_OPEN_DATA_BESIDE": "auto",
    # the Dask scheduler (tcp://host:8786) whose workers render the partitions; empty: this
    # machine. ``gongkai build --scheduler`` says the same for one build
    "GONGKAI_SCHEDULER": "",
    # seconds to wait for the scheduler and its first worker before the build stops
    "GONGKAI_SCHEDULER_TIMEOUT": 20,
    # result rows per partition of the enterprise stages (how the work is cut up, never
    # what it writes)
    "GONGKAI_PARTITION_ROWS": 50_000,
    # enterprises per block of the browser's enterprise index (search/words/): larger
    # blocks make the key files smaller and each block file larger
    "GONGKAI_SEARCH_BLOCK": 32,
    # region names a query may put before a name that lacks them (see search/fold.py)
    "GONGKAI_SEARCH_REGIONS": [],
    # a public result that a new build retracts or corrects: "warn" (listed in the build
    # output and on the 更新记录 page), "error" (refuse to publish) or "off" (no record)
    "GONGKAI_RETRACTIONS": "warn",
    # open data: the licence of the datasets (a data-package licence: name, title, path)
    "GONGKAI_LICENSE": {"name": "CC-BY-4.0", "title": "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
                        "path": "https://creativecommons.org/licenses/by/4.0/"},
    # dated snapshots kept under data/archive/ (0: no archive)
    "GONGKAI_ARCHIVE_KEEP": 24,
    # entries per feed, newest first
    "GONGKAI_FEED_ENTRIES": 100,
    # public address of the site ("https://…/"); default: SITEURL when absolute. Needed for
    # sitemap.xml and canonical links; every page link stays relative either way
    "GONGKAI_SITE_URL": "",
    # personal data (resident ID, mobile, e-mail) in published text: "error" stops the
    # build naming file, row and column; "mask" publishes 1301**********1234, 138****5678
    "GONGKAI_PII": "error",
}


# gongkai's own site settings, for a folder without a settings file (see that file)
SITE_DEFAULTS = Path(__file__).resolve().parent / "site" / "defaults.py"


def load_settings(path: str | Path | None = None, **overrides: Any) -> dict[str, Any]:
    """Merge defaults, a pelicanconf-style Python file and explicit overrides.

    The same file Pelican reads configures the validator, so an agency keeps
    its vocabulary extensions in one place.
    """
    settings = dict(DEFAULTS)
    if path is not None:
        namespace = runpy.run_path(str(path))
        settings.update({k: v for k, v in namespace.items() if k.isupper()})
    settings.update(overrides)
    vocab = dict(DEFAULT_RESULT_VOCABULARY)
    vocab.update(settings.get("GONGKAI_RESULT_VOCABULARY") or {})
    settings["GONGKAI_RESULT_VOCABULARY"] = vocab
    synonyms = dict(DEFAULT_RESULT_SYNONYMS)
    synonyms.update(settings.get("GONGKAI_RESULT_SYNONYMS") or {})
    settings["GONGKAI_RESULT_SYNONYMS"] = synonyms
    if str(settings.get("GONGKAI_RETRACTIONS") or "warn") not in ("warn", "error", "off"):
        raise ValueError("GONGKAI_RETRACTIONS 只能是 \"warn\"、\"error\" 或 \"off\"，"
                         f"而不是 {settings['GONGKAI_RETRACTIONS']!r}")
    if str(settings.get("GONGKAI_PII") or "error").lower() not in ("error", "mask"):
        raise ValueError(f"GONGKAI_PII 只能是 \"error\" 或 \"mask\"，而不是 {settings['GONGKAI_PII']!r}")
    return settings
