"""Every artist edit as an undoable command (Qt-free), and the undo stack.

    stack = UndoStack(project)
    stack.push(PaintEmotion("take1", 12, 72, "happy", 2))
    stack.undo(); stack.redo()

The GUI wraps each command in a QUndoCommand; drags update the model live and push one command
when they end. Commands refer to takes by name and to segments, layers and keys by id.
"""

from .curve_commands import (AddKeys, AddLayer, DeleteKeys, ImportCurvesAsLayer, MoveKeys, MoveLayer,
                             RemoveLayer, ResetRangeToGenerated, SetBase, SetKeys, SetLayer)
from .emotion_commands import EraseEmotion, MoveSegmentBoundary, PaintEmotion, SetDefaultTransition, SetSegment
from .take_commands import (AddTake, MoveTake, RemoveTake, RenameTake, SetAudioChannel, SetFrameRate, SetGeneration,
                            SetLanguage, SetMedia, SetProjectSetting)
from .undo import Command, UndoStack

__all__ = [
    "Command", "UndoStack",
    "PaintEmotion", "EraseEmotion", "MoveSegmentBoundary", "SetSegment", "SetDefaultTransition",
    "AddLayer", "RemoveLayer", "MoveLayer", "SetLayer", "AddKeys", "MoveKeys", "DeleteKeys", "SetKeys",
    "ResetRangeToGenerated", "ImportCurvesAsLayer", "SetBase",
    "AddTake", "RemoveTake", "RenameTake", "MoveTake", "SetMedia", "SetFrameRate", "SetGeneration",
    "SetLanguage", "SetAudioChannel", "SetProjectSetting",
]
