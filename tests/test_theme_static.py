"""Static checks of the site theme (themes/gongkai): markup, links, CSP, CSS and contrast.

The templates are rendered with a plain Jinja2 environment (as the data-page
generator will) and once through real Pelican.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from generator.build.render import FILTERS

ROOT = Path(__file__).resolve().parents[1]
THEME = ROOT / "themes" / "gongkai"
TEMPLATES = THEME / "templates"
CSS_PATH = THEME / "static" / "css" / "site.css"
JS_DIR = THEME / "static" / "js"

NAV_LABELS = [
    "首页",
    "抽查事项",
    "抽查计划",
    "抽查任务",
    "检查部门",
    "统计",
    "开放数据",
    "关于数据",
]
STANDARD_TEMPLATES = [
    "index.html",
    "page.html",
    "article.html",
    "archives.html",
    "categories.html",
    "category.html",
    "tags.html",
    "tag.html",
    "authors.html",
    "author.html",
    "period_archives.html",
    "404.html",
]


# ---------------------------------------------------------------- HTML parsing


class Doc(HTMLParser):
    """Collects every start tag with its attributes, and script contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._script, self._script_text = a, []

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.tags
            if t == tag
            and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]


def parse(html: str) -> Doc:
    doc = Doc()
    doc.feed(html)
    doc.close()
    return doc


def focusable(tag: str, a: dict[str, str | None]) -> bool:
    """In the sequential focus order (tab key)?"""
    if "hidden" in a or "disabled" in a:
        return False
    if a.get("tabindex") is not None:
        return int(a["tabindex"]) >= 0
    if tag == "a":
        return a.get("href") is not None
    if tag == "input":
        return a.get("type") != "hidden"
    return tag in {"button", "select", "textarea", "summary"}


# ---------------------------------------------------------------- rendering


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.Undefined,
    )
    environment.filters.update(FILTERS)
    return environment


BASE_CONTEXT = {
    "SITENAME": "双随机、一公开信息公示",
    "GONGKAI_REGION": "青禾县",
    # every optional section built, so the full menu and the search form show
    "GONGKAI_FEATURES": ["search", "stats", "data"],
}

CHILD = """{% extends "base.html" %}
{% import "macros.html" as m %}
{% block title %}任务 - {{ SITENAME }}{% endblock %}
{% block content %}
<h1>任务</h1>
{% call m.figures() %}
{{ m.figure_card("抽取企业", 120, "占 5%") }}
{{ m.figure_card("发现问题", 7, none, root ~ "stats/") }}
{% endcall %}
{% call m.table_wrap("检查结果") %}
<thead><tr><th scope="col">企业</th><th scope="col">结果</th></tr></thead>
<tbody><tr><th scope="row"><a href="{{ root }}e/1/">甲公司</a></th>
<td>{{ m.result_badge("problem", "发现问题") }} {{ m.badge("late", "逾期公示") }}</td></tr></tbody>
{% endcall %}
{{ m.pagination(2, 3, root ~ "tasks/p1/", root ~ "tasks/p3/") }}
{% endblock %}
"""


def render_child(env: jinja2.Environment, **context) -> str:
    return env.from_string(CHILD).render(**{**BASE_CONTEXT, **context})


@pytest.fixture(scope="module")
def deep_page(env) -> str:
    return render_child(
        env,
        root="../../",
        data_updated=date(2024, 5, 1),
        breadcrumbs=[("首页", "../../"), ("抽查任务", "../../tasks/"), ("任务 T1", None)],
        nav_current="tasks",
    )


# ---------------------------------------------------------------- markup


def test_document_basics(deep_page):
    assert deep_page.lstrip().startswith("<!DOCTYPE html>")
    doc = parse(deep_page)
    assert doc.find("html", lang="zh-CN")
    assert doc.find("meta", charset="utf-8")
    viewport = doc.find("meta", name="viewport")
    assert viewport and "width=device-width" in viewport[0]["content"]
    assert doc.find("meta", name="color-scheme", content="light")
    assert [t for t, _ in doc.tags].count("title") == 1
    assert "<title>任务 - 双随机、一公开信息公示</title>" in deep_page
    og = {a["property"]: a["content"] for a in doc.find("meta") if a.get("property")}
    assert og["og:title"] == "任务 - 双随机、一公开信息公示"
    assert og["og:description"]


