"""`--channel N|mix`, shared by `new` and `generate`: which channel of a take's recording the
character speaks on (a field recorder's poly WAV keeps each actor's lavalier on its own track)."""

from __future__ import annotations

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.take import check_audio_channel

MIX = "mix"


def add_channel_flag(parser) -> None:
    parser.add_argument("--channel", default=None, metavar="N|mix",
                        help="analyse channel N of the recording alone (counted from 1), or 'mix' for the mean of "
                             "all channels (the default); stored in the take")


def channel_from(args) -> tuple[bool, int | None]:
    """(given, channel): whether --channel was given, and the channel (None: the mix). A value that is
    neither a channel number nor 'mix' is one ValidationError line."""
    text = getattr(args, "channel", None)
    if text is None:
        return False, None
    if text.strip().lower() == MIX:
        return True, None
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(f"--channel must be a channel number from 1 or '{MIX}', got {text!r}") from None
    return True, check_audio_channel(number)
