"""Published records never vanish quietly: the record of corrections and retractions.

Where "previously published" comes from
---------------------------------------
CI builds run on clean checkouts, so whatever says what was public before must survive
a fresh clone. Three places could hold it: a ledger file the build writes and the agency
commits, the previous site's own published dataset, or the git history of ``data/``.
This module uses the git history, because it is the only one the agency cannot forget to
update (every publication *is* a commit on the default branch), that needs no network
access to the live site, and that an agency cannot edit quietly: rewriting it needs a
force-push, which a protected default branch refuses and which every clone would notice.
The agency README asks for exactly that protection, and the CI templates check out the
full history (``fetch-depth: 0`` / ``GIT_DEPTH: 0``).

Each commit on the first-parent chain of ``HEAD`` that changed ``data/`` is one published
state, except commits whose data had errors (the build refuses those, so they were never
public). Consecutive published states are compared with :mod:`generator.agency.diff`; a
result that had a 公示日期 in the earlier state and is gone in the later one is a
retraction, one whose published text changed is a correction. "When" is the commit date
of the later state; a working tree that differs from ``HEAD`` is one more, uncommitted
state (a local preview). Outputs stay deterministic: the same repository gives the same
record.

Each state's results (as published text) and each step's entries are cached under the
build's cache folder by the git tree id of ``data/``, so a build compares only the newest
step; the CI templates keep that folder between runs.

:func:`corrections_frame` is the entry point for other outputs (the updates feed).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..contract import load_contract
from ..model import Model
from .diff import RESULT_KEY, DiffError, compare_text, published_changes, text_table
from .revisions import materialize, repository_of

COLUMNS = ["date", "commit", "kind", *RESULT_KEY, "entity_name", "field", "field_title", "old",
           "new", "old_published_on", "subject", "anchor"]
UNCOMMITTED = "未提交"
MODES = ("warn", "error", "off")


@dataclass
class Ledger:
    """Every correction and retraction of a public result, newest first."""

    entries: pd.DataFrame
    latest: pd.DataFrame  # the entries this build introduces (its data vs the last published)
    available: bool = True
    notes: list[str] = field(default_factory=list)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def _git(args: list[str], cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                          input=stdin.encode() if stdin is not None else None)
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def _fingerprint(settings: dict[str, Any]) -> str:
    """Cached states depend on the settings that shape published text and on this code."""
    digest = hashlib.sha256()
    relevant = {k: v for k, v in settings.items()
                if k.startswith("GONGKAI_RESULT_")}
    digest.update(repr(sorted((k, repr(v)) for k, v in relevant.items())).encode())
    here = Path(__file__).resolve().parent
    for path in (here / "diff.py", here / "ledger.py", here.parent / "contract" / "contract.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _shown(model: Model) -> pa.Table:
    return text_table(model.contract["results"], model["results"])


def _state(root: Path, commit: str, data_path: str, settings: dict[str, Any],
           cache: Path) -> pa.Table | None:
    """The results of one committed state as text; ``None`` if that data had errors."""
    from ..model import load_model

    tree = _git(["rev-parse", f"{commit}:{data_path}"], root).strip() or "empty"
    stored, refused = cache / f"{tree}.parquet", cache / f"{tree}.refused"
    if stored.is_file():
        return pq.read_table(stored)
    if refused.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="gongkai-ledger-") as tmp:
        folder = materialize(root, commit, data_path, Path(tmp))
        model = load_model(folder, settings)
    cache.mkdir(parents=True, exist_ok=True)
    if not model.ok:
        refused.write_text("", encoding="utf-8")
        return None
    shown = _shown(model)
    pq.write_table(shown, stored)
    return shown


def _step(old: pa.Table, new: pa.Table) -> pd.DataFrame:
    table = load_contract()["results"]
    return published_changes(compare_text(table, old, new), old)


def entry_anchor(commit: str, kind: str, task_id: str, uscc: str, item_id: str,
                 field: str | None) -> str:
    """The id of an entry on the 更新记录 page, the same in every build of the same history,
    so a result marked 已更正 can link to the entry that explains it."""
    key = "\x1f".join([commit, kind, task_id, uscc, item_id, field or ""])
    return "e-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def _public_subject(subject: str) -> str:
    """A commit's subject as the stated reason of a change, personal data masked (it is
    written by staff, who may name a colleague's phone in it)."""
    from ..trust.pii import find

    return find(subject.strip())[0]