def test_csp_meta_is_strict_and_overridable(env, deep_page):
    csp = parse(deep_page).find("meta", http_equiv="Content-Security-Policy")
    assert len(csp) == 1
    policy = csp[0]["content"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    search = env.from_string(
        '{% extends "base.html" %}{% block csp %}<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'\">{% endblock %}"
    ).render(root="../")
    policies = parse(search).find("meta", http_equiv="Content-Security-Policy")
    assert len(policies) == 1 and "wasm-unsafe-eval" in policies[0]["content"]


def test_landmarks(deep_page):
    doc = parse(deep_page)
    assert len(doc.find("header", class_="site-header")) == 1
    assert len(doc.find("main", id="main")) == 1
    assert len([t for t, _ in doc.tags if t == "main"]) == 1
    assert [t for t, _ in doc.tags].count("footer") == 1
    assert doc.find("nav", aria_label="主导航")
    crumbs = doc.find("nav", aria_label="当前位置")
    assert len(crumbs) == 1
    i = doc.tags.index(("nav", crumbs[0]))
    assert doc.tags[i + 1][0] == "ol"


def test_main_navigation(deep_page):
    nav = deep_page.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0]
    labels = re.findall(r">([^<>]+)</a>", nav)
    assert labels == NAV_LABELS
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', nav)
    assert current == [("../../tasks/", "抽查任务")]


def test_search_form(deep_page):
    doc = parse(deep_page)
    forms = doc.find("form", role="search")
    assert len(forms) == 1
    assert forms[0]["action"] == "../../search/" and forms[0]["method"] == "get"
    inputs = doc.find("input", name="q")
    assert len(inputs) == 1
    labels = doc.find("label", for_=inputs[0]["id"])
    assert labels, "the search input needs a <label for=...>"


def test_skip_link_is_first_focusable(deep_page):
    doc = parse(deep_page)
    first = next((t, a) for t, a in doc.tags if focusable(t, a))
    assert first == ("a", {"class": "skip-link", "href": "#main"})
    assert "跳到正文" in deep_page.split("skip-link", 1)[1][:80]


def test_mode_toggle_hidden_without_js(deep_page):
    buttons = parse(deep_page).find("button", id="mode-toggle")
    assert len(buttons) == 1
    b = buttons[0]
    assert "hidden" in b and b["type"] == "button" and b["aria-pressed"] == "false"
    assert "长辈模式" in deep_page


def test_data_updated_shown_only_when_defined(env, deep_page):
    assert '数据更新于 <time datetime="2024-05-01">2024年5月1日</time>' in deep_page
    assert "数据更新于" not in render_child(env, root="")
    assert "数据更新于 2024-06-30" in render_child(env, root="", data_updated="2024-06-30")


def test_quotes_in_metadata_cannot_break_attributes():
    # Pelican renders without autoescape: titles and descriptions may hold quotes
    pelican_like = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)))
    pelican_like.filters.update(FILTERS)  # what the plugin adds to Pelican's environment
    html = pelican_like.from_string(
        '{% extends "base.html" %}{% block title %}{{ t }}{% endblock %}'
        "{% block description %}{{ t }}{% endblock %}"
    ).render(root="./", SITENAME="x", t='关于"双随机" & 公开')
    doc = parse(html)
    assert doc.find("meta", name="description", content='关于"双随机" & 公开')
    assert doc.find("meta", property="og:title", content='关于"双随机" & 公开')


def test_canonical_only_when_defined(env, deep_page):
    assert 'rel="canonical"' not in deep_page
    html = render_child(env, root="", canonical_url="https://gk.example.gov.cn/tasks/T1/")
    assert parse(html).find("link", rel="canonical", href="https://gk.example.gov.cn/tasks/T1/")


