"""Every page states a strict Content-Security-Policy, and the shipped nginx example sends the same.

No inline script (only JSON data blocks), no inline style, no event-handler attribute,
no 'unsafe-inline' or 'unsafe-eval' anywhere; 'wasm-unsafe-eval' only on the search page.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from sitebuild import sample_site
from test_trust_validators import html_files

ROOT = Path(__file__).resolve().parents[1]
NGINX = ROOT / "deploy" / "nginx.conf"


def _policy(text: str) -> dict[str, str]:
    """Directive → sources, order-insensitive; frame-ancestors only works as a header."""
    out = {}
    for part in text.split(";"):
        words = part.split()
        if words and words[0] != "frame-ancestors":
            out[words[0]] = " ".join(sorted(words[1:]))
    return out


def nginx_policies() -> tuple[dict[str, str], dict[str, str]]:
    conf = NGINX.read_text(encoding="utf-8")
    default = re.search(r'set \$csp "([^"]+)";', conf).group(1)
    search = re.search(r'location /search/ \{.*?Content-Security-Policy "([^"]+)"', conf, re.S).group(1)
    return _policy(default), _policy(search)


def test_nginx_example_sends_the_security_headers():
    conf = NGINX.read_text(encoding="utf-8")
    for header in ("Content-Security-Policy", "X-Content-Type-Options \"nosniff\"",
                   "Referrer-Policy", "frame-ancestors"):
        assert header in conf, header
    for policy in nginx_policies():
        sources = " ".join(policy.values()).split()
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert re.search(r"location ~ /\\\.\s*\{\s*deny all;", conf)  # the page manifest stays private


def test_every_page_has_the_policy_of_the_nginx_example():
    out, _ = sample_site()
    default, search = nginx_policies()
    assert "'wasm-unsafe-eval'" not in default["script-src"]
    pages = html_files(out)
    for path in pages:
        where = path.relative_to(out).as_posix()
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        metas = soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert len(metas) == 1, where
        policy = _policy(metas[0]["content"])
        assert policy == (search if where.startswith("search/") else default), where
        assert not soup.find_all("style"), where
        for tag in soup.find_all(True):
            assert "style" not in tag.attrs, (where, tag.name)
            assert not [a for a in tag.attrs if a.startswith("on")], (where, tag.name)
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") in ("application/json",
                                                              "application/ld+json"), where
