"""BCP-47 language tags on takes: syntax and spelling only (which languages work is audio's call).

A take stores its language as a normalized tag: language subtag lower case, script title case,
region upper case ("EN-us" -> "en-US", "zh-hans-cn" -> "zh-Hans-CN"). Whether the speech
front end supports it is decided in `audio.languages`, so core stays free of audio knowledge and
a project written by a later version with more languages still opens.
"""

from __future__ import annotations

import re

from .errors import ValidationError

DEFAULT_LANGUAGE = "en"
# language (2-3 letters) [-script (4 letters)] [-region (2 letters or 3 digits)] [-variants ...]
_TAG = re.compile(r"^([a-zA-Z]{2,3})((?:[-_][a-zA-Z0-9]{1,8})*)$")


def normalize_language(tag) -> str:
    """'EN_us' -> 'en-US'; refuses text that is not a language tag at all."""
    if not isinstance(tag, str) or len(tag) > 35 or not _TAG.match(tag.strip()):
        raise ValidationError(f"language must be a BCP-47 code such as en, en-US, fr-CA or ja, got {tag!r}")
    lang, *rest = re.split(r"[-_]", tag.strip())
    parts = [lang.lower()]
    for sub in rest:
        if len(sub) == 4 and sub.isalpha():
            parts.append(sub.title())  # script
        elif (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            parts.append(sub.upper())  # region
        else:
            parts.append(sub.lower())  # variant / extension
    return "-".join(parts)
