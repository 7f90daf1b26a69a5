"""The procedural performer: lip sync, emotion, head, gaze and blinks without learned weights."""
