"""Which language a script is written in, when it clearly is one: the take left at English with a
French script is the easy slip (the default language is English), and every stretch then falls
back to recognition with a warning that does not say why.

No model: the writing system first (Greek, Hangul, kana, Hebrew, the scripts of South Asia,
Georgian, Armenian, Ethiopic; Cyrillic by the letters only one language uses, Arabic letters as
Urdu, Persian or Arabic likewise, Devanagari as Marathi or Nepali by their own frequent words; a
writing shared by several languages with nothing that tells them apart is its most spoken
language's, never English, whose voice cannot read it; hanzi without kana are Chinese, Cantonese
where a character only written Cantonese uses appears), then, in Latin letters, the language whose
most frequent function words the script uses. A short or mixed Latin script gives no answer
rather than a guess.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from .g2p import tokenize

# The most frequent short words of each language (articles, pronouns, prepositions, conjunctions,
# "to be"); a word shared by several languages counts for each of them.
FUNCTION_WORDS = {
    "en": "the and of to in is it you that he was for on are with as his they at be this from have or by not "
          "but what we were your can there an she do if will my would me our",
    "es": "el la los las de del que y en un una es por con para no se lo su al como más pero sus le ya "
          "muy también porque está son mi yo",
    "fr": "le la les de des du et est un une que qui dans pour pas sur au aux avec ce il elle je nous vous "
          "ne se sont mais ou",
    "it": "il lo la gli le di che e è un una per non con del della sono si ma come anche nel alla io tu "
          "questo ci",
    "de": "der die das und ist nicht ein eine zu den dem mit von sich auch auf für ich sie es wir ihr "
          "war sind aber im",
    "pt": "o os a as de do da dos das e que um uma para com não no na em se por mais mas é eu você",
    "nl": "de het een en van is dat niet ik je zijn op te met voor er maar ook hij zij wij aan",
    "pl": "i w nie się na to jest że z do co jak ale tak po od ja ty jestem dla czy",
    "cs": "a je se v na to že s z do jsem jak ale o tak jsou by pro co já ty",
    "sk": "a je sa v na to že s z do som ako ale o tak sú by pre čo ja ty",
    "sv": "och att det som en på är av för med den till inte jag har de var om ett",
    "da": "og at det som en på er af for med den til ikke jeg har de var om et",
    "nb": "og at det som en på er av for med den til ikke jeg har de var om et",
    "fi": "ja on ei se että oli hän kun mutta niin kuin ovat olen minä sinä tämä",
    "tr": "ve bir bu da de ne için ile ben sen o çok ama gibi daha var değil mi",
    "ro": "și de la în nu este o cu un că pe se ce mai din sunt care",
    "hu": "a az és hogy nem egy is van de meg ez el csak már volt",
    "id": "yang dan di itu dengan untuk tidak ini dari dalam akan pada juga saya ke ada",
    "vi": "và của là có không một những được trong cho người này tôi các với",
    "ca": "el la els les de i que en un una per amb no és als del però",
    "hr": "i je u se na da su za od ne to kao ali sam što",
}
_SETS = {lang: frozenset(words.split()) for lang, words in FUNCTION_WORDS.items()}
# Devanagari is written for Hindi, Marathi and Nepali: told apart by their own frequent words
_DEVANAGARI_WORDS = {
    "hi": "है हैं था थे थी और की के में से को यह वह नहीं भी पर ने हम मैं तुम आप क्या मेरा मेरी",
    "mr": "आहे आहेत आणि होते होता होती मी तू ते नाही पण काय आम्ही तुम्ही माझा माझी माझे",
    "ne": "छ छन् र हो यो त्यो छैन पनि म तिमी हामी मेरो तपाईं थियो गर्छ",
}
_DEVANAGARI_SETS = {lang: frozenset(words.split()) for lang, words in _DEVANAGARI_WORDS.items()}

# Writing systems whose letters alone name the language, or a short list of candidates.
_SCRIPTS = {"GREEK": "el", "HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "HEBREW": "he",
            "BENGALI": "bn", "TAMIL": "ta", "TELUGU": "te", "GUJARATI": "gu", "GURMUKHI": "pa", "KANNADA": "kn",
            "MALAYALAM": "ml", "SINHALA": "si", "GEORGIAN": "ka", "ARMENIAN": "hy", "ETHIOPIC": "am"}
# Languages the writing and these function words cannot tell apart: no note between them
# (Bosnian, Croatian and Serbian share their words)
_ALIKE = (frozenset({"nb", "no", "da"}), frozenset({"zh", "yue"}), frozenset({"bs", "hr", "sr"}))
# characters of written Cantonese that Mandarin does not use (is, 's, past, not, he/she, plural...)
_CANTONESE = set("係嘅咗唔佢哋冇喺嚟啲乜嘢睇咁")
# Cyrillic letters only one of these languages uses; first match wins. ў is Belarusian's (not read
# here: no answer); ј љ њ џ are both Serbian's and Macedonian's (without ђ ћ or ѓ ќ ѕ:
# _SERBIAN_OR_MACEDONIAN).
_CYRILLIC_MARKS = (("kk", "әғқңөұүһ"), ("be", "ў"), ("uk", "іїєґ"), ("mk", "ѓќѕ"), ("sr", "ђћ"),
                   ("", "јљњџ"), ("ru", "ыэё"))
# A writing shared by several languages, with no letter or word that tells which: the language
# most who write it speak (never English, whose voice cannot read it), and no note to a take in
# another of them. writing -> (that language, the languages it stands for)
_BY_DEFAULT = {"CYRILLIC": ("ru", frozenset({"ru", "uk", "bg", "sr", "mk", "kk"})),
               "ARABIC": ("ar", frozenset({"ar", "fa", "ur"})),
               "DEVANAGARI": ("hi", frozenset({"hi", "mr", "ne"}))}
_SERBIAN_OR_MACEDONIAN = ("sr", frozenset({"sr", "mk"}))
# Arabic script: Urdu's own letters (ٹ ڈ ڑ ں ے ھ), then Persian's (پ چ ژ گ and the Persian kaf and
# yeh, which Urdu shares), then Arabic's own (ة, and the Arabic kaf, yeh and alef maksura)
_ARABIC_MARKS = (("ur", "\u0679\u0688\u0691\u06ba\u06d2\u06be"),
                 ("fa", "\u067e\u0686\u0698\u06af\u06a9\u06cc"),
                 ("ar", "\u0629\u0643\u064a\u0649"))

MIN_WORDS = 5    # fewer words than this: no answer
MIN_HANZI = 6    # hanzi without kana: fewer than this, no answer
MIN_HITS = 3     # function words of the top language, at least
MARGIN = 1.5     # ... and this many times the next language's


def script_language(text: str) -> str | None:
    """A supported primary language code (``languages.LANGUAGES``) the script is clearly written in,
    else None."""
    return script_language_and_alike(text)[0]


def script_language_and_alike(text: str) -> tuple[str | None, frozenset]:
    """``script_language`` and, where that is only the writing's most spoken language, the languages
    that write the script the same way (else empty), from one reading of the script."""
    from .languages import LANGUAGES

    found, alike = _reading(text)
    return (found if found in LANGUAGES else None), alike


def _reading(text: str) -> tuple[str | None, frozenset]:
    """(language, the languages it stands for where it is only the writing's default; else empty)."""
    letters = [c for c in text or "" if c.isalpha()]
    if not letters:
        return None, frozenset()
    systems = Counter(unicodedata.name(c, "").split(" ")[0] for c in letters)
    kana = systems["HIRAGANA"] + systems["KATAKANA"]
    if systems["CJK"] + kana >= 0.6 * len(letters) and systems["CJK"] > kana:
        # hanzi / kanji: kana are written only in Japanese; a few characters only in Cantonese
        if kana:
            return "ja", frozenset()
        if systems["CJK"] < MIN_HANZI:  # a name or a heading could be Japanese kanji alone
            return None, frozenset()
        return ("yue" if any(c in _CANTONESE for c in letters) else "zh"), frozenset()
    system, count = systems.most_common(1)[0]
    if count < 0.6 * len(letters):
        return None, frozenset()
    found = None
    if system in _SCRIPTS:
        found = _SCRIPTS[system]
    elif system == "CYRILLIC":
        lower = "".join(letters).lower()
        found = next((lang for lang, marks in _CYRILLIC_MARKS if any(m in lower for m in marks)), None)
        if found == "":  # ј љ њ џ alone
            return _SERBIAN_OR_MACEDONIAN
    elif system == "ARABIC":
        found = next((lang for lang, marks in _ARABIC_MARKS if any(c in marks for c in letters)), None)
    elif system == "DEVANAGARI":  # one own word and none of the others' is enough among three
        found = _by_words(text, _DEVANAGARI_SETS, 1, 1)
    elif system == "LATIN":
        found = _by_words(text, _SETS, MIN_WORDS, MIN_HITS)
    if system in _BY_DEFAULT and found is None:
        return _BY_DEFAULT[system]
    return found, frozenset()


def _by_words(text: str, sets: dict, min_words: int, min_hits: int) -> str | None:
    """The language whose frequent words the script uses most, clearly ahead of the next."""
    words = [w.lower() for w, _, _ in tokenize(text, "en")]
    if len(words) < min_words:
        return None
    hits = sorted(((sum(w in s for w in words), lang) for lang, s in sets.items()), reverse=True)
    (top, lang), (second, _) = hits[0], hits[1]
    return lang if top >= min_hits and top >= MARGIN * max(second, 0.5) else None


def mismatched_language(text: str, language: str) -> str | None:
    """The language the script is clearly written in when the take's (``language``) is another."""
    return _mismatch(text, language)[0]


def _mismatch(text: str, language: str) -> tuple[str | None, frozenset]:
    """(``mismatched_language``, the languages written alike where it is only the writing's default)."""
    from .languages import LANGUAGES, primary

    found, written_alike = _reading(text)
    take = primary(language)
    if found not in LANGUAGES or found == take or any({found, take} <= alike for alike in _ALIKE):
        return None, written_alike
    if take in written_alike:
        return None, written_alike  # only the writing's default, and the take's language writes it too
    return found, written_alike


def mismatch_note(text: str, language: str) -> str | None:
    """A sentence when the script is clearly in another language than the take's, else None."""
    from .languages import language_name

    found, written_alike = _mismatch(text, language)
    if found is None:
        return None
    alike = sorted(written_alike - {found})
    also = f" (or another language written alike: {', '.join(alike)})" if alike else ""
    return (f"the script looks {language_name(found)} ({found}){also} but the take's language is "
            f"{language_name(language)} ({language}): lip sync reads the script in the take's language")