def _entries(changes: pd.DataFrame, date: str, commit: str, subject: str = "") -> pd.DataFrame:
    table = load_contract()["results"]
    if not len(changes):
        return _empty()
    out = changes.drop(columns=["_file", "_row"]).copy()
    out.insert(0, "commit", commit)
    out.insert(0, "date", date)
    titles = {f.name: f.title for f in table.fields}
    out["field_title"] = out["field"].map(titles)
    out["subject"] = _public_subject(subject)
    out["anchor"] = [entry_anchor(commit, *key) for key in zip(
        out["kind"], out["task_id"].astype(str), out["uscc"].astype(str),
        out["item_id"].astype(str), out["field"].where(out["field"].notna(), None), strict=True)]
    return out[COLUMNS]


# the last record worked out, for the model it was worked out for: a build asks for it
# before the pages (warnings), for the enterprise pages, the 更新记录 page and the feeds
_last: tuple[Any, str, Ledger] | None = None


def build_ledger(model: Model, settings: dict[str, Any] | None = None,
                 cache_dir: Path | str = "cache") -> Ledger:
    """The record for the data folder of ``model``, from the git history of that folder.

    Worked out once per model, settings and repository state: asked again for the same
    model with the same ``HEAD``, the same record is returned.
    """
    global _last
    settings = settings if settings is not None else model.settings
    key = _memo_key(model, settings)
    if _last is not None and _last[0]() is model and _last[1] == key:
        return _last[2]
    ledger = _build_ledger(model, settings, cache_dir)
    _last = (weakref.ref(model), key, ledger)
    return ledger


def _memo_key(model: Model, settings: dict[str, Any]) -> str:
    try:
        root, _ = repository_of(Path(model.data_dir))
        head = _git(["rev-parse", "HEAD"], root).strip()
    except DiffError:
        head = ""
    return repr((_fingerprint(settings), str(settings.get("GONGKAI_RETRACTIONS", "warn")), head))


def _build_ledger(model: Model, settings: dict[str, Any], cache_dir: Path | str) -> Ledger:
    if str(settings.get("GONGKAI_RETRACTIONS", "warn")) == "off":
        return Ledger(_empty(), _empty(), available=False,
                      notes=["更新记录未生成（GONGKAI_RETRACTIONS = \"off\"）。"])
    try:
        root, data_path = repository_of(Path(model.data_dir))
    except DiffError:
        return Ledger(_empty(), _empty(), available=False,
                      notes=["数据目录不在 git 仓库中，无法列出已公示记录的更正和撤回。"])
    notes = []
    if _git(["rev-parse", "--is-shallow-repository"], root).strip() == "true":
        notes.append("仓库是浅克隆，只比较了现有的提交历史；请在持续集成中取得完整历史（fetch-depth: 0）。")
    log = _git(["log", "--first-parent", "--reverse", "--format=%H%x09%cI%x09%s", "--", data_path],
               root)
    commits = [(line.split("\t", 2) + [""])[:3] for line in log.splitlines() if "\t" in line]
    head = _git(["rev-parse", "HEAD"], root).strip()
    dirty = bool(_git(["status", "--porcelain", "--untracked-files=all", "--", data_path],
                      root).strip())
    cache = Path(cache_dir) / "gongkai-ledger" / _fingerprint(settings)

    entries: list[pd.DataFrame] = []
    previous: pa.Table | None = None
    previous_tree = ""
    latest = _empty()
    states: list[tuple[str, str, str, str]] = [(c, d[:10], c[:10], s) for c, d, s in commits]
    if dirty or not states:
        states.append(("", UNCOMMITTED, "", ""))
    for commit, date, label, subject in states:
        if commit:
            current = _state(root, commit, data_path, settings, cache)
            tree = _git(["rev-parse", f"{commit}:{data_path}"], root).strip() or "empty"
        else:
            current = _shown(model) if model.ok else None
            tree = ""
        if current is None:
            continue
        if previous is not None:
            step_file = cache / f"step-{previous_tree}-{tree}.parquet" if tree else None
            if step_file is not None and step_file.is_file():
                changes = pd.read_parquet(step_file)
            else:
                changes = _step(previous, current)
                if step_file is not None:
                    step_file.parent.mkdir(parents=True, exist_ok=True)
                    changes.to_parquet(step_file, index=False)
            step = _entries(changes, date, label, subject)
            entries.append(step)
            if (commit == "" and dirty) or (commit == head and not dirty):
                latest = step
        previous, previous_tree = current, tree
    frames = [e for e in entries if len(e)]
    all_entries = pd.concat(frames, ignore_index=True) if frames else _empty()
    # newest first; uncommitted changes sort above every dated commit
    order = all_entries.assign(_d=all_entries["date"].replace(UNCOMMITTED, "9999"))
    all_entries = order.sort_values(["_d", *RESULT_KEY], ascending=[False, True, True, True],
                                    kind="stable").drop(columns="_d").reset_index(drop=True)
    return Ledger(all_entries, latest.reset_index(drop=True), True, notes)


