"""Which spoken languages the speech front end handles, and the espeak-ng voice for each.

Languages are BCP-47 tags (`en`, `en-US`, `fr-CA`, `ja`, ...). The primary language decides
support; a region picks a regional espeak-ng voice when one exists (en-GB, pt-BR, es-419, ...)
and otherwise falls back to the language's main voice (fr-CA speaks with espeak's French, it-IT
with Italian). The list is the espeak-ng 1.51 voices whose rules and lexicon are good enough for
lip sync; it is checked against the installed espeak-ng by a test. Left out: Thai and Burmese
(1.51 reads them into tone digits and fragments) and Belarusian (its dictionary is not in Debian's
espeak-ng-data). Mandarin has no espeak-ng voice
here (1.51's `cmn` reads hanzi through English): its scripts are read from pinyin
(audio/mandarin_reading). Arabic, Hebrew, Persian and Urdu are written without most of their
vowels: espeak-ng's reading of such a script leaves consonant clusters ("mvkʃ" for mevakesh), and
their words let the aligner put a vowel the speaker says between any two consonants
(``ABJAD_LANGUAGES``; g2p's ``Word.vowels_unwritten``).
"""

from __future__ import annotations

from talkface_studio.core.errors import ValidationError
from talkface_studio.core.language_code import DEFAULT_LANGUAGE, normalize_language

PINYIN = ""  # the "voice" of a language read by the project's own reader, not by espeak-ng

# primary language subtag -> (English name, espeak-ng voice)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "en-us"),
    "es": ("Spanish", "es"),
    "de": ("German", "de"),
    "fr": ("French", "fr-fr"),
    "it": ("Italian", "it"),
    "ja": ("Japanese", "ja"),
    "pt": ("Portuguese", "pt"),
    "nl": ("Dutch", "nl"),
    "pl": ("Polish", "pl"),
    "ru": ("Russian", "ru"),
    "uk": ("Ukrainian", "uk"),
    "cs": ("Czech", "cs"),
    "sk": ("Slovak", "sk"),
    "sl": ("Slovenian", "sl"),
    "hr": ("Croatian", "hr"),
    "sr": ("Serbian", "sr"),
    "bg": ("Bulgarian", "bg"),
    "ro": ("Romanian", "ro"),
    "hu": ("Hungarian", "hu"),
    "fi": ("Finnish", "fi"),
    "et": ("Estonian", "et"),
    "sv": ("Swedish", "sv"),
    "da": ("Danish", "da"),
    "nb": ("Norwegian", "nb"),
    "no": ("Norwegian", "nb"),
    "is": ("Icelandic", "is"),
    "el": ("Greek", "el"),
    "tr": ("Turkish", "tr"),
    "ca": ("Catalan", "ca"),
    "eu": ("Basque", "eu"),
    "cy": ("Welsh", "cy"),
    "ga": ("Irish", "ga"),
    "lt": ("Lithuanian", "lt"),
    "lv": ("Latvian", "lv"),
    "id": ("Indonesian", "id"),
    "ms": ("Malay", "ms"),
    "sw": ("Swahili", "sw"),
    "af": ("Afrikaans", "af"),
    "hi": ("Hindi", "hi"),
    "vi": ("Vietnamese", "vi"),
    "ko": ("Korean", "ko"),
    "yue": ("Chinese (Cantonese)", "yue"),
    "zh": ("Chinese (Mandarin)", PINYIN),  # zh-CN, zh-TW, zh-Hans, zh-Hant: all Mandarin
    "cmn": ("Chinese (Mandarin)", PINYIN),
    "eo": ("Esperanto", "eo"),
    "la": ("Latin", "la"),
    "ar": ("Arabic", "ar"),
    "fa": ("Persian", "fa"),
    "he": ("Hebrew", "he"),
    "ur": ("Urdu", "ur"),
    # South Asia (each its own script, read letter by letter as spoken)
    "bn": ("Bengali", "bn"),
    "ta": ("Tamil", "ta"),
    "te": ("Telugu", "te"),
    "mr": ("Marathi", "mr"),
    "gu": ("Gujarati", "gu"),
    "pa": ("Punjabi", "pa"),
    "kn": ("Kannada", "kn"),
    "ml": ("Malayalam", "ml"),
    "ne": ("Nepali", "ne"),
    "si": ("Sinhala", "si"),
    # the Caucasus, the Balkans, Central Asia, the Horn of Africa, Malta
    "ka": ("Georgian", "ka"),
    "hy": ("Armenian", "hy"),
    "sq": ("Albanian", "sq"),
    "mk": ("Macedonian", "mk"),
    "bs": ("Bosnian", "bs"),
    "az": ("Azerbaijani", "az"),
    "kk": ("Kazakh", "kk"),
    "uz": ("Uzbek", "uz"),
    "am": ("Amharic", "am"),
    "mt": ("Maltese", "mt"),
}

