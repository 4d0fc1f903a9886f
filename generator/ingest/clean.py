"""Characters nobody can see, taken out of every cell before it is checked or published.

NUL and other control characters, zero-width spaces and byte order marks pasted from web
pages, and direction controls that make text display reversed travel unseen into HTML
pages, Parquet files and search fragments (and make the Atom feeds invalid XML). Every
reader's cells pass through :func:`prepare_column` on their way to the field columns, so
a CSV and an XLSX file holding the same cell give the same value and the same warning.
Line breaks and tabs are kept: a note typed with Alt+Enter in Excel is still a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# (first, last) code points of each kind; FORMAT is Unicode's category Cf without the
# direction controls (a test keeps it equal to the category as Python knows it)
BIDI = ((0x061C, 0x061C), (0x200E, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069))
ZERO_WIDTH = ((0x200B, 0x200D), (0x2060, 0x2060), (0xFEFF, 0xFEFF))
FORMAT = ((0x00AD, 0x00AD), (0x0600, 0x0605), (0x06DD, 0x06DD), (0x070F, 0x070F),
          (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x2061, 0x2064),
          (0x206A, 0x206F), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
          (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
          (0xE0020, 0xE007F))
NUL = ((0x00, 0x00),)
CONTROL = ((0x01, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
NONCHARACTER = ((0xFDD0, 0xFDEF), (0xFFFE, 0xFFFF))

# what each kind is called in a warning, in the order kinds are listed
KIND_NAMES = (("nul", "空字符（NUL）"), ("control", "控制字符"), ("zero_width", "零宽字符"),
              ("format", "格式控制字符"), ("noncharacter", "无效字符"))
_KIND_RANGES = {"nul": NUL, "control": CONTROL, "zero_width": ZERO_WIDTH, "format": FORMAT,
                "noncharacter": NONCHARACTER}


def _python_class(ranges) -> str:
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


def _re2_class(ranges) -> str:
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}"
                   for a, b in ranges)


_EVERY = BIDI + ZERO_WIDTH + FORMAT + NUL + CONTROL + NONCHARACTER
INVISIBLE = re.compile(f"[{_python_class(_EVERY)}]")
# INVISIBLE, but with every character beyond the BMP: a far faster search of a whole file
# (Python checks a few ranges beyond the BMP one by one), that may only find too much
MAYBE_INVISIBLE = re.compile(
    f"[{_python_class([r for r in _EVERY if r[1] <= 0xFFFF] + [(0x10000, 0x10FFFF)])}]")
BIDI_CHARS = re.compile(f"[{_python_class(BIDI)}]")
_KIND_PATTERNS = {k: re.compile(f"[{_python_class(r)}]") for k, r in _KIND_RANGES.items()}
_INVISIBLE_RE2 = f"[{_re2_class(_EVERY)}]"

# every character ``str.strip()`` removes (``str.isspace``); Arrow trims exactly these
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def remove_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)


def invisible_kinds(text: str) -> str:
    """The kinds of invisible characters (other than direction controls) in ``text``, named."""
    return "、".join(name for kind, name in KIND_NAMES if _KIND_PATTERNS[kind].search(text))


@dataclass
class Column:
    """One field's cells, ready for the checks: trimmed, invisible characters removed."""

    values: np.ndarray  # str per row
    bidi: np.ndarray | None = None  # rows that held direction controls
    other: np.ndarray | None = None  # rows that held other invisible characters
    kinds: np.ndarray | None = None  # per row of ``other``: their names
    longest: int = 0  # characters of the longest cell


def _arrow(column: pd.Series) -> pa.Array | pa.ChunkedArray:
    if isinstance(column.dtype, pd.ArrowDtype) or hasattr(column.array, "__arrow_array__"):
        try:
            return column.array.__arrow_array__()
        except (TypeError, AttributeError):
            pass
    return pa.array(column.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)


def prepare_column(column: pd.Series, scan: bool = True) -> Column:
    """Trim every cell and take out the invisible characters, over the whole column at once.

    ``scan=False`` when the reader already knows the file holds none (a CSV is searched
    as one text, far faster than column by column). Only the few distinct cells that hold
    such characters are looked at one by one, to name what was removed.
    """
    cells = _arrow(column)
    out = Column(values=np.empty(0, dtype=object))
    if scan and len(cells):
        hit = pc.fill_null(pc.match_substring_regex(cells, _INVISIBLE_RE2), False)
        if pc.any(hit).as_py():
            mask = np.asarray(_numpy(hit), dtype=bool)
            dirty = pd.Series(cells.filter(hit).to_pylist(), dtype=object)
            codes, uniques = pd.factorize(dirty)
            has_bidi = np.array([bool(BIDI_CHARS.search(u)) for u in uniques], dtype=bool)
            kinds = np.array([invisible_kinds(u) for u in uniques], dtype=object)
            out.bidi = np.zeros(len(mask), dtype=bool)
            out.bidi[mask] = has_bidi[codes]
            out.kinds = np.full(len(mask), "", dtype=object)
            out.kinds[mask] = kinds[codes]
            out.other = out.kinds != ""
            cells = pc.replace_substring_regex(cells, _INVISIBLE_RE2, "")
    trimmed = pc.utf8_trim(cells, WHITESPACE)
    if len(trimmed):
        out.longest = int(pc.max(pc.utf8_length(trimmed)).as_py() or 0)
    out.values = np.asarray(_numpy(trimmed), dtype=object)
    return out


def _numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        return array.to_numpy()
    return array.to_numpy(zero_copy_only=False)
