"""Variants generated in a background thread, each saved to the gallery as it arrives.

A hosted generation can take minutes; in a thread the page keeps answering (and a
rerun cannot interrupt a request that may already be billed). Each variant is one
request with its own seed; its images are saved before the next one starts, so a
closed tab loses nothing already generated. A variant without images saves nothing.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lienzo.dashboard.labs.errors import bilingual
from lienzo.dashboard.labs.gallery import Gallery, ImageRecord
from lienzo.dashboard.labs.generators import messages_for, not_applied
from lienzo.registry.generation import GenerationRequest, ImageGenerator

RUNNING, FINISHED, STOPPED = "running", "finished", "stopped"


@dataclass
class VariantOutcome:
    """What became of one variant: saved gallery ids, or the learner's error message."""

    index: int
    seed: int | None
    entry_ids: list[int] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)
    error: dict[str, str] | None = None
    seconds: float = 0.0
    cost_estimate_usd: float | None = None


@dataclass(eq=False)
class GenerationJob:
    generator: ImageGenerator
    requests: Sequence[GenerationRequest]
    gallery: Gallery
    project: str
    context: Mapping[str, Any]  # sector, use case, style... saved with every image
    embed_metadata: bool = True
    redact: Callable[[str], str] = lambda text: text  # blanks known keys out of saved text
    outcomes: list[VariantOutcome] = field(default_factory=list)
    status: str = RUNNING
    fraction: float = 0.0  # overall progress 0..1
    stage: str = ""  # the generator's latest short status (a code for hosted adapters)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> GenerationJob:
        self._thread = threading.Thread(target=self._work, name="lienzo-generation", daemon=True)
        self._thread.start()
        return self

    def _work(self) -> None:
        total = len(self.requests)
        try:
            for index, request in enumerate(self.requests):
                if self._stop.is_set():
                    self.status = STOPPED
                    return

                def progress(fraction: float, stage: str, index: int = index) -> None:
                    self.fraction = (index + min(max(float(fraction), 0.0), 1.0)) / total
                    self.stage = str(stage)[:80]

                self.outcomes.append(self._one(index, request, progress))
                self.fraction = (index + 1) / total
            self.status = FINISHED
        finally:
            self.finished = time.monotonic()

    def _one(
        self, index: int, request: GenerationRequest, progress: Callable[[float, str], None]
    ) -> VariantOutcome:
        outcome = VariantOutcome(index=index, seed=request.seed)
        started = time.monotonic()
        try:
            outcome.not_applied = not_applied(self.generator, request)
            result = self.generator.generate(request, progress)
            outcome.not_applied = sorted(set(outcome.not_applied) | set(result.unsupported_fields))
            outcome.cost_estimate_usd = result.cost_estimate_usd
            if not result.images:
                outcome.error = bilingual("project.error_no_image")
                return outcome
            for image in result.images:
                record = self._record(index, request, result, image, outcome.not_applied)
                try:
                    entry = self.gallery.add(
                        image.data, image.format, record, embed_metadata=self.embed_metadata
                    )
                except (OSError, sqlite3.Error) as error:
                    # the image came back but cannot be kept: say where, not "generator failed"
                    outcome.error = bilingual(
                        "project.error_gallery_write",
                        folder=str(self.gallery.root),
                        detail=f"{type(error).__name__}: {error}",
                    )
                    return outcome
                outcome.entry_ids.append(entry.id)
        except Exception as error:  # noqa: BLE001 - every failure becomes a message
            outcome.error = messages_for(error)
        finally:
            outcome.seconds = time.monotonic() - started
        return outcome

    def _record(
        self,
        index: int,
        request: GenerationRequest,
        result: Any,
        image: Any,
        skipped: list[str],
    ) -> ImageRecord:
        """Only what was applied goes in the main fields (and so into the PNG)."""
        seed = image.seed if image.seed is not None else request.seed
        params = {
            **self.context,
            "variant": index + 1,
            "asked_seed": request.seed,
            "aspect_ratio": request.aspect_ratio,
            "requested_size": request.size,
            "not_applied": skipped,
            "revised_prompt": image.revised_prompt,
            "cost_estimate_usd": result.cost_estimate_usd,
            "seconds": round(float(result.seconds), 3),
            "format_received": image.format,
        }
        return ImageRecord(
            prompt=self.redact(request.prompt),
            negative_prompt=""
            if "negative_prompt" in skipped
            else self.redact(request.negative_prompt),
            seed=None if "seed" in skipped else seed,
            provider=result.provider,
            model=result.model,
            project=self.project,
            params={k: self.redact(v) if isinstance(v, str) else v for k, v in params.items()},
        )

    def stop(self) -> None:
        """Stop after the variant in flight (a request already sent is not abandoned)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Asked to stop; the variant in flight still finishes (and is saved)."""
        return self._stop.is_set() and self.running

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def entry_ids(self) -> list[int]:
        return [entry for outcome in self.outcomes for entry in outcome.entry_ids]

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running
