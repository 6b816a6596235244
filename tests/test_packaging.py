"""The wheel carries every package of the checkout: pyproject.toml lists them by hand (it maps
templates/ into the package, which automatic discovery cannot), so a new package folder that
is not listed would be missing from an installed reviewtracker."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _package_folders() -> set[str]:
    found = set()
    for top in ("importers", "reviewtracker"):
        for module in (ROOT / top).rglob("*.py"):
            folder = module.parent.relative_to(ROOT)
            if "__pycache__" not in folder.parts:
                found.add(".".join(folder.parts))
    return found


def test_every_package_folder_is_listed_in_pyproject():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    mapped = set(setuptools["package-dir"])
    data_only = {"reviewtracker.static"}  # the CSS and JavaScript: no Python in it
    assert _package_folders() | data_only == listed - mapped
    assert mapped == {"reviewtracker.templates"}
    assert set(setuptools["package-data"]) <= listed
