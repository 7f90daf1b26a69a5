"""The CPU render path never imports torch (``import torch`` costs ~1.5 s of a 2 s first frame):
the mesh-warp renderer draws with numpy and OpenCV, and "auto" decides on the CPU without torch
where no NVIDIA driver is installed. torch comes in only for a GPU or an explicit batch."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from talkface_studio.core.errors import ValidationError
from talkface_studio.torch_support import device as render_device
from talkface_studio.torch_support.device import ComputeDevice, choose_device

RENDER_AND_REPORT = """
import sys
from talkface_studio.cli.main import main
code = main(sys.argv[1:])
print("TORCH", "torch" in sys.modules, "EXIT", code)
"""


def _render(args) -> str:
    out = subprocess.run([sys.executable, "-c", RENDER_AND_REPORT, "render", *args],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture
def project(demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "p")
    return tmp_path / "p" / "demo.tfs"


def test_rendering_a_generated_take_on_the_cpu_never_imports_torch(project, tmp_path):
    out = tmp_path / "frames"
    assert _render([str(project), "-o", f"{out}/", "--frames", "10-11", "--size", "256", "--no-cache",
                    "--device", "cpu"]) == "TORCH False EXIT 0"
    assert len(list(out.glob("*.png"))) == 2


def test_rendering_a_stale_take_with_auto_device_never_imports_torch(project, tmp_path):
    if render_device.nvidia_driver_present():
        pytest.skip("an NVIDIA driver is installed: auto asks torch whether CUDA works")
    from talkface_studio.core.commands import PaintEmotion, UndoStack
    from talkface_studio.core.project_file import load_project, save_project

    loaded = load_project(project)
    UndoStack(loaded).edit(PaintEmotion(loaded.takes[0].name, 5, 20, "happy", 3))
    save_project(loaded, project)              # painted, not generated: the take is stale
    out = tmp_path / "stale"
    assert _render([str(project), "-o", f"{out}/", "--frames", "12-12", "--size", "256",
                    "--no-cache"]) == "TORCH False EXIT 0"
    assert len(list(out.glob("*.png"))) == 1


def test_auto_is_the_cpu_without_asking_torch_when_no_driver_is_there(monkeypatch):
    monkeypatch.setattr(render_device, "nvidia_driver_present", lambda: False)
    monkeypatch.setitem(sys.modules, "torch", None)           # any import of torch would fail
    assert choose_device("auto") == ComputeDevice("cpu")
    assert choose_device("cpu") == ComputeDevice("cpu") and str(choose_device("CPU")) == "cpu"
    with pytest.raises(ValidationError, match="not supported"):
        choose_device("tpu")


def test_asking_for_cuda_asks_torch_and_fails_in_one_line_without_a_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(render_device, "nvidia_driver_present", lambda: False)   # files can lie
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValidationError, match="was asked for but no CUDA GPU is available"):
        choose_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert choose_device("cuda") == ComputeDevice("cuda")


def test_auto_asks_torch_where_a_driver_is_there(monkeypatch):
    import torch

    monkeypatch.setattr(render_device, "nvidia_driver_present", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert choose_device("auto") == ComputeDevice("cuda")
    assert str(choose_device("cuda:1")) == "cuda:1" and choose_device("cuda").torch() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert choose_device("auto") == ComputeDevice("cpu")
    assert choose_device(torch.device("cpu")) == ComputeDevice("cpu")


def test_only_the_tensor_path_uses_torch_arrays():
    import numpy as np

    from talkface_studio.render.mesh_warp.pixel_ops import NUMPY, ops_of
    from talkface_studio.render.mesh_warp.renderer import MeshWarpRenderer

    assert MeshWarpRenderer(device="cpu")._ops is NUMPY
    assert MeshWarpRenderer(device="cpu", batch=2)._ops is ops_of(__import__("torch").zeros(1))
    assert ops_of(np.zeros(1)) is NUMPY and ops_of(np.float32(1)) is NUMPY and ops_of(1.0) is NUMPY


def test_render_with_cuda_on_a_machine_without_one_is_one_line(project, tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    from talkface_studio.cli.main import main

    assert main(["render", str(project), "-o", f"{tmp_path / 'x'}/", "--frames", "1-1", "--device", "cuda"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "device" in line]
    assert err == ["talkface-studio render: render device 'cuda' was asked for but no CUDA GPU is available"]
    assert not (tmp_path / "x").exists()
