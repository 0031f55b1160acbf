"""Bilingual messages for lab errors, built from the catalogues (no streamlit here).

A lab raises ``LabError`` (or a subclass) carrying ``{"es": ..., "en": ...}``; the page
shows it with ``show_problem(error.messages)``. Keeping the text in the catalogues means
every visible sentence lives in ``dashboard/i18n`` even though labs never see a session.
"""

from __future__ import annotations

from lienzo.dashboard.i18n import LANGUAGES, translate

Message = dict[str, str]


DECIMAL_MARK = {"es": ",", "en": "."}


def number(value: float, lang: str, digits: int = 1) -> str:
    """``value`` rounded to ``digits`` decimals, without trailing zeros, in ``lang``'s style
    (1,5 in Spanish, 1.5 in English)."""
    text = f"{float(value):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", DECIMAL_MARK.get(lang, "."))


def matrix_text(values: object, lang: str, digits: int = 2) -> str:
    """A small matrix as text: ``[[4, 3], [2, 4]]``, or ``[[36,5; 80]; [12; 15]]`` in Spanish.

    A Spanish reader takes "36,5, 80" for three numbers, so where the decimal mark is a
    comma and some value has decimals, ";" separates the numbers.
    """
    texts = [[number(v, lang, digits) for v in row] for row in values]
    mark = DECIMAL_MARK.get(lang, ".")
    separator = "; " if mark == "," and any(mark in x for row in texts for x in row) else ", "
    return "[" + separator.join("[" + separator.join(row) + "]" for row in texts) + "]"


def bilingual(key: str, **values: object) -> Message:
    """The catalogue text ``key`` in every language, placeholders filled in.

    Floats are written with the language's decimal mark; everything else as ``str``.
    """
    return {
        lang: translate(
            lang,
            key,
            **{
                name: number(value, lang) if isinstance(value, float) else value
                for name, value in values.items()
            },
        )
        for lang in LANGUAGES
    }


class LabError(ValueError):
    """A problem the learner can fix (bad input or setting), with its bilingual message."""

    def __init__(self, messages: Message) -> None:
        self.messages = dict(messages)
        super().__init__(self.messages.get("en") or next(iter(self.messages.values()), ""))

    @classmethod
    def from_key(cls, key: str, **values: object) -> LabError:
        return cls(bilingual(key, **values))
