"""Sentences to synthesize for the viseme recognizer: common words plus pseudo-words per language.

No text corpus ships here, so each language gets a short list of frequent words and a syllable
grammar (onsets, vowels, codas written in that language's spelling). espeak-ng reads the
pseudo-words with the language's own letter-to-sound rules, which yields phonotactically
plausible phone strings far beyond the word list; digits add espeak's number reading. The mix is
what matters for the recognizer: every viseme class in many contexts, many rates and voices.
"""

from __future__ import annotations

import numpy as np

# espeak-ng voice -> (frequent words, onsets, vowels, codas)
LANGUAGE_TEXT: dict[str, tuple[str, str, str, str]] = {
    "en-us": ("the be to of and a in that have it for not on with he as you do at this but his by from they we "
              "say her she or an will my one all would there their what so up out if about who get which go me "
              "when make can like time no just him know take people into year your good some could them see "
              "other than then now look only come its over think also back after use two how our work first "
              "well way even new want because any these give day most us mother baby bubble map pop mumble",
              "b p m f v th d t n l s z sh ch j k g h r w y bl br pl pr fl fr st sp sk tr dr gr cr sm sn",
              "a e i o u ee oo ea ai ay oa ou ow oi ar or er ir",
              "  n t d s m p b k l r ng st nd mp ck ft"),
    "en-gb": ("people market morning butter water thought bath car better mum pub bottle bump happy help",
              "b p m f v th d t n l s w bl br pl pr fl fr st tr",
              "a e i o u ee oo ai oa ou ar or",
              "  n t d s m p b k l"),
    "es": ("el la de que y a en un ser se no haber por con su para como estar tener le lo todo pero más hacer "
           "poder decir este ir otro ese si me ya ver porque dar cuando él muy sin vez mucho saber qué sobre mi "
           "alguno mismo yo también hasta año dos querer entre así bueno mamá papá boca mano pomo",
           "b p m f v d t n l s ch ll ñ c g j r rr br pl tr bl fr gr",
           "a e i o u ue ie ia io",
           "     n s l r d"),
    "de": ("der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden "
           "aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur "
           "oder aber vor zur bis mehr durch man Mama Papa Mund Pferd Baum Bumm Mumm Apfel",
           "b p m f w d t n l s sch z k g h r pf st sp schw br pl tr bl fr gr kn",
           "a e i o u ä ö ü ei au eu ie aa ee oo",
           "   n t s m l r ch ng st nd ck tz pf"),
    "fr-fr": ("le de un être et à il avoir ne je son que se qui ce dans en du elle au pour pas vous par sur on "
              "mettre autre plus dire me bien faire tout nous leur homme même prendre monde maman papa bouche "
              "pomme bonbon peu beau main un deux trois",
              "b p m f v d t n l s ch j c g r br pl tr bl fr gr",
              "a e i o u é è ou oi au eau an on in un eu ai",
              "     n r l s t"),
    "it": ("il di che è e la un a per in essere avere non una sono mi si lo ma ci questo con io ha come da "
           "anche fare tu ti lui cosa bene tutto mamma papà bocca mano pomodoro bambino",
           "b p m f v d t n l s c g r ch gh gl gn sc br pl tr bl fr gr st",
           "a e i o u ia io ie uo",
           "      n l r s"),
    "pt": ("o a de que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das "
           "tem à seu sua ou ser quando muito há nos já está eu também só pelo mamãe papai boca mão",
           "b p m f v d t n l s ch lh nh c g r j br pl tr bl fr",
           "a e i o u ã õ ão ei ou ai",
           "     s r l m"),
    "pt-br": ("você tudo bem obrigado muito bom dia então agora ainda sempre nunca",
              "b p m f v d t n l s ch lh nh c g r j",
              "a e i o u ã ão ei ou",
              "     s r m"),
    "nl": ("de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om hem dan "
           "zou of wat mijn men dit zo door over ze zich bij ook tot je mama papa mond boom",
           "b p m f v w d t n l s z sch k g h r j br pl tr bl fr gr kn",
           "a e i o u aa ee oo uu ie oe eu ui ij ei ou",
           "   n t s m l r k ng nd"),
    "pl": ("i w nie na się z do to że a o jak ale po co tak za od jest jego jej mnie by już tylko mama tata "
           "buzia miś",
           "b p m f w d t n l s z sz cz rz ż ch k g h r j br pl tr bl pr",
           "a e i o u y ą ę ó",
           "    n t s m l k ć ś"),
    "ru": ("и в не на я быть он с что а по это она этот к но они мы как из у который то за свой весь год от "
           "так о для ты же все тот мочь вы человек такой мама папа",
           "б п м ф в д т н л с з ш ж ч щ к г х р й бр пр тр",
           "а е и о у ы я ю ё э",
           "    н т с м л к й"),
    "sv": ("och i att det som en på är av för med till den har de inte om ett han men var jag sig från vi så "
           "mamma pappa mun",
           "b p m f v d t n l s sj tj k g h r j br pl tr bl fr st",
           "a e i o u y å ä ö",
           "   n t s m l r k ng"),
    "cs": ("a se v na je že to s z o do i k jak ale by za jsem jsou po ve tak pro když mama táta pusa",
           "b p m f v d t n l s z š č ř ž ch k g h r j br pl tr",
           "a e i o u y á é í ó ú ů",
           "    n t s m l k"),
    "tr": ("bir ve bu da ne için çok ben o var daha gibi sen mi ama kadar ile en her şey anne baba ağız",
           "b p m f v d t n l s z ş ç c k g h r y",
           "a e i o u ı ö ü",
           "   n t s m l r k"),
    "fi": ("ja on ei se että hän oli ovat mutta kun niin tämä kuin myös äiti isä suu",
           "p m v d t n l s k h r j",
           "a e i o u y ä ö aa ee ii uu ai ei",
           "   n t s l"),
    "hu": ("a az és hogy nem is egy de meg van el ez már csak mint anya apa száj",
           "b p m f v d t n l s sz zs cs gy ny ty k g h r j",
           "a e i o u á é í ó ú ö ü ő ű",
           "   n t s m l r k"),
    "ro": ("și de la a în nu cu o că pe un se mai din este ce mama tata gură",
           "b p m f v d t n l s ș ț c g h r j",
           "a e i o u ă â î ea oa",
           "   n t s m l r"),
    "el": ("και το να η ο της την με που δεν τα στο για θα μαμά μπαμπάς στόμα",
           "β π μ φ δ τ ν λ σ ζ κ γ χ ρ θ μπ ντ",
           "α ε ι ο υ ου αι ει",
           "    ς ν"),
    "id": ("yang dan di itu dengan untuk tidak ini dari dalam akan pada juga saya ibu bapak mulut",
           "b p m f d t n l s c j k g h r w y ng ny",
           "a e i o u",
           "   n t s m k ng h"),
    "ja": ("", "", "", ""),  # kana syllables, below
}

