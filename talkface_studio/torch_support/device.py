"""Choosing the device a renderer or a model runs on, without importing torch when the answer is the CPU.

``import torch`` costs ~1.5 s on a small machine, and the mesh-warp renderer draws on the CPU with
numpy and OpenCV alone: a render's first frame must not wait for it. So "auto" first looks for an
NVIDIA driver (its device nodes, its /proc entry, a loadable ``libcuda``); with none there it is the
CPU and torch stays unloaded. Only where a driver is present is torch asked whether CUDA works.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

from talkface_studio.core.errors import ValidationError

_DRIVER_FILES = ("/dev/nvidiactl", "/dev/nvidia0", "/proc/driver/nvidia/version")


@dataclass(frozen=True)
class ComputeDevice:
    """Where frames are drawn: ``type`` "cpu" or "cuda" (and a CUDA ``index``), torch-free."""

    type: str
    index: int | None = None

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def torch(self):
        """The same device as a ``torch.device`` (imports torch: the tensor path only)."""
        import torch

        return torch.device(str(self))


def nvidia_driver_present() -> bool:
    """True when an NVIDIA driver may be installed: its device files, or its library loads
    (``libcuda`` on Linux, ``nvcuda.dll`` on Windows). Cheap where there is none: a few stat calls
    and a failed dlopen (``ctypes.util.find_library`` would spawn ldconfig and gcc, ~15 ms each)."""
    if any(os.path.exists(p) for p in _DRIVER_FILES):
        return True
    names = ("nvcuda.dll",) if os.name == "nt" else ("libcuda.so.1", "libcuda.so")
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def cuda_available(ask_torch: bool = False) -> bool:
    """torch's answer, asked only where a driver is present or ``ask_torch`` (an explicit request
    for cuda: its answer then is torch's, whatever the files say); otherwise False without torch."""
    if not ask_torch and not nvidia_driver_present():
        return False
    import torch

    return bool(torch.cuda.is_available())


def choose_device(device="auto", what: str = "device") -> ComputeDevice:
    """"auto" -> cuda when available, else cpu; an explicit name is checked, not silently replaced.
    Accepts a name, a ``ComputeDevice`` or a ``torch.device``; bad names raise ``ValidationError``."""
    name = getattr(device, "type", None)
    if name is not None and not isinstance(device, str):
        index = getattr(device, "index", None)
        name = name if index is None else f"{name}:{index}"
    else:
        name = str(device).strip().lower()
    if name == "auto":
        return ComputeDevice("cuda" if cuda_available() else "cpu")
    kind, _, index = name.partition(":")
    if kind not in ("cpu", "cuda") or (index and (not index.isdigit() or kind == "cpu")):
        raise ValidationError(f"{what} {device!r} is not supported (use auto, cpu or cuda)")
    if kind == "cuda" and not cuda_available(ask_torch=True):
        raise ValidationError(f"{what} {device!r} was asked for but no CUDA GPU is available")
    return ComputeDevice(kind, int(index) if index else None)


def pick_device(device="auto", what: str = "device"):
    """``choose_device`` as a ``torch.device``, for torch models (imports torch)."""
    return choose_device(device, what).torch()
