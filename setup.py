"""Packages for setuptools (the rest of the metadata is in pyproject.toml).

The theme lives at themes/gongkai, where Pelican users expect it, and ships inside the
package as ``generator.theme``, where :func:`generator.agency.theme_path` finds it in an
installed gongkai; pyproject.toml alone cannot map a folder outside the package.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["generator", "generator.*"]), "generator.theme"],
    package_dir={"generator.theme": "themes/gongkai"},
)
