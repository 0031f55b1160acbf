"""The shared "pick a sample or upload your own" widget used by every page that takes an image.

Loading goes through ``labs.image_loading.load_image``, so every page gets the same
safety (size and pixel limits, bombs refused) and the same arrays (RGB uint8, grey 0..1,
upright, alpha on white). Problems are shown in the learner's language, never raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from lienzo.dashboard.components.language import current_language, t
from lienzo.dashboard.components.messages import show_problem, show_unexpected
from lienzo.dashboard.labs.errors import LabError, number
from lienzo.dashboard.labs.image_loading import (
    ALLOWED_EXTENSIONS,
    ALLOWED_FORMATS,
    MAX_PIXELS,
    MAX_UPLOAD_MB,
    LoadedImage,
    downscale,
    load_image,
    load_sample,
    sample_images,
)

SOURCES = ("sample", "upload")


def note_text(note: Mapping[str, str] | str) -> str:
    """A note given as {"es": ..., "en": ...} or as a catalogue key, in the learner's language."""
    if isinstance(note, Mapping):
        return note.get(current_language()) or next(iter(note.values()), "")
    return t(note)


def limits_caption() -> str:
    return t(
        "image_input.limits",
        mb=MAX_UPLOAD_MB,
        mp=number(MAX_PIXELS / 1_000_000, current_language()),
        formats=", ".join(ALLOWED_FORMATS),
    )


def _load_upload(key: str, uploaded, max_side: int | None) -> LoadedImage | None:
    """Decode an upload once per file, show problems, not tracebacks.

    The session keeps only the reduced copy the page works on (a 24-megapixel upload
    would otherwise hold a few hundred MB per learner).
    """
    cache_key = f"{key}_loaded"
    identity = (uploaded.file_id, max_side)
    cached = st.session_state.get(cache_key)
    if cached is not None and cached[0] == identity:
        result = cached[1]
    else:
        try:
            result = load_image(uploaded.getvalue(), uploaded.name)
            if max_side is not None:
                result = downscale(result, max_side)
        except LabError as error:
            result = error
        except Exception as error:  # noqa: BLE001 - shown to the learner, logged with details
            show_unexpected(error)
            return None
        st.session_state[cache_key] = (identity, result)
    if isinstance(result, LabError):
        show_problem(result.messages)
        return None
    return result


def image_upload(key: str, *, max_side: int | None = None) -> LoadedImage | None:
    """Just the uploader, with its limits stated; None until a usable image arrives."""
    uploaded = st.file_uploader(
        t("image_input.upload_label"),
        type=list(ALLOWED_EXTENSIONS),
        max_upload_size=MAX_UPLOAD_MB,
        key=f"{key}_upload",
        help=t("image_input.upload_help"),
    )
    st.caption(limits_caption())
    if uploaded is None:
        st.info(t("image_input.upload_waiting"))
        return None
    image = _load_upload(key, uploaded, max_side)
    if image is not None:
        for note in image.notes:
            st.info(note_text(note), icon="ℹ️")
    return image


def image_input(
    key: str,
    *,
    default: str = "camera",
    samples: Sequence[str] | None = None,
    max_side: int | None = None,
) -> LoadedImage | None:
    """Sample picker or uploader. ``key`` prefixes every widget key (one per page).

    Returns the image (reduced so its longer side is at most ``max_side`` when given) or
    None when there is nothing usable yet; messages are already on the page then.
    """
    names = list(samples) if samples is not None else list(sample_images())
    # Labels are computed now, not inside format_func: AppTest calls format_func outside
    # the script run, where the session (and so the language) is not available.
    source_labels = {option: t(f"image_input.source_{option}") for option in SOURCES}
    source = st.radio(
        t("image_input.source"),
        SOURCES,
        format_func=source_labels.__getitem__,
        key=f"{key}_source",
        horizontal=True,
    )
    if source == "upload":
        return image_upload(key, max_side=max_side)  # states its own notes
    else:
        sample_labels = {option: t(f"image_input.sample_{option}") for option in names}
        name = st.selectbox(
            t("image_input.sample_label"),
            names,
            index=names.index(default) if default in names else 0,
            format_func=sample_labels.__getitem__,
            key=f"{key}_sample",
        )
        try:
            image = load_sample(name)
        except LabError as error:
            show_problem(error.messages)
            return None
        except Exception as error:  # noqa: BLE001
            show_unexpected(error)
            return None
        if image is not None and max_side is not None:
            image = downscale(image, max_side)  # samples are small: cheap on every run
    if image is None:
        return None
    for note in image.notes:
        st.info(note_text(note), icon="ℹ️")
    return image