def test_breadcrumbs_macro(deep_page):
    crumbs = deep_page.split('aria-label="当前位置"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="../../tasks/">抽查任务</a>' in crumbs
    assert '<span aria-current="page">任务 T1</span>' in crumbs


def test_table_wrap_macro(deep_page):
    doc = parse(deep_page)
    wraps = doc.find("div", class_="table-wrap")
    assert len(wraps) == 1
    w = wraps[0]
    assert w["tabindex"] == "0" and w["role"] == "region" and w["aria-label"] == "检查结果"
    assert "<caption>检查结果</caption>" in deep_page
    ths = doc.find("th")
    assert ths and all(a.get("scope") in {"col", "row"} for a in ths)


def test_pagination_figures_badges(env, deep_page):
    doc = parse(deep_page)
    assert doc.find("nav", class_="pagination", aria_label="分页")
    assert doc.find("a", href="../../tasks/p1/", rel="prev")
    assert doc.find("a", href="../../tasks/p3/", rel="next")
    assert "第 2 页，共 3 页" in deep_page
    assert doc.find("dl", class_="figures")
    assert len(doc.find("div", class_="figure")) == 2
    assert doc.find("span", class_="badge result-problem")
    assert doc.find("span", class_="badge badge-late")
    m = env.get_template("macros.html").make_module()
    assert str(m.pagination(1, 1, None, None)).strip() == ""
    assert 'class="badge badge-neutral"' in str(m.badge("<script>", "x"))
    assert "&lt;b&gt;" in str(m.badge("ok", "<b>"))


# ---------------------------------------------------------------- CSP-safe markup and links

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
URL_ATTRS = ("href", "src", "action", "srcset", "poster", "data")


def assert_csp_safe(html: str) -> None:
    doc = parse(html)
    assert not re.search(r"\sstyle\s*=", html, re.I), "inline style attribute"
    assert not re.search(r"<style[\s>]", html, re.I), "inline <style> element"
    assert not INLINE_HANDLER.search(html), "inline on*= event handler"
    assert "javascript:" not in html.lower()
    for attrs, body in doc.scripts:
        assert attrs.get("src"), "script without src"
        assert not body.strip(), "inline script content"


def assert_links_relative(html: str, root: str, allowed_absolute: tuple[str, ...] = ()) -> None:
    doc = parse(html)
    urls = [(t, k, a[k]) for t, a in doc.tags for k in URL_ATTRS if a.get(k) is not None]
    assert urls
    for tag, attr, url in urls:
        if url in allowed_absolute:
            continue
        assert not re.match(r"^(https?:)?//", url, re.I), f"absolute URL {tag} {attr}={url}"
        assert not url.startswith("/") or root.startswith("/"), f"root-absolute {url}"
        if url.startswith("#"):  # same-page fragment (skip link)
            assert tag == "a"
            continue
        assert url.startswith(root), f"{tag} {attr}={url!r} does not start with {root!r}"


@pytest.mark.parametrize("root", ["", "./", "../", "../../"])
def test_every_link_relative_to_root(env, root):
    html = render_child(
        env,
        root=root,
        data_updated="2024-05-01",
        breadcrumbs=[("首页", root or "./"), ("任务", None)],
    )
    assert_csp_safe(html)
    assert_links_relative(html, root)
    doc = parse(html)
    assert doc.find("link", rel="stylesheet", href=f"{root}theme/css/site.css")
    assert doc.find("script", src=f"{root}theme/js/site.js")
    home = [a["href"] for a in doc.find("a") if a.get("href") in ("", None)]
    assert not home, "an empty href points at the current page, not the home page"


def test_root_from_relative_siteurl(env):
    # Pelican with RELATIVE_URLS = True sets SITEURL to "." or "../.." per page
    html = env.get_template("base.html").render(SITEURL="../..", SITENAME="x")
    assert_links_relative(html, "../../")
    html = env.get_template("base.html").render(SITENAME="x")
    assert parse(html).find("link", rel="stylesheet", href="theme/css/site.css")


def test_404_links_from_site_path(env):
    # a 404 page is served at any depth: with GONGKAI_404_ROOT its links are site-absolute
    html = env.get_template("404.html").render(
        SITEURL=".", GONGKAI_404_ROOT="/gongkai/", SITENAME="x"
    )
    assert "页面不存在" in html
    assert_csp_safe(html)
    assert_links_relative(html, "/gongkai/")
    doc = parse(html)
    assert doc.find("a", href="/gongkai/") and doc.find("a", href="/gongkai/#browse")
    assert doc.find("link", rel="stylesheet", href="/gongkai/theme/css/site.css")
    assert doc.find("meta", name="robots", content="noindex")
    # without the setting it falls back to the SITEURL-derived root
    assert_links_relative(env.get_template("404.html").render(SITEURL=".", SITENAME="x"), "./")


def test_link_checks_can_fail():
    with pytest.raises(AssertionError):
        assert_links_relative('<a href="https://cdn.example.com/x.css">x</a>', "")
    with pytest.raises(AssertionError):
        assert_links_relative('<a href="tasks/">x</a>', "../")
    with pytest.raises(AssertionError):
        assert_csp_safe('<p style="color:red">x</p>')
    with pytest.raises(AssertionError):
        assert_csp_safe("<script>alert(1)</script>")
    with pytest.raises(AssertionError):
        assert_csp_safe('<button onclick="x()">x</button>')


def test_templates_have_no_inline_script_style_or_hosts():
    for path in sorted(TEMPLATES.glob("*.html")):
        text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"\sstyle\s*=|<style[\s>]", text), path.name
        assert not INLINE_HANDLER.search(text), path.name
        assert not re.search(r"(src|href|action)=\"(https?:)?//", text), path.name
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S):
            if 'type="application/ld+json"' in attrs:  # a data block: never executed
                assert body.strip() == "{{ jsonld }}", f"JSON-LD not from publish.pages in {path.name}"
                continue
            assert not body.strip(), f"inline script in {path.name}"


