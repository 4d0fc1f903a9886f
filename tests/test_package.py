"""gongkai as an agency installs it: the wheel and sdist `python -m build` makes pass
`twine check`, hold the theme, the contract and the templates, and the wheel installed
into a fresh virtual environment builds and serves a site from a `gongkai init` skeleton,
with nothing from this checkout on its path.

pip takes the dependencies from its cache or the package index, as an agency's CI does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest

from generator import __version__
from generator.agency.init import default_package

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow  # builds, then installs a wheel with all its dependencies


def run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8", "PIP_NO_INPUT": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], ROOT)
    return out


def test_version_is_written_in_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert re.search(rf"^## \[{re.escape(__version__)}\]", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    major, minor = __version__.split(".")[:2]
    assert default_package() == f"gongkai>={major}.{minor}.0,<{major}.{int(minor) + 1}"


def test_wheel_and_sdist_pass_twine_and_hold_what_a_build_needs(dist):
    wheel = next(dist.glob(f"gongkai-{__version__}-py3-none-any.whl"))
    sdist = next(dist.glob(f"gongkai-{__version__}.tar.gz"))
    run([str(BIN / "twine"), "check", "--strict", str(wheel), str(sdist)], dist)
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {p.relative_to(ROOT / "themes/gongkai").as_posix() for p in (ROOT / "themes/gongkai").rglob("*")
             if p.is_file()}
    assert {f"generator/theme/{t}" for t in theme} <= names
    for needed in ("generator/contract/contract.toml", "generator/search/fold.toml",
                   "generator/agency/skeleton/Makefile.tmpl", "generator/agency/skeleton/README.md.tmpl",
                   "generator/theme/templates/error.html", "generator/theme/static/js/search.js"):
        assert needed in names, needed
    metadata = zipfile.ZipFile(wheel).read(f"gongkai-{__version__}.dist-info/METADATA").decode()
    for requirement in ("pagefind[extended]", "starlette", "uvicorn", "whoosh-reloaded"):
        assert re.search(rf"^Requires-Dist: {re.escape(requirement)}", metadata, re.M | re.I), requirement
    inside = tarfile.open(sdist).getnames()
    assert f"gongkai-{__version__}/themes/gongkai/templates/base.html" in inside
    assert f"gongkai-{__version__}/CHANGELOG.md" in inside


def test_the_wheel_in_a_fresh_venv_builds_and_serves_a_skeleton_site(dist, tmp_path):
    wheel = next(dist.glob("gongkai-*.whl"))
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    py, gongkai = venv / "bin" / "python", venv / "bin" / "gongkai"
    run([str(py), "-m", "pip", "install", "--no-compile", "--progress-bar", "off", str(wheel)], tmp_path,
        timeout=900)
    where = run([str(py), "-c", "import generator; print(generator.__file__)"], tmp_path).stdout
    assert str(venv) in where and str(ROOT) not in where
    assert run([str(gongkai), "--version"], tmp_path).stdout.strip() == f"gongkai {__version__}"

    repo = tmp_path / "qinghe"
    run([str(gongkai), "init", str(repo), "--region", "青禾县", "--department", "青禾县市场监督管理局"], tmp_path)
    requirement = (repo / "requirements.txt").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert requirement == default_package()
    assert "gongkai serve" in (repo / "Makefile").read_text(encoding="utf-8")
    shutil.rmtree(repo / "data")
    shutil.copytree(ROOT / "data", repo / "data")  # the sample data in place of blank templates
    run([str(gongkai), "build", "--settings", "publishconf.py"], repo)
    home = (repo / "output" / "index.html").read_text(encoding="utf-8")
    assert "双随机" in home and (repo / "output" / "theme" / "css" / "site.css").is_file()

    server = subprocess.Popen([str(gongkai), "serve", "--port", "0", "--settings", "pelicanconf.py"], cwd=repo,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://[^/]+/", server.stdout.readline()).group(0)
        for _ in range(100):
            try:
                answer = httpx.get(url + "api/search", params={"q": "公司"}, timeout=10).json()
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.1)
        assert answer["total"] > 0 and answer["results"][0]["kind"] == "enterprise"
        assert httpx.get(url + "search/", params={"q": "公司"}, timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
