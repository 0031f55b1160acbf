"""What the shapes world can say: shapes, colours, positions and sizes in Spanish and English.

The same tables write the training captions (``caption``) and read a learner's prompt
back into attributes (``parse_prompt``), so the prompt-adherence detector knows what
was asked. Nothing here imports numpy or torch.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

SHAPES = ("circle", "square", "triangle")
COLOURS = ("red", "green", "blue", "yellow", "purple")
# Positions as the cells of a 3x3 grid: (row, column) with row 0 at the top.
POSITIONS = (
    "top_left",
    "top",
    "top_right",
    "left",
    "centre",
    "right",
    "bottom_left",
    "bottom",
    "bottom_right",
)
POSITION_CELL = {name: divmod(index, 3) for index, name in enumerate(POSITIONS)}
SIZES = ("small", "large")

# Colour of each palette entry, RGB 0..255 (the detector clusters pixels against these).
PALETTE = {
    "red": (214, 39, 40),
    "green": (44, 160, 44),
    "blue": (31, 90, 220),
    "yellow": (240, 196, 25),
    "purple": (140, 60, 180),
}
BACKGROUND = (245, 245, 240)

# Words used when writing captions: (English, Spanish).
SHAPE_WORDS = {
    "circle": ("circle", "círculo"),
    "square": ("square", "cuadrado"),
    "triangle": ("triangle", "triángulo"),
}
COLOUR_WORDS = {
    "red": ("red", "rojo"),
    "green": ("green", "verde"),
    "blue": ("blue", "azul"),
    "yellow": ("yellow", "amarillo"),
    "purple": ("purple", "morado"),
}
SIZE_WORDS = {"small": ("small", "pequeño"), "large": ("large", "grande")}
POSITION_WORDS = {
    "top_left": ("at the top left", "arriba a la izquierda"),
    "top": ("at the top", "arriba"),
    "top_right": ("at the top right", "arriba a la derecha"),
    "left": ("on the left", "a la izquierda"),
    "centre": ("in the centre", "en el centro"),
    "right": ("on the right", "a la derecha"),
    "bottom_left": ("at the bottom left", "abajo a la izquierda"),
    "bottom": ("at the bottom", "abajo"),
    "bottom_right": ("at the bottom right", "abajo a la derecha"),
}
# Caption frames: {thing} is the shape with its colour and size, {where} the position.
TEMPLATES = {
    "en": ("a {thing}{where}", "a picture of a {thing}{where}", "{thing}{where}"),
    "es": ("un {thing}{where}", "una imagen de un {thing}{where}", "{thing}{where}"),
}

# Extra words the parser accepts (accents removed, lower case).
_SHAPE_SYNONYMS = {
    "circle": (
        "circle",
        "circles",
        "circulo",
        "circulos",
        "disc",
        "disk",
        "dot",
        "round",
        "redondo",
        "circunferencia",
    ),
    "square": ("square", "squares", "cuadrado", "cuadrados", "box", "cuadro"),
    "triangle": ("triangle", "triangles", "triangulo", "triangulos"),
}
_COLOUR_SYNONYMS = {
    "red": ("red", "rojo", "roja", "rojos", "rojas"),
    "green": ("green", "verde", "verdes"),
    "blue": ("blue", "azul", "azules"),
    "yellow": ("yellow", "amarillo", "amarilla", "amarillos", "amarillas"),
    "purple": ("purple", "violet", "morado", "morada", "violeta", "purpura", "lila"),
}
_SIZE_SYNONYMS = {
    "small": ("small", "little", "tiny", "pequeno", "pequena", "chico", "chica", "diminuto"),
    "large": ("large", "big", "huge", "grande", "enorme"),
}
_VERTICAL = {
    "top": ("top", "upper", "arriba", "superior"),
    "bottom": ("bottom", "lower", "abajo", "inferior"),
}
_HORIZONTAL = {"left": ("left", "izquierda", "izquierdo"), "right": ("right", "derecha", "derecho")}
_CENTRE = ("centre", "center", "middle", "centro", "medio")
# Function words that are neither known nor unknown (articles, prepositions...).
_FILLER = set(
    "a an the of at on in to and with picture image drawing photo one corner side "
    "un una uno el la los las de del en al con y imagen dibujo foto esquina lado".split()
)


def plain(text: str) -> str:
    """Lower case without accents: "Círculo" -> "circulo" (what the parser compares)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Scene:
    """What one image shows, or what a prompt asks for (None = not said)."""

    shape: str | None = None
    colour: str | None = None
    position: str | None = None
    size: str | None = None

    def asked(self) -> dict[str, str]:
        """The attributes that are set, by name."""
        return {
            name: value
            for name, value in (
                ("shape", self.shape),
                ("colour", self.colour),
                ("position", self.position),
                ("size", self.size),
            )
            if value is not None
        }


