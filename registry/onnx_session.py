"""OnnxSession: an onnxruntime session that reports where it really runs and fixes input dtypes.

- Providers: CUDA is asked for only when this onnxruntime build offers it, CPU
  otherwise; ``providers`` is what the session actually got
  (``session.get_providers()``), never what was asked for. onnxruntime falls back
  to CPU silently when CUDA libraries are missing, and this is how a page finds out.
- Inputs: each value is cast to the element type the graph declares (a diffusion
  UNet's int64 timestep given as a Python int, a float64 array given to a float
  graph). A scalar given to a 1-D input becomes a vector, as long as another
  input's batch dimension when the graph names the two dimensions alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

CUDA, CPU = "CUDAExecutionProvider", "CPUExecutionProvider"

# onnxruntime's type strings -> numpy dtypes
_DTYPES: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int16)": np.int16,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}


def _onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "onnxruntime is not installed: install lienzo[cpu] (or lienzo[gpu] on a "
            "machine with an NVIDIA GPU), e.g. pip install 'lienzo[cpu]'"
        ) from error
    return onnxruntime


def choose_providers(prefer_gpu: bool = True) -> list[str]:
    """The providers to ask for: CUDA first only when this build has it."""
    available = _onnxruntime().get_available_providers()
    return [CUDA, CPU] if prefer_gpu and CUDA in available else [CPU]


class OnnxSession:
    """A small wrapper over ``onnxruntime.InferenceSession``."""

    def __init__(self, path: Path | str, prefer_gpu: bool = True):
        ort = _onnxruntime()
        self.path = Path(path)
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: no provider-fallback chatter
        self.session = ort.InferenceSession(
            str(self.path), sess_options=options, providers=choose_providers(prefer_gpu)
        )
        self.providers: list[str] = list(self.session.get_providers())
        self._inputs = self.session.get_inputs()
        self.input_names = [i.name for i in self._inputs]
        self.output_names = [o.name for o in self.session.get_outputs()]

    @property
    def provider(self) -> str:
        return self.providers[0]

    @property
    def on_gpu(self) -> bool:
        return self.provider == CUDA

    def describe(self) -> str:
        return "GPU (CUDA)" if self.on_gpu else "CPU"

    def run(self, *arrays: Any, **named: Any) -> list[np.ndarray]:
        """Run the graph on positional inputs (graph order) or named ones; returns every output."""
        if arrays and named:
            raise TypeError("pass the inputs either by position or by name, not both")
        if arrays:
            if len(arrays) != len(self.input_names):
                raise TypeError(
                    f"the graph takes {len(self.input_names)} inputs "
                    f"({', '.join(self.input_names)}), got {len(arrays)}"
                )
            named = dict(zip(self.input_names, arrays, strict=True))
        missing = [name for name in self.input_names if name not in named]
        unknown = [name for name in named if name not in self.input_names]
        if missing or unknown:
            raise TypeError(
                f"inputs missing: {missing or 'none'}; unknown: {unknown or 'none'}; "
                f"the graph takes {', '.join(self.input_names)}"
            )
        feed = self._prepare(named)
        return list(self.session.run(self.output_names, feed))

    def _prepare(self, named: dict[str, Any]) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {}
        sizes: dict[str, int] = {}  # symbolic dimension name -> size seen in another input
        for spec in self._inputs:
            dtype = _DTYPES.get(spec.type)
            value = named[spec.name]
            if hasattr(value, "detach"):  # a torch tensor
                value = value.detach().cpu().numpy()
            array = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
            arrays[spec.name] = array
            if array.ndim == len(spec.shape):
                for dim, size in zip(spec.shape, array.shape, strict=True):
                    if isinstance(dim, str):
                        sizes.setdefault(dim, size)
        for spec in self._inputs:
            array = arrays[spec.name]
            if array.ndim == 0 and len(spec.shape) == 1:
                dim = spec.shape[0]
                length = dim if isinstance(dim, int) else sizes.get(dim, 1)
                arrays[spec.name] = np.full((length,), array, dtype=array.dtype)
        return arrays
