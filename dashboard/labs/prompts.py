"""Prompts built from parts: sector templates, style presets, light, composition.

Everything a learner chooses from lives in data files (``dashboard/data/*.toml``), so
adding a style or a use case is an edit to a table, not to code. No streamlit here.
"""

from __future__ import annotations

import functools
import random
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lienzo.dashboard.labs.errors import LabError

DATA_DIR = Path(__file__).parent.parent / "data"
LANGS = ("es", "en")
# Long enough for a detailed brief, short enough for every hosted API (Stability: 10 000).
MAX_PROMPT_CHARS = 2000

Text = Mapping[str, str]  # {"es": ..., "en": ...}


@dataclass(frozen=True)
class TemplateField:
    id: str
    label: Text
    example: Text


@dataclass(frozen=True)
class UseCase:
    id: str
    name: Text
    template: Text  # one {slot} per field
    negative: Text
    fields: tuple[TemplateField, ...]


@dataclass(frozen=True)
class Sector:
    id: str
    name: Text
    summary: Text
    use_cases: tuple[UseCase, ...]

    def use_case(self, use_case_id: str) -> UseCase:
        for case in self.use_cases:
            if case.id == use_case_id:
                return case
        return self.use_cases[0]


@dataclass(frozen=True)
class Option:
    """A lighting or composition choice: what the menu shows and what the prompt gets."""

    id: str
    name: Text
    text: Text


@dataclass(frozen=True)
class StylePreset:
    id: str
    name: Text
    template: Text  # contains "{prompt}"
    negative: Text


def _load(name: str) -> dict:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def sectors() -> tuple[Sector, ...]:
    return tuple(
        Sector(
            id=s["id"],
            name=s["name"],
            summary=s["summary"],
            use_cases=tuple(
                UseCase(
                    id=u["id"],
                    name=u["name"],
                    template=u["template"],
                    negative=u["negative"],
                    fields=tuple(TemplateField(**f) for f in u["fields"]),
                )
                for u in s["use_case"]
            ),
        )
        for s in _load("sectors.toml")["sector"]
    )


def sector(sector_id: str) -> Sector:
    for found in sectors():
        if found.id == sector_id:
            return found
    return sectors()[0]


@functools.cache
def styles() -> tuple[StylePreset, ...]:
    return tuple(StylePreset(**s) for s in _load("styles.toml")["style"])


def style(style_id: str) -> StylePreset:
    return next((s for s in styles() if s.id == style_id), styles()[0])


@functools.cache
def _inspire_data() -> dict:
    return _load("inspire.toml")


def lighting_options() -> tuple[Option, ...]:
    return tuple(Option(**o) for o in _inspire_data()["lighting"])


def composition_options() -> tuple[Option, ...]:
    return tuple(Option(**o) for o in _inspire_data()["composition"])


def subject_ideas(sector_id: str, lang: str) -> list[str]:
    return list(_inspire_data()["subjects"][sector_id][lang])


def _option(options: tuple[Option, ...], option_id: str) -> Option:
    return next((o for o in options if o.id == option_id), options[0])


def slots(template: str) -> set[str]:
    """The ``{name}`` slots a template expects."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _tidy(text: str) -> str:
    """One line, single spaces, no stray commas: prompts are pasted from anywhere."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(,\s*)+,", ",", text).strip(" ,")


def fill_use_case(case: UseCase, values: Mapping[str, str], lang: str) -> str:
    """The use case's template with the learner's values; an empty field takes its example."""
    filled = {f.id: _tidy(values.get(f.id, "") or "") or f.example[lang] for f in case.fields}
    return _tidy(case.template[lang].format(**filled))


@dataclass(frozen=True)
class PromptParts:
    subject: str
    style: str = "none"
    lighting: str = "none"
    composition: str = "none"
    negative: str = ""


@dataclass(frozen=True)
class BuiltPrompt:
    prompt: str
    negative_prompt: str


def build_prompt(parts: PromptParts, lang: str) -> BuiltPrompt:
    """Subject, light and composition joined, wrapped by the style preset's template.

    Raises LabError when there is no subject or the prompt is too long for the APIs.
    """
    subject = _tidy(parts.subject)
    if not subject:
        raise LabError.from_key("project.error_empty_subject")
    pieces = [
        subject,
        _option(lighting_options(), parts.lighting).text[lang],
        _option(composition_options(), parts.composition).text[lang],
    ]
    core = ", ".join(p for p in pieces if p)
    preset = style(parts.style)
    prompt = _tidy(preset.template[lang].format(prompt=core))
    negatives = [_tidy(parts.negative), preset.negative[lang]]
    negative = ", ".join(n for n in negatives if n)
    if len(prompt) > MAX_PROMPT_CHARS or len(negative) > MAX_PROMPT_CHARS:
        raise LabError.from_key(
            "project.error_prompt_too_long",
            chars=max(len(prompt), len(negative)),
            limit=MAX_PROMPT_CHARS,
        )
    return BuiltPrompt(prompt=prompt, negative_prompt=negative)


@dataclass(frozen=True)
class Inspiration:
    subject: str
    style: str
    lighting: str
    composition: str


def inspire(seed: int, sector_id: str, lang: str) -> Inspiration:
    """A suggestion drawn with ``random.Random(seed)``: the same number, the same idea."""
    draw = random.Random(f"{sector_id}:{seed}")  # str seeds are stable across runs
    # Index draws are shared by both languages, so switching language keeps the idea.
    ideas = subject_ideas(sector_id, lang)
    return Inspiration(
        subject=ideas[draw.randrange(len(ideas))],
        style=draw.choice([s.id for s in styles() if s.id != "none"]),
        lighting=draw.choice([o.id for o in lighting_options() if o.id != "none"]),
        composition=draw.choice([o.id for o in composition_options() if o.id != "none"]),
    )
