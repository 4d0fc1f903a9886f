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
    """Neither encoding fits; ``offset`` is the first bad byte (0-based), ``row`` its line."""

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
    if data.startswith(UTF16_BOMS):
        raise DecodeFailure(offset=0, row=1, utf16=True)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            # The encoding that got further is the one the file was meant to be in.
            raise _failure(data, max(utf8_error.start, gb_error.start)) from None


def _failure(data: bytes, offset: int) -> DecodeFailure:
    return DecodeFailure(offset=offset, row=data.count(b"\n", 0, offset) + 1)
