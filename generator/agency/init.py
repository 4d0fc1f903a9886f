"""``gongkai init``: a ready agency repository, in the spirit of ``pelican-quickstart``.

A county office has no developer, so the repository it starts from must already do
everything: blank templates for every table (so the first export lands in the right
place with the right headers), settings, a Makefile, a README in Chinese, the commit
hook and the CI files for GitHub and GitLab. The files are package data under
``skeleton/`` with ``@@name@@`` placeholders (Makefiles and CI files are full of ``$``,
so Python's own template syntax would need escaping everywhere).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .templates import write_templates

SKELETON = Path(__file__).with_name("skeleton")
# skeleton file → file in the new repository (dot-files are stored without the dot)
FILES = {
    "pelicanconf.py.tmpl": "pelicanconf.py",
    "publishconf.py.tmpl": "publishconf.py",
    "Makefile.tmpl": "Makefile",
    "gitignore.tmpl": ".gitignore",
    "README.md.tmpl": "README.md",
    "requirements.txt.tmpl": "requirements.txt",
    "pre-commit-config.yaml.tmpl": ".pre-commit-config.yaml",
    "gitlab-ci.yml.tmpl": ".gitlab-ci.yml",
    "github/workflows/gongkai.yml.tmpl": ".github/workflows/gongkai.yml",
    "content/pages/about.md.tmpl": "content/pages/about.md",
}


def default_package() -> str:
    """The requirement an agency repository starts with: the gongkai series that wrote it
    (0.x releases may change the contract or settings between minor versions, so the
    range stops before the next one; CHANGELOG.md says what each brings)."""
    from .. import __version__

    major, minor = (int(p) for p in __version__.split(".")[:2])
    return f"gongkai>={major}.{minor}.0,<{major}.{minor + 1}"


class InitError(Exception):
    """The answers or the target folder do not allow a repository to be written."""


@dataclass
class AgencyAnswers:
    region: str
    departments: list[str]
    site_url: str = ""
    base_path: str = "/"
    package: str = ""  # requirements.txt's line for gongkai; "" = default_package()
    ssh_host: str = ""
    ssh_user: str = ""
    ssh_target_dir: str = ""

    def check(self) -> None:
        if not self.region.strip():
            raise InitError("请填写地区名称（--region）。")
        if not [d for d in self.departments if d.strip()]:
            raise InitError("请至少填写一个发布部门（--department）。")
        if self.site_url and not self.site_url.startswith(("http://", "https://")):
            raise InitError(f"网站地址应以 http:// 或 https:// 开头：{self.site_url}")
        if not self.base_path.startswith("/"):
            raise InitError(f"网站路径应以 / 开头：{self.base_path}")

    @property
    def normalized_base(self) -> str:
        return "/" + self.base_path.strip("/") + "/" if self.base_path.strip("/") else "/"

    def values(self) -> dict[str, str]:
        departments = [d.strip() for d in self.departments if d.strip()]
        full_url = self.site_url.rstrip("/") + self.normalized_base.rstrip("/") \
            if self.site_url else ""
        return {
            "region": _py(self.region.strip()),
            "author": _py(departments[0]),
            "departments_text": "、".join(departments),
            "site_url": _py(full_url),
            "site_url_text": full_url or "（尚未设置，见 publishconf.py）",
            "base_path": _py(self.normalized_base),
            "package": self.package or default_package(),
            "ssh_host": self.ssh_host,
            "ssh_user": self.ssh_user,
            "ssh_target_dir": self.ssh_target_dir,
        }


def _py(value: object) -> str:
    """A Python literal (JSON strings and lists are valid Python and keep Chinese readable)."""
    return json.dumps(value, ensure_ascii=False)


def render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    if "@@" in text:
        start = text.index("@@")
        raise ValueError(f"unfilled placeholder near {text[start:start + 30]!r}")
    return text


def init_repository(target: Path, answers: AgencyAnswers, force: bool = False) -> list[Path]:
    """Write a new agency repository into ``target`` and return the files written."""
    answers.check()
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not force:
        existing = sorted(p.name for p in target.iterdir())[:5]
        raise InitError(f"目录 {target} 不是空的（{'、'.join(existing)}……）；"
                        "请换一个目录，或加 --force 覆盖同名文件。")
    values = answers.values()
    text_values = dict(values, region=answers.region.strip())
    written: list[Path] = []
    for source, name in FILES.items():
        text = (SKELETON / source).read_text(encoding="utf-8")
        # Python files get literals; prose files get plain text
        filled = render(text, values if name.endswith(".py") else text_values)
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(filled, encoding="utf-8")
        written.append(path)
    written += write_templates(target / "data", formats=("xlsx",), layout="data")
    return written


def ask(prompt: str, default: str = "", reader=input) -> str:
    """One question; the default is taken on an empty answer."""
    suffix = f"（默认：{default}）" if default else ""
    answer = reader(f"{prompt}{suffix}：").strip()
    return answer or default


def prompt_answers(reader=input) -> AgencyAnswers:
    """Interactive questions for staff who run ``gongkai init`` without flags."""
    region = ask("地区名称，如 青禾县", reader=reader)
    departments = ask("发布部门（多个用顿号分隔）", reader=reader)
    site_url = ask("网站地址（协议和域名，如 https://www.example.gov.cn；可以暂不填写）", reader=reader)
    base_path = ask("网站在该域名下的路径", "/", reader=reader)
    return AgencyAnswers(region=region, departments=_split(departments), site_url=site_url,
                         base_path=base_path or "/")


def _split(text: str) -> list[str]:
    import re

    return [p.strip() for p in re.split(r"[、,，;；]", text) if p.strip()]

