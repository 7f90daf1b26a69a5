"""The per-take mouth settings as command-line flags, shared by `new` and `generate`."""

from __future__ import annotations

from talkface_studio.perform.procedural.performance_settings import MOUTH_SETTINGS, mouth_options


def add_mouth_flags(parser) -> None:
    group = parser.add_argument_group("mouth (stored in the take; 1 = natural)")
    for s in MOUTH_SETTINGS:
        group.add_argument(s.flag, dest=s.key, type=str, default=None, metavar="X",
                           help=f"{s.help} (0-{s.maximum:g}, default {s.default:g})")


def mouth_options_from(args) -> dict[str, float]:
    """The flags that were given, checked (one-line ValidationError naming the setting)."""
    return mouth_options({s.key: getattr(args, s.key, None) for s in MOUTH_SETTINGS})
