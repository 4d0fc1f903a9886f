"""A query is cleaned on the server exactly as search.js cleans it in the browser.

The browser's ``cleanQuery`` is taken from themes/gongkai/static/js/search.js as it is
and run in Node; rank.clean_query must give the same words for every input.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.search.rank import MAX_QUERY, clean_query

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ["", "  ", "青禾县 和航會計服務（有限）公司", "ＡＢＣ　１２３", "91130139MA8EFYTM3L", "a_b-c", "x--y",
          "(*) AND OR NOT ~^:[]{}", "<script>alert(1)</script>", "％％％", "ﬁ㈱ｑ①Ⅻ", "䷀䷁易经", "e\u0301 a\u0308",
          "tab\tnew\nline", "\u00a0nbsp\u3000ideographic", "𠀀𠀁 𪚥", "😀 emoji ☺", "٣٤ arabic ٥", "x" * 250,
          "字" * 199 + "𠀀字", "字" * 200 + "𠀀", "a" * 199 + "𠀀", "ǅungla Ǉ", "_", "-", "µ ß ﬀ"]


def browser_clean(texts: list[str]) -> list[str]:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed (apt-get install nodejs)")
    js = (ROOT / "themes/gongkai/static/js/search.js").read_text(encoding="utf-8")
    limit = re.search(r"^const MAX_QUERY = (\d+);", js, re.M).group(1)
    function = re.search(r"^function cleanQuery\(text\) \{.*?^\}", js, re.M | re.S).group(0)
    program = (f"const MAX_QUERY = {limit};\n{function}\n"
               "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
               "process.stdout.write(JSON.stringify(input.map(cleanQuery)));\n")
    done = subprocess.run([node, "-e", program], input=json.dumps(texts), capture_output=True, text=True,
                          check=True, timeout=60)
    return json.loads(done.stdout)


def test_server_and_browser_clean_a_query_alike():
    assert int(re.search(r"^const MAX_QUERY = (\d+);", (ROOT / "themes/gongkai/static/js/search.js")
                         .read_text(encoding="utf-8"), re.M).group(1)) == MAX_QUERY
    assert [clean_query(t) for t in INPUTS] == browser_clean(INPUTS)


def test_every_assigned_character_is_kept_or_dropped_alike():
    """Each character of the Basic Multilingual Plane between two letters (Unicode data
    of the same age on both sides: those Python knows)."""
    import unicodedata

    chars = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c <= 0xDFFF
             and unicodedata.category(chr(c)) not in ("Cn", "Co")]
    texts = ["a" + "".join(chars[k:k + 50]) + "b" for k in range(0, len(chars), 50)]
    texts = [t for t in texts if len(t) <= MAX_QUERY]
    assert [clean_query(t) for t in texts] == browser_clean(texts)
