"""USD export read back with pxr: the UsdSkel prims, ARKit names, time-sampled weights at the take's
exact rate, the head joint turning as relocation turns the head, and a face mesh that binds it all."""

import numpy as np
import pytest

pxr = pytest.importorskip("pxr")
from pxr import Usd, UsdGeom, UsdSkel  # noqa: E402

from talkface_studio.core.errors import ValidationError  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.face.geometry import rotation_from_angles  # noqa: E402
from talkface_studio.perform.arkit.names import ARKIT_SHAPES, INDEX  # noqa: E402
from talkface_studio.perform.arkit.solver import RigCurves  # noqa: E402
from talkface_studio.pipeline.export.usd_skel import write_usd  # noqa: E402


def _curves(n):
    rng = np.random.default_rng(3)
    head = np.zeros((n, 3), np.float32)
    head[:, 0] = np.linspace(-20, 20, n)  # yaw
    head[:, 1] = 8.0  # pitch: looking up
    eyes = np.zeros((n, 2, 3), np.float32)
    eyes[:, :, 0] = 15.0
    return RigCurves(rng.random((n, 52)).astype(np.float32), head, eyes)


def _open(path):
    stage = Usd.Stage.Open(str(path))
    root = UsdSkel.Root(stage.GetDefaultPrim())
    cache = UsdSkel.Cache()
    cache.Populate(root, Usd.PrimDefaultPredicate)
    skel = UsdSkel.Skeleton(stage.GetPrimAtPath(root.GetPath().AppendChild("Skeleton")))
    return stage, root, cache, cache.GetSkelQuery(skel)  # keep `stage` alive while using the queries


@pytest.mark.parametrize("suffix", [".usda", ".usdc"])
def test_skel_animation_reads_back_at_the_exact_rate(tmp_path, suffix):
    curves = _curves(12)
    path = write_usd(tmp_path / f"take{suffix}", curves, FrameRate(24000, 1001), 100, "line 1", "01:00:00:00")
    stage, root, cache, query = _open(path)
    assert stage.GetTimeCodesPerSecond() == pytest.approx(24000 / 1001, abs=1e-12)
    assert stage.GetFramesPerSecond() == pytest.approx(24000 / 1001, abs=1e-12)
    assert (stage.GetStartTimeCode(), stage.GetEndTimeCode()) == (100, 111)
    assert UsdGeom.GetStageUpAxis(stage) == "Y" and UsdGeom.GetStageMetersPerUnit(stage) == 0.01
    meta = root.GetPrim().GetCustomData()["talkface"]
    assert list(meta["fps_rational"]) == [24000, 1001] and meta["start_timecode"] == "01:00:00:00"
    assert meta["take"] == "line 1"
    anim = query.GetAnimQuery()
    assert list(anim.GetBlendShapeOrder()) == list(ARKIT_SHAPES)
    assert list(anim.GetJointOrder()) == ["head", "head/eyeLeft", "head/eyeRight"]
    for i in (0, 5, 11):
        assert np.allclose(np.array(anim.ComputeBlendShapeWeights(100 + i)), curves.weights[i], atol=1e-6)
    assert anim.JointTransformsMightBeTimeVarying() and anim.BlendShapeWeightsMightBeTimeVarying()


def test_head_joint_turns_as_relocation_turns_the_head(tmp_path):
    curves = _curves(5)
    stage, _, _, query = _open(write_usd(tmp_path / "t.usdc", curves, FrameRate(25)))
    flip = np.diag([1.0, -1.0, -1.0])  # ours (y down, z away) -> USD (y up, z to the viewer)
    anim = query.GetAnimQuery()
    for i in range(5):
        local = anim.ComputeJointLocalTransforms(i)
        got = np.array(local[0].ExtractRotationMatrix()).T  # USD row vectors -> column convention
        want = flip @ rotation_from_angles(*curves.head[i]) @ flip
        assert np.allclose(got, want, atol=1e-5)
    # yaw > 0 turns the face (+Z) toward the image's right (+X); pitch > 0 looks up (+Y)
    forward = np.array(anim.ComputeJointLocalTransforms(4)[0].ExtractRotationMatrix()).T @ [0, 0, 1]
    assert forward[0] > 0.3 and forward[1] > 0.1
    eye = np.array(anim.ComputeJointLocalTransforms(0)[1].ExtractRotationMatrix()).T @ [0, 0, 1]
    assert eye[0] == pytest.approx(np.sin(np.radians(15)), abs=1e-5)


def test_face_mesh_is_bound_with_the_arkit_targets(tmp_path):
    stage, root, cache, query = _open(write_usd(tmp_path / "t.usda", _curves(3), FrameRate(30000, 1001)))
    bindings = cache.ComputeSkelBindings(root, Usd.PrimDefaultPredicate)
    targets = [t for b in bindings for t in b.GetSkinningTargets()]
    assert len(targets) == 1 and targets[0].HasBlendShapes()
    mesh = UsdSkel.BindingAPI(targets[0].GetPrim())
    assert list(mesh.GetBlendShapesAttr().Get()) == list(ARKIT_SHAPES)
    shapes = {p.name: UsdSkel.BlendShape(stage.GetPrimAtPath(p))
              for p in mesh.GetBlendShapeTargetsRel().GetTargets()}
    jaw = np.array(shapes["jawOpen"].GetOffsetsAttr().Get())
    assert jaw[:, 1].min() < -2.0  # the chin drops ~2.4 cm, downward in Y-up
    up = np.array(shapes["eyeLookUpLeft"].GetOffsetsAttr().Get())
    assert up[:, 1].max() > 0.1 and len(shapes["eyeLookUpLeft"].GetPointIndicesAttr().Get()) <= 10
    assert len(UsdGeom.Mesh(targets[0].GetPrim()).GetPointsAttr().Get()) == 478


def test_unknown_suffix_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(ValidationError, match="unknown USD format"):
        write_usd(tmp_path / "t.fbx", _curves(2), FrameRate(25))
    assert list(tmp_path.iterdir()) == []


def test_weights_match_the_csv_for_the_same_curves(tmp_path):
    curves = _curves(4)
    stage, _, _, query = _open(write_usd(tmp_path / "t.usdc", curves, FrameRate(50)))
    w = np.array(query.GetAnimQuery().ComputeBlendShapeWeights(2))
    assert w[INDEX["jawOpen"]] == pytest.approx(curves.weight("jawOpen")[2])
    assert stage.GetPrimAtPath("/take/Animation").IsA(UsdSkel.Animation)