# Scripts that leave short vowels unwritten (abjads): see the module docstring.
ABJAD_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

# full tag (normalized, lower-cased for lookup) -> regional espeak-ng voice
REGIONAL_VOICES: dict[str, str] = {
    "en-us": "en-us", "en-gb": "en-gb", "en-ie": "en-gb", "en-au": "en-gb", "en-nz": "en-gb",
    "en-za": "en-gb", "en-in": "en-gb", "en-029": "en-029", "en-gb-scotland": "en-gb-scotland",
    "pt-br": "pt-br", "pt-pt": "pt", "es-419": "es-419", "es-mx": "es-419", "es-ar": "es-419",
    "es-co": "es-419", "es-cl": "es-419", "es-us": "es-419", "fr-be": "fr-be", "fr-ch": "fr-ch",
    "vi-vn": "vi",
}


def supported_codes() -> list[str]:
    """Primary language codes, for messages and menus (sorted)."""
    return sorted(LANGUAGES)


def check_language(tag) -> str:
    """The normalized tag if the speech front end supports it; else one line listing what is."""
    code = normalize_language(tag)
    if code.split("-")[0] not in LANGUAGES:
        raise ValidationError(f"language {tag!r} is not supported; supported: {', '.join(supported_codes())} "
                              "(with optional region, e.g. en-GB, fr-CA, pt-BR)")
    return code


def espeak_voice(tag) -> str:
    """espeak-ng voice name for a language tag (regional voice when espeak-ng has one); PINYIN ("")
    for Mandarin, which g2p reads without espeak-ng."""
    code = check_language(tag).lower()
    parts = code.split("-")
    for n in range(len(parts), 1, -1):
        voice = REGIONAL_VOICES.get("-".join(parts[:n]))
        if voice:
            return voice
    return LANGUAGES[parts[0]][1]


def language_name(tag) -> str:
    code = check_language(tag)
    return LANGUAGES[code.split("-")[0]][0]


def primary(tag) -> str:
    """'fr-CA' -> 'fr'; 'cmn' -> 'zh' (one reader for both codes of Mandarin)."""
    code = normalize_language(tag).split("-")[0]
    return "zh" if code == "cmn" else code


__all__ = ["ABJAD_LANGUAGES", "DEFAULT_LANGUAGE", "LANGUAGES", "check_language", "espeak_voice", "language_choices",
           "language_name", "primary", "supported_codes"]


def language_choices() -> list[tuple[str, str]]:
    """(code, "English (en)") for every language analysis supports, by name."""
    seen, out = set(), []
    for code, (name, _voice) in sorted(LANGUAGES.items(), key=lambda kv: (kv[1][0], len(kv[0]))):
        if name not in seen:  # "no"/"nb" and "zh"/"cmn" are one entry each
            seen.add(name)
            out.append((code, f"{name} ({code})"))
    return out
