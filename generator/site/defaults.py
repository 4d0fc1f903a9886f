"""gongkai's own site settings, used when a folder has no settings file.

Read as a Pelican settings file (``gongkai build`` and ``gongkai validate`` without
``--settings`` in a folder without pelicanconf.py), so a site built that way is a
gongkai site, not Pelican's blog defaults ("A Pelican Blog", archives, tags, feeds).
Folder settings are relative to the folder the command runs in (see cli.cmd_build).
The project's and the agency skeleton's pelicanconf.py say the same and more.
"""

SITENAME = "双随机、一公开信息公示"
SITEURL = ""
RELATIVE_URLS = True

TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"

PLUGIN_PATHS: list[str] = []
PLUGINS = ["generator.build.plugin"]

ARTICLE_PATHS = ["notices"]
PAGE_PATHS = ["pages"]
ARTICLE_URL = "notices/{slug}/"
ARTICLE_SAVE_AS = "notices/{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
STATIC_PATHS: list[str] = []
SLUGIFY_SOURCE = "basename"

# the home page and every index are data pages; Pelican's blog indexes are not used
DIRECT_TEMPLATES = ["404"]
INDEX_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

# gongkai writes its own feeds (generator/publish/feeds.py)
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

DEFAULT_PAGINATION = False
TYPOGRIFY = False
LOAD_CONTENT_CACHE = False

GONGKAI_FEATURES: list[str] = ["stats", "data", "changes", "search"]