# Hiragana morae (CV and syllabic n), for Japanese pseudo-words that the ja voice reads.
_KANA = ("あいうえおかきくけこがぎぐげごさしすせそざじずぜぞたちつてとだでどなにぬねのはひふへほばびぶべぼぱぴぷぺぽ"
         "まみむめもやゆよらりるれろわをんきゃきゅきょしゃしゅしょちゃちゅちょにゃにゅりょみゃ")
_KANA_UNITS = [_KANA[i : i + 2] if i + 1 < len(_KANA) and _KANA[i + 1] in "ゃゅょ" else _KANA[i]
               for i in range(len(_KANA)) if _KANA[i] not in "ゃゅょ"]
_JA_WORDS = "わたし あなた これ それ ありがとう おはよう こんにちは すみません ママ パパ くち みず まど ぼく".split()


def training_languages() -> list[str]:
    return list(LANGUAGE_TEXT)


def _pseudo_word(rng: np.random.Generator, onsets, vowels, codas) -> str:
    syllables = rng.integers(1, 4)
    parts = []
    for _ in range(syllables):
        onset = onsets[rng.integers(len(onsets))] if rng.random() < 0.85 else ""
        coda = codas[rng.integers(len(codas))] if codas else ""
        parts.append(onset + vowels[rng.integers(len(vowels))] + coda)
    return "".join(parts)


def random_sentence(voice: str, rng: np.random.Generator, n_words: int | None = None) -> str:
    """A sentence of 3-14 words in the voice's language: real words, pseudo-words and a number."""
    n = int(n_words or rng.integers(3, 15))
    if voice.startswith("ja"):
        words = []
        for _ in range(n):
            if rng.random() < 0.3:
                words.append(_JA_WORDS[rng.integers(len(_JA_WORDS))])
            else:
                words.append("".join(_KANA_UNITS[k] for k in rng.integers(0, len(_KANA_UNITS), rng.integers(2, 6))))
        return "、".join(words) + "。"
    common, onsets, vowels, codas = (x.split() for x in LANGUAGE_TEXT[voice])
    codas = codas + [""] * 4  # open syllables are the most common everywhere
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.5 and common:
            words.append(common[rng.integers(len(common))])
        elif r < 0.95:
            words.append(_pseudo_word(rng, onsets, vowels, codas))
        else:
            words.append(str(int(rng.integers(0, 2000))))
    text = " ".join(words)
    if rng.random() < 0.3:  # a clause break gives a pause inside the sentence
        cut = int(rng.integers(1, max(2, len(words))))
        text = " ".join(words[:cut]) + ", " + " ".join(words[cut:])
    return text[0].upper() + text[1:] + (". " if rng.random() < 0.8 else "? ")
