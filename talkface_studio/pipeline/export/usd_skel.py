"""Rig curves as USD (usd-core's `pxr`): a UsdSkel skeleton animation with the 52 ARKit blend shapes.

Prim layout (`/<take>` is the default prim):

    /<take>                 SkelRoot     customData talkface:{take, fps_rational, start_timecode}
      Skeleton              Skeleton     joints head, head/eyeLeft, head/eyeRight
                                          skel:animationSource -> ../Animation
      Animation             SkelAnimation joints, rotations (time-sampled quatf per joint),
                                          translations, scales, blendShapes (ARKit names),
                                          blendShapeWeights (time-sampled float[52])
      Face                  Mesh         the 478-point canonical face in cm, bound to Skeleton
                                          (every point to `head`), skel:blendShapes = ARKit names
        eyeBlinkLeft ...    BlendShape   sparse offsets: what each ARKit shape does on this face

Why joints for the head: UsdSkel joint animation is what Maya (mayaUSD), Blender, Houdini and
Unreal import as skeletal animation, and a blend-shape weight is only ever applied through a
skinned mesh's `skel:blendShapes`, so the animation sits in one SkelAnimation that a DCC binds to
its own rig by joint and shape names; the face mesh makes the file play on its own (usdview) and
shows what each name means on our face. Eye joints carry the gaze for rigs with eye bones; the
preview mesh moves its irises with the eyeLook shapes instead (never both).

Axes: Y up, Z toward the viewer, centimetres (metersPerUnit 0.01). Head rotation about the neck pivot
face.relocate uses; yaw/pitch/roll as in pipeline.export.chan (rx = -pitch, ry = yaw, rz = roll,
applied yaw, pitch, roll), as one quaternion per frame so no rotation order is needed.

Time: time codes are take frame numbers; timeCodesPerSecond = framesPerSecond = the take's rate as
a double (24000/1001 = 23.976023976..., 30000/1001 = 29.97002997...): USD has no rational rate, so
the exact one is kept in customData `talkface:fps_rational` ([24000, 1001]); frame numbers stay
exact either way.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.timebase import FrameRate
from talkface_studio.face.geometry import rotation_from_angles
from talkface_studio.face.relocate import NECK_PIVOT
from talkface_studio.face.topology import N_LANDMARKS, REGIONS, TRIANGLES, canonical_face
from talkface_studio.perform.arkit.gaze_shapes import DOWN_DEG, SIDEWAYS_DEG, UP_DEG
from talkface_studio.perform.arkit.names import ARKIT_SHAPES
from talkface_studio.perform.arkit.shape_fields import shape_fields, split
from talkface_studio.perform.face_fields import MM

from .atomic import atomic_file

SUFFIXES = (".usda", ".usdc", ".usd")
JOINTS = ("head", "head/eyeLeft", "head/eyeRight")
_FLIP = np.diag([1.0, -1.0, -1.0])  # normalized (x right, y down, z away) -> USD (x right, y up, z to viewer)
_CM = 0.1 / MM  # normalized units -> centimetres


def to_usd_points(points: np.ndarray) -> np.ndarray:
    return np.asarray(points, np.float64) @ _FLIP * _CM


def _quat(rotation: np.ndarray):
    from pxr import Gf

    q = Gf.Matrix3d(*np.asarray(rotation, np.float64).T.reshape(-1).tolist()).ExtractRotation().GetQuat()
    return Gf.Quatf(q)


def joint_rotations(angles_deg: np.ndarray) -> list:
    """[T, 3] (yaw, pitch, roll) in our conventions -> USD quaternions (joint-local, Y up, Z to viewer)."""
    r = rotation_from_angles(angles_deg[:, 0], angles_deg[:, 1], angles_deg[:, 2])
    return [_quat(_FLIP @ m @ _FLIP) for m in r]


EYEBALL_RADIUS_MM = 12.0


def _eye_centres() -> tuple[np.ndarray, np.ndarray]:
    """The eyeballs' centres (left, right): behind each iris by the eyeball's radius."""
    face = canonical_face().astype(np.float64)
    back = np.array([0.0, 0.0, EYEBALL_RADIUS_MM * MM])
    return tuple(face[REGIONS[f"{side}_iris"][0]] + back for side in ("left", "right"))


def _gaze_shape_offsets() -> dict[str, np.ndarray]:
    """The eyeLook shapes on the preview mesh: the irises turned by relocation's gaze, per eye."""
    from talkface_studio.face.relocate import relocate

    face = canonical_face()
    rest = relocate(face, face[None], {})[0].astype(np.float64)

    def turned(yaw=0.0, pitch=0.0):
        moved = relocate(face, face[None], {"gaze_yaw": np.array([yaw]), "gaze_pitch": np.array([pitch])})[0]
        return split(moved.astype(np.float64) - rest)

    out = {}
    out["eyeLookOutLeft"], out["eyeLookInRight"] = turned(yaw=SIDEWAYS_DEG)
    out["eyeLookInLeft"], out["eyeLookOutRight"] = turned(yaw=-SIDEWAYS_DEG)
    out["eyeLookUpLeft"], out["eyeLookUpRight"] = turned(pitch=UP_DEG)
    out["eyeLookDownLeft"], out["eyeLookDownRight"] = turned(pitch=-DOWN_DEG)
    return out


