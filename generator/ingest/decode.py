"""Encoding detection for agency CSV files.

Platforms export UTF-8, UTF-8 with BOM (Excel's "CSV UTF-8") or GB18030/GBK
(Excel's default on Chinese Windows). Strict decoding of UTF-8 first, then
GB18030, tells them apart reliably: GBK text is almost never valid UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class DecodeFailure(Exception):
    """Neither encoding fits.

    ``offset`` is the first bad byte (0-based) and ``row`` the spreadsheet row it is in
    (the header is row 1; a line break inside a quoted cell does not start a new row).
    """

    offset: int
    row: int
    utf16: bool = False


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise :class:`DecodeFailure`."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _failure(data, exc.start + len(UTF8_BOM)) from None
    if data.startswith(UTF16_BOMS) or _looks_utf16(data):
        raise DecodeFailure(offset=0, row=1, utf16=True)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            # The encoding that got further is the one the file was meant to be in.
            raise _failure(data, max(utf8_error.start, gb_error.start)) from None


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte order mark.

    ASCII characters (commas, line breaks, digits) leave a NUL byte on one side of
    their two bytes; UTF-8 and GB18030 text has no NUL bytes at all. A sample with
    NULs that reads as UTF-16 text with commas, tabs or line breaks is UTF-16.
    """
    sample = data[:4096]
    if sample.count(0) < 2:  # one stray NUL in a damaged file is not UTF-16
        return False
    sample = sample[: len(sample) // 2 * 2]
    little = sample[1::2].count(0) >= sample[0::2].count(0)
    try:
        text = sample.decode("utf-16-le" if little else "utf-16-be")
    except UnicodeDecodeError:
        return False
    return any(c in text for c in ",\t\n")


def _failure(data: bytes, offset: int) -> DecodeFailure:
    return DecodeFailure(offset=offset, row=_row_of(data, offset))


def _row_of(data: bytes, offset: int) -> int:
    """Spreadsheet row of byte ``offset``: line breaks outside quoted cells, plus one.

    Scanning bytes is safe for both candidate encodings: in UTF-8 and GB18030 the bytes
    of ``"``, ``\\r`` and ``\\n`` never occur inside a multi-byte character.
    """
    # Between quote characters, even-numbered pieces are outside quoted cells.
    outside = data[:offset].split(b'"')[0::2]
    return 1 + sum(p.count(b"\n") + p.count(b"\r") - p.count(b"\r\n") for p in outside)
