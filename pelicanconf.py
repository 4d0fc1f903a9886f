"""Site settings for Pelican and gongkai (the sample region; agencies edit this file)."""

import os

from generator.site.defaults import *  # noqa: F403  (gongkai's page and feed settings)

AUTHOR = "青禾县双随机、一公开工作领导小组办公室"
SITENAME = "双随机、一公开信息公示"
GONGKAI_REGION = "青禾县（示例数据）"
# Region names a search may put before an enterprise's name that the name itself lacks
# (the site's own region is always one; each also counts without 省/市/县)
GONGKAI_SEARCH_REGIONS = ["河北省", "石家庄市", "青禾县"]
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
OUTPUT_PATH = "output"
CACHE_PATH = os.environ.get("GONGKAI_CACHE_PATH", "cache")  # e.g. a CI cache or tmpfs folder
THEME = "themes/gongkai"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"

PLUGIN_PATHS: list[str] = []
PLUGINS = ["generator.build.plugin"]

# --- data ---------------------------------------------------------------------------
GONGKAI_DATA_DIR = "data"
GONGKAI_PAGE_SIZE = 100  # result rows per task page
GONGKAI_PROCESSES = None  # None: one per CPU core
# GONGKAI_AS_OF = "2026-11-20"  # default: the latest date in the data
# A public result that the data retracts or corrects: "warn" (listed in the build output and
# on the 更新记录 page, from the git history of data/), "error" (refuse to publish) or "off".
GONGKAI_RETRACTIONS = "warn"

# --- open data (/data/, /feeds/, sitemap.xml) -------------------------------------------
# Licence of the downloadable datasets (shown on /data/ and in datapackage.json).
GONGKAI_LICENSE = {"name": "CC-BY-4.0", "title": "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
                   "path": "https://creativecommons.org/licenses/by/4.0/"}
GONGKAI_ARCHIVE_KEEP = 24  # dated snapshots kept under data/archive/ (0: none)
# Public address, for sitemap.xml and canonical links (default: SITEURL when absolute):
# GONGKAI_SITE_URL = "https://www.example.gov.cn/gongkai/"
# Extend the result vocabulary or its synonyms (category: problem / no_problem / not_applicable):
# GONGKAI_RESULT_VOCABULARY = {"发现问题已移交": "problem"}
# GONGKAI_RESULT_SYNONYMS = {"无问题": "未发现问题"}

# --- content pages (实施方案, notices, about) ------------------------------------------
# Pelican's page, index and feed settings for a gongkai site come with the defaults
# imported at the top (generator/site/defaults.py); set any of them here to change it.

# Optional sections that this build publishes (menus link only to what exists).
GONGKAI_FEATURES: list[str] = ["stats", "data", "changes", "search"]
