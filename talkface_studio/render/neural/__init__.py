"""The paper's stage 2: face-vid2vid keypoint generator driven by landmarks. Importing this package
registers the "neural" renderer (render.registry imports it lazily; torch models load on demand)."""

from talkface_studio.render.neural.config import KeypointGeneratorConfig
from talkface_studio.render.neural.keypoint_generator import (KeypointGenerator, load_keypoint_generator,
                                                              save_keypoint_generator)
from talkface_studio.render.neural.renderer import MISSING_CHECKPOINT, NeuralRenderer
from talkface_studio.render.registry import register_renderer

register_renderer("neural", NeuralRenderer)

__all__ = ["KeypointGenerator", "KeypointGeneratorConfig", "NeuralRenderer", "MISSING_CHECKPOINT",
           "load_keypoint_generator", "save_keypoint_generator"]
