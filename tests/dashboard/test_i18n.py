"""Both catalogues hold the same keys with the same placeholders, and pages use only known keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lienzo.dashboard.i18n import (
    CATALOGUE_DIR,
    LANGUAGES,
    MissingTextError,
    catalogue,
    placeholders,
    translate,
)

DASHBOARD = CATALOGUE_DIR.parent


def test_every_key_exists_in_both_languages() -> None:
    es, en = set(catalogue("es")), set(catalogue("en"))
    assert es - en == set(), f"only in Spanish: {sorted(es - en)}"
    assert en - es == set(), f"only in English: {sorted(en - es)}"
    assert len(es) > 50


def test_same_files_in_both_languages() -> None:
    names = {
        lang: sorted(p.name for p in (CATALOGUE_DIR / lang).glob("*.toml")) for lang in LANGUAGES
    }
    assert names["es"] == names["en"]


def test_placeholders_match_and_no_text_is_empty() -> None:
    es, en = catalogue("es"), catalogue("en")
    for key in es:
        assert es[key].strip() and en[key].strip(), key
        assert placeholders(es[key]) == placeholders(en[key]), key


def test_translate_fills_values_and_strict_mode_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "3" in translate("es", "home.failed_plugins", count=3)
    assert translate("fr", "nav.home") == translate("es", "nav.home")
    monkeypatch.setenv("LIENZO_I18N_STRICT", "0")
    assert translate("en", "no.such_key") == "no.such_key"
    monkeypatch.setenv("LIENZO_I18N_STRICT", "1")
    with pytest.raises(MissingTextError):
        translate("en", "no.such_key")


LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']\s*[,)]""")


@pytest.mark.parametrize(
    "source", sorted(DASHBOARD.rglob("*.py")), ids=lambda p: str(p.relative_to(DASHBOARD))
)
def test_literal_keys_in_code_exist(source: Path) -> None:
    known = set(catalogue("es"))
    missing = [key for key in LITERAL_KEY.findall(source.read_text("utf-8")) if key not in known]
    assert not missing, f"{source.name} uses unknown keys {missing}"


def test_every_capability_has_a_name_in_both_languages() -> None:
    from lienzo.registry.spec import CAPABILITIES

    for lang in LANGUAGES:
        for capability in CAPABILITIES:
            assert f"registry.capability_{capability.replace('-', '_')}" in catalogue(lang)
