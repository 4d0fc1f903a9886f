"""统一社会信用代码 (GB 32100-2015) generated over numpy arrays.

Sample data at benchmark scale needs a million valid, distinct codes in about a
second, so nothing here loops over codes in Python: codes are built as an
``(n, 18)`` byte matrix and the check characters are matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], np.int64)
# GB 11714 organization code: eight body characters and a check character.
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], np.int64)

_ALPHA_BYTES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_INDEX = np.full(256, -1, np.int64)
_INDEX[_ALPHA_BYTES] = np.arange(len(ALPHABET))
# GB 11714 character values: digits 0-9, letters A=10 ... Z=35.
_ORG_VALUE = np.full(256, -1, np.int64)
_ORG_VALUE[48:58] = np.arange(10)
_ORG_VALUE[65:91] = np.arange(10, 36)

# Codes issued since 2015 carry an organization code "MA" + six characters;
# older codes keep the numeric organization code of the former certificate.
_MA_SPACE = 31**6
_OLD_LOW, _OLD_SPACE = 55_000_000, 25_000_000


def _fixed_bytes(value: str | Sequence[str] | np.ndarray, width: int, n: int) -> np.ndarray:
    """Turn one string or one string per code into an ``(n, width)`` digit matrix."""
    arr = np.asarray(value, dtype=f"S{width}")
    if arr.ndim == 0:
        arr = np.repeat(arr, n)
    if arr.shape != (n,):
        raise ValueError(f"expected one value or {n} values, got shape {arr.shape}")
    out = arr.view(np.uint8).reshape(n, width)
    if ((out < ord("0")) | (out > ord("9"))).any():
        raise ValueError(f"values must be {width} digits")
    return out


def _base31(values: np.ndarray, width: int) -> np.ndarray:
    digits = np.empty((values.size, width), np.uint8)
    rest = values.astype(np.int64)
    for pos in range(width - 1, -1, -1):
        digits[:, pos] = _ALPHA_BYTES[rest % 31]
        rest //= 31
    return digits


def _decimal(values: np.ndarray, width: int) -> np.ndarray:
    digits = np.empty((values.size, width), np.uint8)
    rest = values.astype(np.int64)
    for pos in range(width - 1, -1, -1):
        digits[:, pos] = ord("0") + rest % 10
        rest //= 10
    return digits


def check_characters(body: np.ndarray, validate: bool = True) -> np.ndarray:
    """Check character bytes for an ``(n, 17)`` byte matrix of code bodies."""
    if validate and (_INDEX[body] < 0).any():
        raise ValueError("code body contains characters outside the USCC alphabet")
    return _ALPHA_BYTES[(31 - _weighted_sum(body, _INDEX, WEIGHTS) % 31) % 31]


def _weighted_sum(chars: np.ndarray, table: np.ndarray, weights: np.ndarray) -> np.ndarray:
    # one table lookup per position; cheaper than converting the matrix for a matmul
    total = np.zeros(chars.shape[0], np.int64)
    for pos, weight in enumerate(weights):
        total += (table * weight)[chars[:, pos]]
    return total


def _org_check(org: np.ndarray) -> np.ndarray:
    check = 11 - _weighted_sum(org, _ORG_VALUE, ORG_WEIGHTS) % 11
    return np.frombuffer(b"0123456789X0", dtype=np.uint8)[check]


def make_uscc(
    rng: np.random.Generator,
    n: int,
    region: str | Sequence[str] | np.ndarray = "130139",
    kind: str | Sequence[str] | np.ndarray = "91",
    new_share: float = 0.8,
) -> np.ndarray:
    """Return ``n`` distinct valid codes as a numpy ``str`` array.

    ``region`` (6-digit division code) and ``kind`` (registration authority and
    entity type, e.g. ``"91"`` company, ``"92"`` 个体工商户) may be one value or one
    per code, so callers can keep a code consistent with the entity's name.
    Distinctness comes from drawing the organization codes without replacement,
    which makes codes distinct whatever their region and kind.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return np.array([], dtype="U18")
    head = np.concatenate([_fixed_bytes(kind, 2, n), _fixed_bytes(region, 6, n)], axis=1)
    is_new = rng.random(n) < new_share
    n_new = int(is_new.sum())
    n_old = n - n_new
    if n_new > _MA_SPACE or n_old > _OLD_SPACE:
        raise ValueError("too many codes requested")
    org = np.empty((n, 8), np.uint8)
    ma = np.empty((n_new, 8), np.uint8)
    ma[:, 0], ma[:, 1] = ord("M"), ord("A")
    ma[:, 2:] = _base31(rng.choice(_MA_SPACE, size=n_new, replace=False), 6)
    org[is_new] = ma
    old = rng.choice(_OLD_SPACE, size=n_old, replace=False) + _OLD_LOW
    org[~is_new] = _decimal(old, 8)
    codes = np.empty((n, 18), np.uint8)
    codes[:, :8] = head
    codes[:, 8:16] = org
    codes[:, 16] = _org_check(org)
    # every byte is a digit or from the alphabet by construction
    codes[:, 17] = check_characters(codes[:, :17], validate=False)
    return codes.view("S18").ravel().astype("U18")


def is_valid(code: str) -> bool:
    """Check one code the same way the generator computes it (used by tests)."""
    if len(code) != 18 or not code[:8].isdigit() or any(c not in ALPHABET for c in code):
        return False
    body = np.frombuffer(code[:17].encode("ascii"), dtype=np.uint8).reshape(1, 17)
    return chr(check_characters(body)[0]) == code[17]