# ---------------------------------------------------------------- JavaScript


def test_scripts_exist_and_stay_local():
    site = (JS_DIR / "site.js").read_text(encoding="utf-8")
    mode = (JS_DIR / "mode.js").read_text(encoding="utf-8")
    for js in (site, mode):
        assert "localStorage" in js and '"elder"' in js
        assert not re.search(r"https?://|\beval\(|new Function|innerHTML|\.style\b", js)
    assert "aria-pressed" in site and "hidden = false" in site
    assert len(mode) < 600, "mode.js runs before the first paint: keep it tiny"


# ---------------------------------------------------------------- CSS and contrast


def css_text() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS_PATH.read_text(encoding="utf-8"), flags=re.S)


def media_blocks(css: str) -> dict[str, str]:
    """Contents of the @media blocks, keyed by their condition."""
    out = {}
    for match in re.finditer(r"@media([^{]+)\{", css):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        out[match.group(1).strip()] = css[match.end() : i - 1]
    return out


def top_level(css: str) -> str:
    for body in media_blocks(css).values():
        css = css.replace(body, "")
    return css


def custom_properties(css: str, selector: str) -> dict[str, str]:
    """Custom properties declared in rule blocks whose selector list includes `selector`."""
    props: dict[str, str] = {}
    for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if selector in [s.strip() for s in sel.split(",")]:
            props.update((k, v.strip()) for k, v in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);?", body))
    return props


