"""A new project from an audio file, a portrait and emotion labels: shared by `new`, `demo` and the app."""

from __future__ import annotations

import re
from pathlib import Path

from talkface_studio.core.emotion_track import EMOTIONS, EmotionTrack, default_transition
from talkface_studio.core.errors import ValidationError
from talkface_studio.core.project import Project
from talkface_studio.core.take import GenerationSettings, Take, check_audio_channel, check_seed, check_take_name
from talkface_studio.core.timebase import FrameRate

_EMOTION_LABEL = re.compile(r"(?P<emotion>[a-z]+)(?::(?P<level>\d+))?@(?P<start>[0-9.]+)-(?P<end>[0-9.]+)")


def parse_emotion_label(text: str, rate: FrameRate, n_frames: int) -> tuple[int, int, str, int]:
    """'happy:2@0.5-3.0' (seconds) -> (start_frame, end_frame, 'happy', 2), checked against the take."""
    m = _EMOTION_LABEL.fullmatch(text.strip().lower())
    if not m:
        raise ValidationError(f"--emotion {text!r}: expected EMOTION[:LEVEL]@START-END, e.g. happy:2@0.5-3.0")
    emotion = m["emotion"]
    if emotion not in EMOTIONS:
        raise ValidationError(f"--emotion {text!r}: unknown emotion {emotion!r}; use one of {', '.join(EMOTIONS)}")
    level = int(m["level"] or 2)
    if level not in (1, 2, 3):
        raise ValidationError(f"--emotion {text!r}: level must be 1-3, got {level}")
    try:
        t0, t1 = float(m["start"]), float(m["end"])
    except ValueError:
        raise ValidationError(f"--emotion {text!r}: times must be seconds like 0.5") from None
    start, end = rate.seconds_to_frame(t0), rate.seconds_to_frame(t1)
    if end <= start:
        raise ValidationError(f"--emotion {text!r}: the range must end after it starts (and span a frame)")
    if start >= n_frames or end > n_frames + 1:
        seconds = rate.frame_to_seconds(n_frames)
        raise ValidationError(f"--emotion {text!r}: the audio is only {seconds:.2f} s long")
    return start, min(end, n_frames), emotion, level


def new_project(path, audio, portrait, fps="24", emotions=(), take: str = "take1", seed: int = 0,
                transcript: str | None = None, options: dict | None = None, fit_size: int = 512,
                language: str = "en", note=None, face: int | None = None, channel: int | None = None) -> Project:
    """Decode the audio (for the take's length) and fit the portrait's face now, so a photo without
    a usable face is refused here, naming it, rather than at the first generate or render; the fit
    is stored in the take. `options` are the take's generation options (e.g. mouth settings). Later
    emotion labels paint over earlier ones. `language` is a BCP-47 tag that the speech front end
    supports (checked first: it is the cheapest mistake). `note(text)`, when given, hears what the
    artist should know but that does not stop the project (a small face renders soft when large; a
    photo of several faces). `face` picks one, counted from the left (default: the largest).
    `channel` is the recording's channel the character speaks on (from 1; None: the mix)."""
    # Audio decoding and face fitting live in their rooms; imported here so importing this is cheap.
    from talkface_studio.audio.languages import check_language
    from talkface_studio.audio.loading import load_audio
    from talkface_studio.core.file_access import check_regular
    from talkface_studio.core.errors import MediaError
    from talkface_studio.face.portrait import fit_portrait

    language = check_language(language)
    rate = FrameRate.parse(fps)
    name = check_take_name(take)
    check_seed(seed)
    audio, portrait = Path(audio).absolute(), Path(portrait).absolute()
    check_regular(audio, "audio file", MediaError)
    check_regular(portrait, "image file", MediaError)
    clip = load_audio(audio)
    clip.only_channel(check_audio_channel(channel))  # a channel the recording lacks: refused here, naming it
    fit = fit_portrait(portrait, size=fit_size, face=face)
    if note is not None:
        for text in fit.notes():
            note(text)
    n_frames = rate.frames_in(clip.duration)
    if n_frames == 0:
        raise ValidationError("the audio is shorter than one frame", audio)
    track = EmotionTrack(default_transition=default_transition(rate.fps))
    for text in emotions:
        track.paint(*parse_emotion_label(text, rate, n_frames))
    generation = GenerationSettings(seed=seed, transcript=transcript, options=dict(options or {}))
    stored_fit = fit.to_json(relative_to=Path(path).absolute().parent)
    return Project([Take(name, audio, portrait, rate, n_frames, track, generation=generation,
                         portrait_fit=stored_fit, language=language, audio_channel=channel)], path=Path(path))
