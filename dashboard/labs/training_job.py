"""Live training in a background thread, so a page stays responsive while a model learns.

A page keeps the job in its session state; reruns and page changes only read it.
Each job trains its own model object, never one shared across sessions.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lienzo.registry.contract import EpochProgress

_LIVE_JOBS: weakref.WeakSet[TrainingJob] = weakref.WeakSet()

RUNNING, FINISHED, STOPPED, DIVERGED, FAILED = (
    "running",
    "finished",
    "stopped",
    "diverged",
    "failed",
)


@dataclass(eq=False)  # identity equality: jobs live in a WeakSet
class TrainingJob:
    """One training run: the model it trains, its history, and how it ended."""

    model: Any
    config: Any
    history: list[EpochProgress] = field(default_factory=list)
    status: str = RUNNING
    error: str = ""
    result: Any = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self, after: Callable[[Any], None] | None = None) -> TrainingJob:
        """Start training; ``after(model)`` runs in the thread once training ends well."""

        def work() -> None:
            try:
                self.result = self.model.train(
                    self.config, progress=self.history.append, stop=self._stop
                )
                if getattr(self.result, "diverged", False):
                    self.status = DIVERGED
                else:
                    if after is not None:
                        after(self.model)
                    self.status = STOPPED if self._stop.is_set() else FINISHED
            except Exception as error:  # noqa: BLE001 - shown to the learner, not raised
                self.status, self.error = FAILED, f"{type(error).__name__}: {error}"
            finally:
                self.finished = time.monotonic()

        self._thread = threading.Thread(target=work, name="lienzo-training", daemon=True)
        _LIVE_JOBS.add(self)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (for tests and the CLI); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running


@atexit.register
def _stop_live_jobs() -> None:
    """Stop runs still going when the server exits: torch aborts if killed mid-step."""
    jobs = list(_LIVE_JOBS)
    for job in jobs:
        job.stop()
    for job in jobs:
        job.wait(10)
