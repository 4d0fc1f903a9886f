"""Pagefind bundles in one canonical form: the same records give the same bytes.

Pagefind collects each filter's values in a hash map whose seed is random on every run,
so the order of the values in every ``filter/*.pf_filter`` file, and of the filters and
sort orders listed in the ``*.pf_meta`` file, changes from run to run, and with it the
content hashes those files are named by (and the meta file's hash in
``pagefind-entry.json``). Everything else in a bundle already follows the order the
records were sent in. :func:`canonical` decodes the affected files (gzip, a signature,
then CBOR arrays), sorts them, and names them again by Pagefind's own rule.

The WebAssembly file ships pre-compressed with the time Pagefind itself was built in its
gzip header; that time is zeroed too, so no file carries a timestamp.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
GZIP_MAGIC = b"\x1f\x8b"
HEADER_CRC = 0x02  # gzip FLG bit: a CRC of the header follows it
# positions of the fields of the meta and filter files (minicbor arrays by index)
META_FILTERS, META_SORTS = 3, 4
FILTER_VALUES = 1


def decode(content: bytes) -> Any:
    """The CBOR value inside one of Pagefind's compressed index files."""
    data = gzip.decompress(content)
    if not data.startswith(SIGNATURE):
        raise ValueError("not a Pagefind index file")
    return cbor2.loads(data[len(SIGNATURE):])


def encode(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=9, mtime=0)


def _full_hash(body: bytes) -> str:
    # Pagefind's hex form: each byte as unpadded lower-case hex
    return "".join(f"{b:x}" for b in hashlib.sha1(body).digest())


def _name(language: str, body: bytes, taken: set[str]) -> str:
    """Pagefind's name for an index file: language, "_", a hash prefix made longer while
    another file of the language already has it."""
    full = f"{language}_{_full_hash(body)}"
    length = len(language) + 8
    while full[:length] in taken and length < len(full):
        length += 1
    taken.add(full[:length])
    return full[:length]


def _filters(files: dict[str, bytes], language: str, filters: list[list[str]]) -> list[list[str]]:
    """Replace a language's filter files by ones with sorted values; the new (name, hash) list."""
    taken: set[str] = set()
    listed = []
    for name, old in sorted(filters, key=lambda f: f[0]):
        index = decode(files.pop(f"filter/{old}.pf_filter"))
        index[FILTER_VALUES] = sorted(index[FILTER_VALUES], key=lambda value: value[0])
        listed.append((name, index))
    out = []
    for name, index in listed:
        short = _name(language, cbor2.dumps(index), taken)
        files[f"filter/{short}.pf_filter"] = encode(index)
        out.append([name, short])
    return out


def _without_time(content: bytes) -> bytes:
    if content[:2] != GZIP_MAGIC or content[4:8] == bytes(4) or content[3] & HEADER_CRC:
        return content
    return content[:4] + bytes(4) + content[8:]


def canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """A bundle (relative path → bytes, as Pagefind made it) in its canonical form."""
    files = dict(files)
    entry = json.loads(files[ENTRY])
    languages = entry.get("languages") or {}
    for language in sorted(languages):
        info = languages[language]
        meta = decode(files.pop(f"pagefind.{info['hash']}.pf_meta"))
        meta[META_FILTERS] = _filters(files, language, meta[META_FILTERS])
        meta[META_SORTS] = sorted(meta[META_SORTS], key=lambda s: s[0])
        info["hash"] = f"{language}_{_full_hash(cbor2.dumps(meta))[:len(language) + 8]}"
        files[f"pagefind.{info['hash']}.pf_meta"] = encode(meta)
    entry["languages"] = {k: languages[k] for k in sorted(languages)}
    files[ENTRY] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return {path: _without_time(content) for path, content in sorted(files.items())}
