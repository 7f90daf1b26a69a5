"""The mouth settings an artist turns up or down per take, in one table for the performer, the
CLI flags (`new`, `generate`) and the app's Performance section.

Values live in the take's generation options (document state: saved, undone, and a change marks
the take for regeneration). 1 is the natural default everywhere. All but two are read by the
performer; `closure_hearing` and `script_fallback` are read by the speech analysis
(pipeline.take_cache passes them to audio.analysis.analyze): how readily recognition without a
script hears p/b/m, and how readily a script's words that do not match the audio give way to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from talkface_studio.core.errors import ValidationError


@dataclass(frozen=True)
class PerformanceSetting:
    key: str  # name in the take's generation options and the performer's settings
    label: str  # as the app shows it
    maximum: float
    help: str
    default: float = 1.0

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")

    def check(self, value) -> float:
        """The value as a float, or one line naming the setting and its range."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{self.key} must be a number, got {value!r}") from None
        if not 0.0 <= v <= self.maximum:  # also refuses nan
            raise ValidationError(f"{self.key} must be between 0 and {self.maximum:g}, got {value!r}")
        return v


MOUTH_SETTINGS: tuple[PerformanceSetting, ...] = (
    PerformanceSetting("lip_amount", "Articulation", 2.0,
                       "all mouth motion: 0 = still, 1 = natural, 2 = exaggerated"),
    PerformanceSetting("jaw_amount", "Jaw opening", 2.0,
                       "how far vowels open the jaw (1 = conversational: ~10-15 mm on an open /a/)"),
    PerformanceSetting("round_amount", "Lip rounding", 2.0,
                       "how far /u/, /o/, /w/ round the lips and push them forward"),
    PerformanceSetting("closure_strength", "Lip closure", 1.5,
                       "how firmly p/b/m seal and f/v tuck: below 1 lazy, 1 sealed, above 1 held longer"),
    PerformanceSetting("closure_hearing", "Hear lip closures", 2.0,
                       "where lip sync is recognized (no script, or where the script fell back), how readily "
                       "p/b/m close the lips: above 1 fewer missed, more where none was said; below 1 the "
                       "reverse. Words aligned to a script do not change"),
    PerformanceSetting("script_fallback", "Script fallback", 2.0,
                       "with a script, how readily a stretch whose words do not match the audio falls back to "
                       "recognition (and is marked): 0 never, the script is followed wherever it can be placed "
                       "(for a script known to be exact); 1 as shipped; 2 twice as readily"),
)
BY_KEY = {s.key: s for s in MOUTH_SETTINGS}


def setting_value(options: dict, key: str) -> float:
    """A take's value of one setting (its default where unset), checked: a hand-edited project
    with a bad value gets the one-line ValidationError naming the setting."""
    spec = BY_KEY[key]
    return spec.check((options or {}).get(key, spec.default))


def mouth_options(values: dict) -> dict[str, float]:
    """{key: value} for the given settings that are not None, each checked."""
    return {k: BY_KEY[k].check(v) for k, v in values.items() if v is not None}
