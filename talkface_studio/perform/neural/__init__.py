"""The paper's stage 1 model (speech + emotion -> landmarks, gaze, head pose) behind the Performer
protocol. Importing this package loads torch; the registry imports it only when asked for."""

from talkface_studio.perform.neural.config import PerformOptions, SpeechToCuesConfig
from talkface_studio.perform.neural.loading import load_speech_to_cues, save_speech_to_cues
from talkface_studio.perform.neural.performer import MISSING_CHECKPOINT, NeuralPerformer
from talkface_studio.perform.neural.speech_to_cues import SpeechToCues

__all__ = ["NeuralPerformer", "PerformOptions", "SpeechToCues", "SpeechToCuesConfig", "MISSING_CHECKPOINT",
           "load_speech_to_cues", "save_speech_to_cues"]