def channel(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a #rgb / #rrggbb colour."""
    m = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", colour.strip())
    assert m, f"not a hex colour: {colour!r}"
    h = m.group(1)
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = (channel(int(h[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#fff", "#fff") == pytest.approx(1.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # famous near-miss
    assert contrast("#767676", "#ffffff") >= 4.5
    with pytest.raises(AssertionError):
        luminance("red")


# (foreground, background, minimum ratio). Text needs 4.5:1; focus rings and
# form-field borders are non-text UI and need 3:1 (WCAG 1.4.11).
TEXT_PAIRS = [
    ("--text", "--bg"),
    ("--muted", "--bg"),
    ("--link", "--bg"),
    ("--link-visited", "--bg"),
    ("--primary", "--bg"),
    ("--accent", "--bg"),
    ("--text", "--surface"),
    ("--muted", "--surface"),
    ("--link", "--surface"),
    ("--link-visited", "--surface"),
    ("--primary", "--surface"),
    ("--muted", "--th-bg"),
    ("--link", "--th-bg"),
    ("--header-fg", "--header-bg"),
    ("--nav-fg", "--nav-bg"),
    ("--nav-current-fg", "--nav-current-bg"),
    ("--button-fg", "--button-bg"),
    ("--highlight-fg", "--highlight-bg"),
    ("--link", "--bg"),
]
UI_PAIRS = [
    ("--focus", "--bg"),
    ("--focus", "--surface"),
    ("--focus-on-dark", "--header-bg"),
    ("--focus-on-dark", "--nav-bg"),
    ("--control-border", "--bg"),
    ("--highlight-fg", "--highlight-bg"),
]
REQUIRED_BADGES = ["ok", "late", "pending", "problem", "neutral"]


def palettes() -> dict[str, dict[str, str]]:
    css = css_text()
    default = custom_properties(top_level(css), ":root")
    elder = {**default, **custom_properties(top_level(css), "html.elder")}
    printed = {**default, **custom_properties(media_blocks(css)["print"], ":root")}
    return {"default": default, "elder": elder, "print": printed}


def contrast_failures(palette: dict[str, str]) -> list[str]:
    pairs = [(fg, bg, 4.5) for fg, bg in TEXT_PAIRS]
    pairs += [(fg, bg, 3.0) for fg, bg in UI_PAIRS]
    # every --x-fg declared with an --x-bg is a text/background pair
    pairs += [
        (name, name[:-3] + "-bg", 4.5)
        for name in palette
        if name.endswith("-fg") and name[:-3] + "-bg" in palette
    ]
    failures = []
    for fg, bg, minimum in pairs:
        assert fg in palette and bg in palette, f"colour {fg} or {bg} is not defined"
        ratio = contrast(palette[fg], palette[bg])
        if ratio < minimum:
            failures.append(f"{fg} {palette[fg]} on {bg} {palette[bg]}: {ratio:.2f} < {minimum}")
    return failures


@pytest.mark.parametrize("mode", ["default", "elder", "print"])
def test_colour_contrast(mode):
    palette = palettes()[mode]
    for kind in REQUIRED_BADGES:
        assert f"--{kind}-fg" in palette and f"--{kind}-bg" in palette
    assert contrast_failures(palette) == []


def test_contrast_check_can_fail():
    bad = {**palettes()["default"], "--muted": "#999999", "--ok-bg": "#2e7d32"}
    failures = contrast_failures(bad)
    assert any(f.startswith("--muted #999999 on --bg") for f in failures)
    assert any(f.startswith("--ok-fg") for f in failures)


def test_elder_mode_is_larger_and_darker():
    css = top_level(css_text())
    body = dict(
        re.findall(
            r"([\w-]+)\s*:\s*([^;]+);", re.search(r"html\.elder\s*\{([^}]*)\}", css).group(1)
        )
    )
    size = body["font-size"].strip()
    px = float(size[:-1]) * 16 / 100 if size.endswith("%") else float(size.rstrip("px"))
    assert px >= 20
    p = palettes()
    assert float(p["elder"]["--leading"]) > float(p["default"]["--leading"])
    assert contrast(p["elder"]["--text"], p["elder"]["--bg"]) > contrast(
        p["default"]["--text"], p["default"]["--bg"]
    )


def test_colours_only_in_custom_properties():
    """Rules use var(--...), so the palette check above covers every colour in the sheet."""
    for part in re.split(r"[;{}]", css_text()):
        part = part.strip()
        if part.startswith("--"):
            continue
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b|\b(rgba?|hsla?)\(", part), part
        assert not re.search(r":\s*(black|white|red|blue|green|gray|grey)\b", part), part


def test_css_rules():
    raw = CSS_PATH.read_text(encoding="utf-8")
    css = css_text()
    assert len(raw.encode("utf-8")) < 16 * 1024
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert "@font-face" not in css
    assert css.count("{") == css.count("}")
    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"):
        assert font in css
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*(\d+)px", css)
    assert int(re.search(r":focus-visible\s*\{[^}]*outline:\s*(\d+)px", css).group(1)) >= 2
    assert re.search(r"\.table-wrap\s*\{[^}]*overflow-x:\s*auto", css)
    for cls in (
        "badge-ok",
        "badge-late",
        "badge-pending",
        "badge-problem",
        "badge-neutral",
        "result-no_problem",
        "result-problem",
        "result-not_applicable",
        "figures",
    ):
        assert re.search(rf"\.{cls}\b", css), cls
    assert re.search(r"\[hidden\]\s*\{[^}]*display:\s*none\s*!important", css)
    media = media_blocks(css)
    assert "(prefers-reduced-motion: reduce)" in media
    printing = media["print"]
    assert re.search(r"\.site-nav[^{]*\.site-search[^{]*button[^{]*\{\s*display:\s*none", printing)
    assert 'a[href^="https://"]::after' in printing and "attr(href)" in printing


# ---------------------------------------------------------------- real Pelican build


@pytest.fixture(scope="module")
def pelican_site(tmp_path_factory) -> Path:
    pelican = pytest.importorskip("pelican")
    from pelican.settings import read_settings

    base = tmp_path_factory.mktemp("pelican")
    content, output = base / "content", base / "output"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "about.md").write_text(
        "Title: 关于数据\nSlug: about\nTask: QH-2024-001\n\n"
        "数据来源说明。[外部链接](https://www.gov.cn/)\n\n"
        "| 字段 | 说明 |\n|---|---|\n| 任务编号 | 抽查任务的编号 |\n",
        encoding="utf-8",
    )
    (content / "notice.md").write_text(
        "Title: 2024 年抽查计划发布\nDate: 2024-03-01 10:00\nCategory: 公告\n"
        "Tags: 计划\nAuthor: 县市场监管局\n\n计划已发布。\n",
        encoding="utf-8",
    )
    settings = read_settings(
        path=None,
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "THEME": str(THEME),
            "SITENAME": "双随机、一公开信息公示",
            "GONGKAI_FEATURES": ["search", "stats", "data"],
            "PLUGINS": ["generator.site.plugin"],
            "SITEURL": "",
            "RELATIVE_URLS": True,
            "DEFAULT_LANG": "zh",
            "TIMEZONE": "Asia/Shanghai",
            "PAGE_URL": "{slug}/",
            "PAGE_SAVE_AS": "{slug}/index.html",
            "DIRECT_TEMPLATES": ["index", "tags", "categories", "authors", "archives", "404"],
            "YEAR_ARCHIVE_SAVE_AS": "posts/{date:%Y}/index.html",
            "FEED_ALL_ATOM": None,
            "CATEGORY_FEED_ATOM": None,
            "TRANSLATION_FEED_ATOM": None,
            "AUTHOR_FEED_ATOM": None,
            "AUTHOR_FEED_RSS": None,
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        },
    )
    pelican.Pelican(settings).run()
    return output


def test_pelican_build(pelican_site):
    out = pelican_site
    about = (out / "about" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in about
    doc = parse(about)
    assert doc.find("link", rel="stylesheet", href="../theme/css/site.css")
    assert doc.find("a", href="../tasks/QH-2024-001/")
    assert "查看该任务的抽查结果" in about
    assert_csp_safe(about)
    assert_links_relative(about, "../", allowed_absolute=("https://www.gov.cn/",))
    assert (out / "theme" / "css" / "site.css").is_file()
    assert (out / "theme" / "js" / "site.js").is_file()
    assert (out / "theme" / "js" / "mode.js").is_file()
    for name in (
        "index.html",
        "archives.html",
        "tags.html",
        "categories.html",
        "authors.html",
        "404.html",
        "posts/2024/index.html",
    ):
        html = (out / name).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html, name
        assert_csp_safe(html)
    assert "页面不存在" in (out / "404.html").read_text(encoding="utf-8")
    assert "2024年公告" in (out / "posts" / "2024" / "index.html").read_text(encoding="utf-8")
    articles = [p for p in out.rglob("*.html") if "计划已发布" in p.read_text(encoding="utf-8")]
    assert articles


@pytest.mark.parametrize("name", STANDARD_TEMPLATES)
def test_standard_templates_exist_and_extend_base(name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert '{% extends "base.html" %}' in text