def caption(scene: Scene, lang: str, template: int = 0) -> str:
    """A caption for ``scene`` in ``lang`` ("es" or "en"); unset attributes are left out.

    >>> caption(Scene("circle", "red", "top_left", "small"), "en")
    'a small red circle at the top left'
    >>> caption(Scene("circle", "red", "top_left", "small"), "es")
    'un círculo rojo pequeño arriba a la izquierda'
    """
    if scene.shape is None:
        raise ValueError("a caption needs a shape")
    index = 0 if lang == "en" else 1
    words = [SHAPE_WORDS[scene.shape][index]]
    colour = COLOUR_WORDS[scene.colour][index] if scene.colour else None
    size = SIZE_WORDS[scene.size][index] if scene.size else None
    if lang == "en":  # English: size, colour, noun
        words = [w for w in (size, colour) if w] + words
    else:  # Spanish: noun, colour, size
        words = words + [w for w in (colour, size) if w]
    where = " " + POSITION_WORDS[scene.position][index] if scene.position else ""
    frames = TEMPLATES["en" if lang == "en" else "es"]
    return frames[template % len(frames)].format(thing=" ".join(words), where=where)


@dataclass
class ParsedPrompt:
    """A prompt read back into the shapes world's attributes."""

    scene: Scene
    unknown_words: list[str] = field(default_factory=list)  # words the data never uses

    @property
    def in_vocabulary(self) -> bool:
        """True when the prompt names a shape and uses no word outside the data."""
        return self.scene.shape is not None and not self.unknown_words


def _find(words: list[str], table: dict[str, tuple[str, ...]]) -> tuple[str | None, set[int]]:
    for index, word in enumerate(words):
        for name, spellings in table.items():
            if word in spellings:
                return name, {index}
    return None, set()


def parse_prompt(prompt: str) -> ParsedPrompt:
    """Shape, colour, position and size named in a Spanish or English prompt.

    >>> parse_prompt("Un triángulo azul abajo a la derecha").scene
    Scene(shape='triangle', colour='blue', position='bottom_right', size=None)
    >>> parse_prompt("a cat in space").unknown_words
    ['cat', 'space']
    """
    words = re.findall(r"[a-z]+", plain(prompt))
    shape, used_shape = _find(words, _SHAPE_SYNONYMS)
    colour, used_colour = _find(words, _COLOUR_SYNONYMS)
    size, used_size = _find(words, _SIZE_SYNONYMS)
    vertical, used_v = _find(words, _VERTICAL)
    horizontal, used_h = _find(words, _HORIZONTAL)
    used_centre = {i for i, w in enumerate(words) if w in _CENTRE}
    if vertical and horizontal:
        position = f"{vertical}_{horizontal}"
    else:
        position = vertical or horizontal or ("centre" if used_centre else None)
    used = used_shape | used_colour | used_size | used_v | used_h | used_centre
    unknown = [w for i, w in enumerate(words) if i not in used and w not in _FILLER]
    # A second shape or colour word is known vocabulary, but this world draws one shape.
    known = {
        s
        for group in (_SHAPE_SYNONYMS, _COLOUR_SYNONYMS, _SIZE_SYNONYMS, _VERTICAL, _HORIZONTAL)
        for spellings in group.values()
        for s in spellings
    }
    unknown = [w for w in unknown if w not in known and w not in _CENTRE]
    return ParsedPrompt(Scene(shape, colour, position, size), unknown)