def corrections_frame(model: Model, settings: dict[str, Any] | None = None,
                      cache_dir: Path | str = "cache") -> pd.DataFrame:
    """Every correction and retraction of a public result, newest first (for feeds).

    Columns: date (YYYY-MM-DD of the commit, or 未提交), commit, kind (retracted /
    corrected), task_id, uscc, item_id, entity_name, field, field_title, old, new,
    old_published_on.
    """
    return build_ledger(model, settings, cache_dir).entries


def describe(row: dict[str, Any]) -> str:
    """One entry as a located Chinese sentence (build warnings, feeds)."""
    who = f"任务 {row['task_id']}，{row['entity_name'] or ''}（{row['uscc']}），事项 {row['item_id']}"
    if row["kind"] == "retracted":
        return f"撤回：{who}：已于 {row['old_published_on']} 公示的结果“{row['old']}”在新数据中不存在"
    return (f"更正：{who}：“{row['field_title']}”由“{row['old']}”改为“{row['new']}”"
            f"（已于 {row['old_published_on']} 公示）")


class RetractionsRefused(Exception):
    """GONGKAI_RETRACTIONS = "error" and this build retracts or corrects public results."""


def check_published(model: Model, settings: dict[str, Any], cache_dir: Path | str) -> Ledger:
    """Print a warning per public result this build retracts or corrects; refuse in "error" mode."""
    mode = str(settings.get("GONGKAI_RETRACTIONS", "warn"))
    if mode not in MODES:
        raise RetractionsRefused(f"GONGKAI_RETRACTIONS 应为 {'、'.join(MODES)} 之一，而不是“{mode}”。")
    ledger = build_ledger(model, settings, cache_dir)
    for note in ledger.notes:
        print(f"注意：{note}", file=sys.stderr)
    latest = ledger.latest
    if len(latest):
        label = "错误" if mode == "error" else "警告"
        print(f"{label}：本次发布撤回或更正了 {len(latest)} 条已公示的检查结果"
              "（将在“更新记录”页面公开）：", file=sys.stderr)
        for row in latest.head(200).to_dict("records"):
            print(f"  {describe(row)}", file=sys.stderr)
        if len(latest) > 200:
            print(f"  ……另有 {len(latest) - 200} 条（运行 gongkai diff 查看全部）", file=sys.stderr)
        if mode == "error":
            raise RetractionsRefused(
                f"本次数据撤回或更正了 {len(latest)} 条已公示的检查结果，"
                "按设置 GONGKAI_RETRACTIONS = \"error\" 未发布。确需更正时请把该设置改为 \"warn\"。")
    return ledger


KIND_LABELS = {"retracted": "撤回", "corrected": "更正"}
