"""Generation parameters inside PNG files, as text chunks (iTXt, UTF-8).

Chunks are inserted and removed at the byte level, so everything else a provider put
in the file (for example C2PA provenance) stays as it came. Images in other formats
(JPEG, WebP) are re-encoded to PNG once, so every saved image carries its parameters
the same way. No streamlit here.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Mapping

from PIL import Image

from lienzo.dashboard.labs.errors import LabError

SIGNATURE = b"\x89PNG\r\n\x1a\n"
TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}
# Chunks that can carry words about how an image was made; stripped when metadata is off.
DESCRIPTIVE_CHUNKS = TEXT_CHUNKS | {b"eXIf"}
MAX_PIXELS = 40_000_000  # the largest hosted outputs are ~4 MP; refuse decompression bombs


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) for every chunk; raises LabError when the bytes are not a whole PNG."""
    if not png.startswith(SIGNATURE):
        raise LabError.from_key("project.error_not_an_image")
    found, at = [], len(SIGNATURE)
    while at < len(png):
        if at + 8 > len(png):
            raise LabError.from_key("project.error_not_an_image")
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(png):
            raise LabError.from_key("project.error_not_an_image")
        found.append((kind, png[at + 8 : at + 8 + length]))
        at = end
        if kind == b"IEND":
            break
    if not found or found[0][0] != b"IHDR" or found[-1][0] != b"IEND":
        raise LabError.from_key("project.error_not_an_image")
    return found


def _join(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = [SIGNATURE]
    for kind, data in chunks:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        out.append(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc))
    return b"".join(out)


def _itxt(keyword: str, text: str) -> tuple[bytes, bytes]:
    # keyword \0, compression flag 0, method 0, language tag \0, translated keyword \0, text
    body = keyword.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    return b"iTXt", body


def _keyword(kind: bytes, data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("latin-1", "replace") if kind in TEXT_CHUNKS else ""


def to_png(data: bytes, fmt: str = "png") -> tuple[bytes, tuple[int, int]]:
    """The image as PNG bytes plus its (width, height); validated before anything is saved.

    A PNG is kept byte for byte; another format is decoded and written as PNG.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise LabError.from_key("project.error_image_too_large", pixels=width * height)
            if probe.format == "PNG":
                _chunks(data)  # whole file present, chunk by chunk
                probe.verify()
                return data, (width, height)
            probe.load()
            converted = probe.convert("RGBA" if "A" in probe.getbands() else "RGB")
    except LabError:
        raise
    except Exception as error:  # noqa: BLE001 - any decoder failure is "not an image"
        raise LabError.from_key("project.error_not_an_image") from error
    buffer = io.BytesIO()
    converted.save(buffer, format="PNG")
    return buffer.getvalue(), (width, height)


def with_text(png: bytes, texts: Mapping[str, str]) -> bytes:
    """``png`` with one iTXt chunk per item (replacing chunks of the same keyword)."""
    chunks = [c for c in _chunks(png) if _keyword(*c) not in texts]
    new = [_itxt(keyword, str(value)) for keyword, value in texts.items()]
    return _join(chunks[:1] + new + chunks[1:])  # right after IHDR


def without_text(png: bytes) -> bytes:
    """``png`` with every text and EXIF chunk removed (pixels and provenance kept)."""
    return _join([c for c in _chunks(png) if c[0] not in DESCRIPTIVE_CHUNKS])


def read_text(png: bytes) -> dict[str, str]:
    """The text chunks as Pillow reads them (what any image viewer would show)."""
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return {key: str(value) for key, value in getattr(image, "text", {}).items()}
