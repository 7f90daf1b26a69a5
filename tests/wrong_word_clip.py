"""A human clip with its script, and the same script with one word the speaker did not say: the
alignment places it, except one stretch that falls back (the lip-sync marks' tests)."""

import json
from pathlib import Path

SPEECH = Path(__file__).parent / "data" / "speech"
CLIP = "en_m_goforward"
SAID = json.loads((SPEECH / f"{CLIP}.json").read_text())["text"]  # "go forward ten meters"
WRONG = SAID.replace("ten", "mop")  # a word the speaker did not say: one stretch falls back