def shape_offsets() -> dict[str, np.ndarray]:
    """{ARKit name: [478, 3] offsets in USD axes and cm} for the preview mesh (tongueOut: zeros)."""
    fields = dict(shape_fields())
    fields.update(_gaze_shape_offsets())
    return {n: to_usd_points(fields[n]) if n in fields else np.zeros((N_LANDMARKS, 3)) for n in ARKIT_SHAPES}


def _faces() -> np.ndarray:
    """The mesh's triangles plus a fan over each iris (centre to its ring), so the eyes show."""
    fans = []
    for side in ("left", "right"):
        centre, *ring = REGIONS[f"{side}_iris"]
        fans += [(centre, ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
    return np.concatenate([TRIANGLES, np.array(fans, np.int32)])


def build_stage(stage, curves, rate: FrameRate, first_frame: int = 0, take: str = "take",
                start_timecode: str | None = None) -> None:
    """Author the prims above into an (empty) stage."""
    from pxr import Gf, Tf, UsdGeom, UsdSkel, Vt

    n = curves.n_frames
    fps = rate.num / rate.den
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 0.01)
    stage.SetTimeCodesPerSecond(fps)
    stage.SetFramesPerSecond(fps)
    stage.SetStartTimeCode(first_frame)
    stage.SetEndTimeCode(first_frame + max(n - 1, 0))
    name = Tf.MakeValidIdentifier(take or "take")
    root = UsdSkel.Root.Define(stage, f"/{name}")
    stage.SetDefaultPrim(root.GetPrim())
    root.GetPrim().SetCustomDataByKey("talkface:take", take)
    root.GetPrim().SetCustomDataByKey("talkface:fps_rational", Vt.IntArray([rate.num, rate.den]))
    if start_timecode:
        root.GetPrim().SetCustomDataByKey("talkface:start_timecode", start_timecode)

    # joints: the head pivots where relocation turns it; each eye turns about its eyeball's centre
    pivot = to_usd_points(NECK_PIVOT[None])[0]
    eyes = [to_usd_points(c[None])[0] - pivot for c in _eye_centres()]
    rest_local = [Gf.Matrix4d().SetTranslate(Gf.Vec3d(*pivot))] + [Gf.Matrix4d().SetTranslate(Gf.Vec3d(*e))
                                                                    for e in eyes]
    bind_world = [rest_local[0]] + [m * rest_local[0] for m in rest_local[1:]]
    skel = UsdSkel.Skeleton.Define(stage, f"/{name}/Skeleton")
    skel.CreateJointsAttr(list(JOINTS))
    skel.CreateBindTransformsAttr(Vt.Matrix4dArray(bind_world))
    skel.CreateRestTransformsAttr(Vt.Matrix4dArray(rest_local))

    anim = UsdSkel.Animation.Define(stage, f"/{name}/Animation")
    anim.CreateJointsAttr(list(JOINTS))
    anim.CreateTranslationsAttr(Vt.Vec3fArray([Gf.Vec3f(*pivot)] + [Gf.Vec3f(*e) for e in eyes]))
    anim.CreateScalesAttr(Vt.Vec3hArray([Gf.Vec3h(1, 1, 1)] * len(JOINTS)))
    anim.CreateBlendShapesAttr(list(ARKIT_SHAPES))
    rotations = anim.CreateRotationsAttr()
    weights = anim.CreateBlendShapeWeightsAttr()
    head = joint_rotations(np.asarray(curves.head, np.float64))
    eye_l = joint_rotations(np.asarray(curves.eyes[:, 0], np.float64))
    eye_r = joint_rotations(np.asarray(curves.eyes[:, 1], np.float64))
    w = np.asarray(curves.weights, np.float32)
    for i in range(n):
        t = first_frame + i
        rotations.Set(Vt.QuatfArray([head[i], eye_l[i], eye_r[i]]), t)
        weights.Set(Vt.FloatArray.FromNumpy(w[i]), t)
    UsdSkel.BindingAPI.Apply(skel.GetPrim()).CreateAnimationSourceRel().SetTargets([anim.GetPath()])

    _face_mesh(stage, f"/{name}/Face", skel)


def _face_mesh(stage, path: str, skel) -> None:
    from pxr import Gf, UsdGeom, UsdSkel, Vt

    mesh = UsdGeom.Mesh.Define(stage, path)
    faces = _faces()
    mesh.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(to_usd_points(canonical_face()).astype(np.float32)))
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray([3] * len(faces)))
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray(faces.reshape(-1).tolist()))
    mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
    mesh.CreateDisplayColorAttr(Vt.Vec3fArray([Gf.Vec3f(0.8, 0.66, 0.58)]))
    binding = UsdSkel.BindingAPI.Apply(mesh.GetPrim())
    binding.CreateSkeletonRel().SetTargets([skel.GetPath()])
    binding.CreateJointIndicesPrimvar(constant=True, elementSize=1).Set(Vt.IntArray([0]))
    binding.CreateJointWeightsPrimvar(constant=True, elementSize=1).Set(Vt.FloatArray([1.0]))
    binding.CreateGeomBindTransformAttr(Gf.Matrix4d(1.0))
    binding.CreateBlendShapesAttr(list(ARKIT_SHAPES))
    targets = []
    for shape, offsets in shape_offsets().items():
        moving = np.flatnonzero(np.linalg.norm(offsets, axis=1) > 1e-4)
        if len(moving) == 0:
            moving = np.array([0])  # a shape must name a point; tongueOut has nothing to move here
        blend = UsdSkel.BlendShape.Define(stage, f"{path}/{shape}")
        blend.CreateOffsetsAttr(Vt.Vec3fArray.FromNumpy(offsets[moving].astype(np.float32)))
        blend.CreatePointIndicesAttr(Vt.IntArray(moving.tolist()))
        targets.append(blend.GetPath())
    binding.CreateBlendShapeTargetsRel().SetTargets(targets)


def write_usd(path: str | os.PathLike, curves, rate: FrameRate, first_frame: int = 0, take: str = "take",
              start_timecode: str | None = None) -> Path:
    """Write .usda (text) or .usdc/.usd (binary crate); the file appears only when complete."""
    from pxr import Usd

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(f"unknown USD format {suffix!r}; use {', '.join(SUFFIXES)}", path)
    stage = Usd.Stage.CreateInMemory()
    build_stage(stage, curves, rate, first_frame, take, start_timecode)
    # USD picks its writer (text or crate) from the file name: the temporary file keeps the suffix
    with atomic_file(path, keep_suffix=True) as temp:
        if not stage.GetRootLayer().Export(str(temp)):
            raise OSError(f"USD could not write {temp.name}")
    return path
