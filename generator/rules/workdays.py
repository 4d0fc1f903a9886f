"""The working-day calendar: the official holiday schedule plus ``data/calendar.*`` overrides.

Deadlines count working days, and 调休 moves working days onto weekends, so counting
weekdays would be wrong around every holiday. The packaged schedule (``chinese_calendar``)
covers the years the State Council has announced; a year with at least one row in
``data/calendar.*`` counts as known too (weekdays work, weekends rest, listed dates as
listed), and listed dates also correct the packaged years. A date whose count runs
through a year known to neither is never guessed: the result is NaT and
:meth:`WorkCalendar.missing_year` says which year to supply.

Everything is vectorized: dates are numpy ``datetime64[D]`` and one ``searchsorted``
over the sorted working days answers a million deadlines at once.
"""

from __future__ import annotations

import chinese_calendar
import numpy as np
import pandas as pd

OVERRIDE_REST, OVERRIDE_WORK = "休息日", "工作日"


def _days(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(pd.Series(values).to_numpy(dtype="datetime64[ns]"), dtype="datetime64[D]")


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


class WorkCalendar:
    """Working days of every known year, as one sorted array."""

    def __init__(self, overrides: pd.DataFrame | None = None) -> None:
        package_years = {d.year for d in chinese_calendar.holidays}
        first, last = min(package_years), max(package_years)
        package_years = set(range(first, last + 1))
        rows = overrides if overrides is not None else pd.DataFrame(columns=["date", "kind"])
        rows = rows.dropna(subset=["date"])
        listed = _days(rows["date"])
        kinds = rows["kind"].astype(object).to_numpy()
        self.package_years = np.array(sorted(package_years), dtype=np.int64)
        self.override_years = np.array(sorted(set(_years(listed).tolist()) - package_years),
                                       dtype=np.int64)
        self.years = np.array(sorted(package_years | set(_years(listed).tolist())), dtype=np.int64)
        holidays = np.array(list(chinese_calendar.holidays), dtype="datetime64[D]")
        makeup = np.array(list(chinese_calendar.workdays), dtype="datetime64[D]")
        all_days = np.concatenate([
            np.arange(np.datetime64(f"{y}-01-01"), np.datetime64(f"{y + 1}-01-01"))
            for y in self.years.tolist()]) if len(self.years) else np.array([], "datetime64[D]")
        # 1970-01-01 was a Thursday: day number + 3 modulo 7 gives Monday = 0
        weekday = (all_days.astype(np.int64) + 3) % 7
        work = weekday < 5
        in_package = np.isin(_years(all_days), self.package_years)
        work &= ~(in_package & np.isin(all_days, holidays))
        work |= in_package & np.isin(all_days, makeup)
        work[np.isin(all_days, listed[kinds == OVERRIDE_REST])] = False
        work[np.isin(all_days, listed[kinds == OVERRIDE_WORK])] = True
        self.workdays = all_days[work]
        self._next_unknown = self._runs()

    def _runs(self) -> dict[int, int]:
        """For each known year, the first unknown year after it (the end of its run + 1)."""
        out: dict[int, int] = {}
        known = set(self.years.tolist())
        for y in self.years.tolist():
            nxt = y + 1
            while nxt in known:
                nxt += 1
            out[y] = nxt
        return out

    @property
    def first_year(self) -> int:
        return int(self.years[0])

    def _known_count(self, years: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.years, years, side="right")

    def _span_known(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """True where every year from ``start`` through ``end`` (int years) is known."""
        lo, hi = np.minimum(start, end), np.maximum(start, end)
        return (np.isin(lo, self.years)
                & (hi - lo == self._known_count(hi) - self._known_count(lo)))

    def is_workday(self, dates: pd.Series | np.ndarray) -> pd.Series:
        """True / False per date; NA where the date's year is unknown."""
        days = _days(dates)
        out = pd.array(np.isin(days, self.workdays), dtype="boolean")
        out[np.isnat(days) | ~np.isin(_years(days), self.years)] = pd.NA
        return pd.Series(out)

    def add(self, dates: pd.Series | np.ndarray, n: int) -> pd.Series:
        """The ``n``-th working day after each date (the date itself not counted); NaT if unknown."""
        days = _days(dates)
        out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
        valid = ~np.isnat(days)
        if n < 1 or not len(self.workdays):
            out[valid] = days[valid] if n < 1 else out[valid]
            return pd.Series(out.astype("datetime64[ns]"))
        idx = np.searchsorted(self.workdays, days[valid], side="right") + (n - 1)
        inside = idx < len(self.workdays)
        found = np.full(valid.sum(), np.datetime64("NaT"), dtype="datetime64[D]")
        found[inside] = self.workdays[idx[inside]]
        ok = inside.copy()
        ok[inside] = self._span_known(_years(days[valid][inside]), _years(found[inside]))
        found[~ok] = np.datetime64("NaT")
        out[valid] = found
        return pd.Series(out.astype("datetime64[ns]"))

    def between(self, start: pd.Series | np.ndarray, end: pd.Series | np.ndarray) -> pd.Series:
        """Working days in (start, end]: 0 when end ≤ start; NA where a year is unknown."""
        a, b = _days(start), _days(end)
        valid = ~np.isnat(a) & ~np.isnat(b)
        counts = (np.searchsorted(self.workdays, b, side="right")
                  - np.searchsorted(self.workdays, a, side="right"))
        counts = np.maximum(counts, 0)
        known = np.zeros(len(a), dtype=bool)
        known[valid] = self._span_known(_years(a[valid]), _years(b[valid]))
        return pd.Series(pd.array(np.where(known, counts, 0), dtype="Int64")).where(known)

    def missing_year(self, dates: pd.Series | np.ndarray, n: int) -> pd.Series:
        """Which year must be supplied before ``add(dates, n)`` can be answered (NA: none)."""
        days = _days(dates)
        result = self.add(days, n)
        need = ~np.isnat(days) & result.isna().to_numpy()
        years = _years(days)
        out = pd.array([pd.NA] * len(days), dtype="Int64")
        if need.any():
            distinct, inverse = np.unique(years[need], return_inverse=True)
            nxt = np.array([self._next_unknown.get(y, y) for y in distinct.tolist()], dtype=np.int64)
            out[need] = nxt[inverse]
        return pd.Series(out)


def calendar_for(model) -> WorkCalendar:
    """The calendar of one model: the package schedule plus the model's calendar table."""
    cached = getattr(model, "_gongkai_calendar", None)
    if cached is None:
        cached = WorkCalendar(model.tables.get("calendar"))
        model._gongkai_calendar = cached
    return cached
