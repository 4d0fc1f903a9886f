"""``sitemap.xml`` listing every page, a sitemap index past the protocol's 50,000 URLs, and robots.txt.

Sitemaps need absolute URLs, so they are written only when the public address
(GONGKAI_SITE_URL, or an absolute SITEURL) is known. The page list is read from the
output folder after every page is written, so Pelican's own pages are included.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from ..build.writer import FileInfo, write_file
from .files import remove_stale

LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
INDEX = "sitemap.xml"
PARTS = "sitemaps"
XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SKIP = {"404.html"}
ENTERPRISES = "enterprises/"


def page_paths(output: Path, known: list[str] | None = None) -> list[str]:
    """Every HTML page below ``output`` as a folder URL path ("" for the home page), sorted.

    ``known``: the data pages this build wrote (its page manifest). Their largest folder,
    one page per enterprise, is then taken from it instead of listing half a million
    folders.
    """
    found = []
    skip = ("theme/", "data/archive/")
    if known and any(p.startswith(ENTERPRISES) for p in known):
        found += [p for p in known if p.startswith(ENTERPRISES)]
        skip += (ENTERPRISES,)
    root = os.fspath(output)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel + "/"
        if rel.startswith(skip):
            dirs[:] = []
            continue
        for name in files:
            if not name.endswith(".html") or (rel + name) in SKIP:
                continue
            found.append(rel if name == "index.html" else rel + name)
    return sorted(found)


def _urlset(urls: list[str]) -> bytes:
    body = "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{XMLNS}">\n{body}</urlset>\n'
            ).encode()


def _index(urls: list[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>\n" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{XMLNS}">\n{body}'
            "</sitemapindex>\n").encode()


def write_sitemaps(output: Path, site_url: str, paths: list[str], limit: int = LIMIT
                   ) -> list[FileInfo]:
    """sitemap.xml (a urlset, or an index of sitemaps/sitemap-N.xml past ``limit`` URLs)."""
    locs = [site_url + quote(p, safe="/-_.~") for p in paths]
    files: list[FileInfo] = []
    if len(locs) <= limit:
        files.append(write_file(output, INDEX, _urlset(locs)))
    else:
        parts = []
        for n, start in enumerate(range(0, len(locs), limit), 1):
            part = f"{PARTS}/sitemap-{n}.xml"
            files.append(write_file(output, part, _urlset(locs[start:start + limit])))
            parts.append(site_url + part)
        files.append(write_file(output, INDEX, _index(parts)))
    remove_stale(output, PARTS, {f.path for f in files})
    return files


def robots(site_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url}{INDEX}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_discovery(output: Path, site_url: str, known: list[str] | None = None
                    ) -> list[FileInfo]:
    """robots.txt always; the sitemaps when the public address is known."""
    files = [write_file(output, "robots.txt", robots(site_url))]
    if site_url:
        files += write_sitemaps(output, site_url, page_paths(output, known))
    else:
        for stale in (output / INDEX,):
            if stale.is_file():
                stale.unlink()
        remove_stale(output, PARTS, set())
    return files
