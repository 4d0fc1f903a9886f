"""Publishing by commit: agency repositories, templates, diffs and the record of corrections."""

from pathlib import Path


def theme_path() -> str:
    """The gongkai theme folder of the installed package, for an agency's pelicanconf.py."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (package / "theme", package.parent / "themes" / "gongkai"):
        if (candidate / "templates" / "base.html").is_file():
            return str(candidate)
    raise FileNotFoundError("gongkai theme not found next to the installed package")
