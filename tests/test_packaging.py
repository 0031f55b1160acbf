"""Every code folder is listed in pyproject's packages, so an installed Lienzo is complete."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_code_folder_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    for top in ("dashboard", "plugins", "registry"):
        for init in (ROOT / top).rglob("__init__.py"):
            folder = init.parent.relative_to(ROOT)
            name = "lienzo." + ".".join(folder.parts)
            assert name in listed, f"{name} is missing from [tool.setuptools] packages"


def test_ci_calls_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make run" in readme and "make test" in readme


def test_no_pages_folder_beside_the_app() -> None:
    # Streamlit's old multipage mode starts when a "pages" folder sits beside app.py: a
    # deep link opened first would then run a lesson without the app's navigation.
    assert not (ROOT / "dashboard" / "pages").exists(), "lesson scripts live in dashboard/views/"
