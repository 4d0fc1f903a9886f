"""Versions of the data folder: a folder, the working tree, or a git revision written out.

``gongkai diff`` and the ledger of corrections read earlier versions of the data
through here; :mod:`.sides` loads them (two at once when they are large) and
:mod:`.diff` compares what was loaded.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from ..model import Model
from .diff import DataDiff, DiffError, compare_sides
from .sides import Located, both_versions, load_version


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise DiffError("找不到 git 命令：比较版本需要安装 git。") from exc


def repository_of(data_dir: Path) -> tuple[Path, str]:
    """The git work tree holding ``data_dir`` and the data folder's path inside it."""
    data_dir = Path(data_dir).resolve()
    probe = data_dir if data_dir.is_dir() else data_dir.parent
    while not probe.is_dir():
        probe = probe.parent
    top = _git(["rev-parse", "--show-toplevel"], probe)
    if top.returncode != 0:
        raise DiffError(f"{data_dir} 不在 git 仓库中，无法按版本比较；"
                        "请用 gongkai diff 旧目录 新目录 比较两个文件夹。")
    root = Path(top.stdout.decode().strip()).resolve()
    return root, data_dir.relative_to(root).as_posix()


def resolve(root: Path, rev: str) -> str:
    found = _git(["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"], root)
    if found.returncode != 0:
        raise DiffError(f"版本“{rev}”不存在（可以写提交号、分支名、HEAD 或 HEAD~1）。")
    return found.stdout.decode().strip()


def materialize(root: Path, rev: str, data_path: str, into: Path) -> Path:
    """Write the data folder as it was at ``rev`` into ``into`` (empty if it did not exist)."""
    commit = resolve(root, rev)
    target = into / "data"
    target.mkdir(parents=True, exist_ok=True)
    listing = _git(["ls-tree", "-d", "--name-only", commit, "--", data_path], root)
    if not listing.stdout.strip():
        return target
    archive = into / "data.tar"
    made = _git(["archive", "--format=tar", f"--output={archive}", commit, "--", data_path],
                root)
    if made.returncode != 0:
        raise DiffError(f"无法读取版本“{rev}”中的 {data_path}：{made.stderr.decode().strip()}")
    depth = len(Path(data_path).parts)
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            parts = Path(member.name).parts[depth:]
            if not parts or not (member.isfile() or member.isdir()):
                continue
            member.name = str(Path(*parts))
            members.append(member)
        tar.extractall(target, members=members, filter="data")
    archive.unlink()
    return target


def locate(spec: str | None, data_dir: Path, tmp: Path, is_rev: bool):
    """Where one version's data is on disk: a folder, the working tree, or a git revision
    written out into ``tmp``; git problems are a :class:`DiffError` before anything is loaded."""
    if spec is None:
        # the working tree: the build's cached model when nothing changed since the last build
        return Located(Path(data_dir), f"{data_dir}（工作区）", cached=True)
    if is_rev and spec == "HEAD" and _git(["rev-parse", "-q", "--verify", "HEAD"],
                                          repository_of(data_dir)[0]).returncode != 0:
        folder = tmp / "no-commit"  # a first commit: nothing before it
        folder.mkdir(parents=True, exist_ok=True)
        return Located(folder, "（尚无提交）")
    if is_rev:
        root, data_path = repository_of(data_dir)
        folder = materialize(root, spec, data_path, tmp / spec.replace("/", "_").replace("~", "-"))
        commit = resolve(root, spec)
        tree = _git(["rev-parse", "-q", "--verify", f"{commit}:{data_path}"], root)
        return Located(folder, f"{spec}（{commit[:10]}）",
                       tree=tree.stdout.decode().strip() if tree.returncode == 0 else "")
    return Located(Path(spec), spec)


def load_side(spec: str | None, data_dir: Path, settings: dict[str, Any], tmp: Path,
              is_rev: bool) -> tuple[Model, str]:
    """A model for a folder, or for the data folder at a git revision."""
    version = locate(spec, data_dir, tmp, is_rev)
    return load_version(version, settings), version.label


def diff_revisions(data_dir: Path, settings: dict[str, Any], old: str | None = None,
                   new: str | None = None, folders: tuple[str, str] | None = None,
                   parallel: bool | None = None) -> DataDiff:
    """``gongkai diff``: two folders, or two revisions (default: last commit → working tree).

    Large versions are loaded in two processes at once (see :mod:`.sides`); ``parallel``
    forces that on or off.
    """
    with tempfile.TemporaryDirectory(prefix="gongkai-diff-") as tmp:
        if folders:
            before = locate(folders[0], data_dir, Path(tmp), False)
            after = locate(folders[1], data_dir, Path(tmp), False)
        else:
            before = locate(old or "HEAD", data_dir, Path(tmp), True)
            after = locate(new, data_dir, Path(tmp), new is not None)
        with both_versions(before, after, settings, parallel) as (old_side, new_side, statuses):
            return compare_sides(old_side, new_side, statuses, before.label, after.label)
