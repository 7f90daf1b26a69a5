"""Pronunciations of English words missing from pocketsphinx's dictionary, read by espeak-ng.

Film and game dialogue is full of names and coined words no dictionary has ("Yennefer",
"Mjolnir", "cyberpunk"). espeak-ng's English letter-to-sound rules (``g2p``, US voice) read them
far better than spelling rules ("cyberpunk": s aɪ b ɚ p ʌ ŋ k, not K Y B EH R P AH N K); their IPA
is mapped here to the ARPAbet phones of pocketsphinx's acoustic model. Without espeak-ng (or for a
phone this table does not know) the caller keeps its own spelling-rule guess.
"""

from __future__ import annotations

import unicodedata

# espeak-ng en-us IPA (stress marks stripped) -> ARPAbet, longest symbols first when matching
_IPA = {
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "ɡ": "G", "g": "G", "m": "M", "n": "N", "ŋ": "NG",
    "f": "F", "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z", "ʃ": "SH", "ʒ": "ZH", "h": "HH",
    "tʃ": "CH", "dʒ": "JH", "l": "L", "ɹ": "R", "r": "R", "w": "W", "j": "Y", "x": "HH",
    "ɾ": "T", "ʔ": "T", "n̩": "AH N", "əl": "AH L", "l̩": "AH L", "m̩": "AH M",
    "ɑː": "AA", "ɑ": "AA", "æ": "AE", "a": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ᵻ": "IH", "ɔː": "AO",
    "ɔ": "AO", "oː": "AO", "aʊ": "AW", "aɪ": "AY", "ɛ": "EH", "e": "EH", "ɜː": "ER", "ɜ": "ER", "ɚ": "ER",
    "eɪ": "EY", "ɪ": "IH", "i": "IY", "iː": "IY", "oʊ": "OW", "o": "OW", "ɔɪ": "OY", "ʊ": "UH",
    "uː": "UW", "u": "UW",
    "ɑːɹ": "AA R", "ɔːɹ": "AO R", "oːɹ": "AO R", "ɛɹ": "EH R", "ɪɹ": "IH R", "ʊɹ": "UH R", "iə": "IY AH",
    "aɪɚ": "AY ER", "aɪə": "AY AH", "aʊɚ": "AW ER", "eə": "EH AH", "ʊə": "UH AH",
}
_SYMBOLS = sorted(_IPA, key=len, reverse=True)


def _arpabet(phones: tuple[str, ...]) -> str | None:
    out = []
    for phone in phones:
        rest = unicodedata.normalize("NFC", phone.replace("ˈ", "").replace("ˌ", ""))
        while rest:
            symbol = next((s for s in _SYMBOLS if rest.startswith(s)), None)
            if symbol is None:
                return None  # a sound the table does not know: not worth a wrong guess
            out.append(_IPA[symbol])
            rest = rest[len(symbol):]
    return " ".join(out) or None


_known: dict[str, str | None] = {}  # word -> ARPAbet or None, for the life of the process
_MAX_KNOWN = 20000


def espeak_pronunciation(word: str) -> str | None:
    """ARPAbet without stress for a lower-case word (as ``phones.transcript_words`` gives them),
    or None where espeak-ng is missing or reads a sound the table does not know."""
    if word not in _known:
        prefetch([word])
    return _known.get(word)


def prefetch(words) -> None:
    """Read the words not yet known in one espeak-ng call (a script's unknown words)."""
    from .g2p import G2PError, _phonemize
    from .languages import espeak_voice

    todo = sorted({w for w in words if w and w not in _known})
    if not todo:
        return
    try:
        read = _phonemize(tuple(todo), espeak_voice("en"))
    except G2PError:
        read = ((),) * len(todo)
    if len(_known) > _MAX_KNOWN:
        _known.clear()
    for word, phones in zip(todo, read):
        _known[word] = _arpabet(phones) if phones else None
