"""How many CPU threads torch may use for one piece of work (per calling thread)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the calling thread's torch ops on ``count`` intra-op threads, then restore.

    Measured on the busy 2-core machine this was built on: one UNet training step took
    0.8 s on one thread and 9 s on two, because two OpenMP threads spin-wait for each
    other when another process holds a core. With torch's OpenMP backend the setting
    belongs to the calling thread, so a page's training thread leaves the others alone.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(count)))
    try:
        yield
    finally:
        torch.set_num_threads(before)
