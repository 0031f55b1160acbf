"""Text catalogues: one per language, one TOML file per page or component.

A key is ``<file stem>.<key inside the file>``, e.g. ``home.title`` lives in
``es/home.toml`` and ``en/home.toml``. No streamlit import here, so catalogues are
testable on their own; ``components/language.py`` binds them to the session.
"""

from __future__ import annotations

import functools
import os
import string
import tomllib
from pathlib import Path

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
LANGUAGE_NAMES = {"es": "Español", "en": "English"}
CATALOGUE_DIR = Path(__file__).parent


class MissingTextError(KeyError):
    """A text key that one catalogue lacks (raised only in strict mode)."""


def _flatten(prefix: str, table: dict, into: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, into)
        else:
            into[full] = str(value)


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every text of one language, keyed ``file.key``."""
    texts: dict[str, str] = {}
    for path in sorted((CATALOGUE_DIR / lang).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten(path.stem, tomllib.load(handle), texts)
    return texts


def strict() -> bool:
    # Tests set this so a missing key fails loudly instead of showing the raw key.
    return os.environ.get("LIENZO_I18N_STRICT", "") not in ("", "0")


def translate(lang: str, key: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` placeholders filled in."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    text = catalogue(lang).get(key)
    if text is None:
        if strict():
            raise MissingTextError(f"missing text {key!r} in the {lang!r} catalogue")
        return key
    return text.format(**values) if values else text


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields a text expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
