"""The 52 ARKit blendshape names, in the order Live Link Face records them, and the 9 rotations after them.

The order is the column order of a Live Link Face CSV (and of Unreal's `EARFaceBlendShape` enum, which
the app's UDP packets follow): left eye, right eye, jaw, mouth, brows, cheeks, nose, tongue. Apple
spells the names in camelCase (`eyeBlinkLeft`, `ARFaceAnchor.BlendShapeLocation`); Live Link Face and
Unreal in PascalCase (`EyeBlinkLeft`). USD files use Apple's spelling.

"Left" is the performer's own left, which the camera sees on the image's right: MediaPipe's "left"
regions (face.topology), at x > 0 in normalized space.
"""

from __future__ import annotations

LIVE_LINK_SHAPES: tuple[str, ...] = (
    "EyeBlinkLeft", "EyeLookDownLeft", "EyeLookInLeft", "EyeLookOutLeft", "EyeLookUpLeft",
    "EyeSquintLeft", "EyeWideLeft",
    "EyeBlinkRight", "EyeLookDownRight", "EyeLookInRight", "EyeLookOutRight", "EyeLookUpRight",
    "EyeSquintRight", "EyeWideRight",
    "JawForward", "JawRight", "JawLeft", "JawOpen",
    "MouthClose", "MouthFunnel", "MouthPucker", "MouthRight", "MouthLeft",
    "MouthSmileLeft", "MouthSmileRight", "MouthFrownLeft", "MouthFrownRight",
    "MouthDimpleLeft", "MouthDimpleRight", "MouthStretchLeft", "MouthStretchRight",
    "MouthRollLower", "MouthRollUpper", "MouthShrugLower", "MouthShrugUpper",
    "MouthPressLeft", "MouthPressRight", "MouthLowerDownLeft", "MouthLowerDownRight",
    "MouthUpperUpLeft", "MouthUpperUpRight",
    "BrowDownLeft", "BrowDownRight", "BrowInnerUp", "BrowOuterUpLeft", "BrowOuterUpRight",
    "CheekPuff", "CheekSquintLeft", "CheekSquintRight",
    "NoseSneerLeft", "NoseSneerRight",
    "TongueOut",
)
# Apple's spelling, same order: eyeBlinkLeft ... tongueOut.
ARKIT_SHAPES: tuple[str, ...] = tuple(n[0].lower() + n[1:] for n in LIVE_LINK_SHAPES)
INDEX: dict[str, int] = {n: i for i, n in enumerate(ARKIT_SHAPES)}

ROTATION_COLUMNS: tuple[str, ...] = (
    "HeadYaw", "HeadPitch", "HeadRoll",
    "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
    "RightEyeYaw", "RightEyePitch", "RightEyeRoll",
)
LIVE_LINK_VALUES: tuple[str, ...] = LIVE_LINK_SHAPES + ROTATION_COLUMNS  # 61 values per row
assert len(ARKIT_SHAPES) == 52 and len(LIVE_LINK_VALUES) == 61


def mirrored_name(name: str) -> str:
    """The shape on the other side (`mouthSmileLeft` <-> `mouthSmileRight`, `jawLeft` <-> `jawRight`);
    shapes without a side map to themselves."""
    for a, b in (("Left", "Right"), ("Right", "Left")):
        if name.endswith(a):
            return name[: -len(a)] + b
    return name
