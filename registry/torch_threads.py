"""Run a block of torch work on one intra-op thread (the labs' tiny models).

A tiny network gains nothing from a second thread, and on a busy 2-core machine two
OpenMP threads waiting on each other made each training step 20-50x slower. The
setting is restored afterwards, so callers around this block are unaffected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
