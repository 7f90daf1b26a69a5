"""Mandarin scripts: hanzi read from pinyin (espeak-ng 1.51 cannot read them), numbers said as
Chinese numbers, the language codes, and a script aligned to speech with its lips closing."""

import json

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import needs_espeak
from talkface_studio.audio import g2p as g2p_module
from talkface_studio.audio import mandarin_reading
from talkface_studio.audio.analysis import analyze
from talkface_studio.audio.g2p import g2p
from talkface_studio.audio.languages import PINYIN, check_language, espeak_voice, primary
from talkface_studio.audio.mandarin_reading import number_in_hanzi
from talkface_studio.audio.script_language import mismatched_language, script_language
from talkface_studio.audio.viseme_set import phones_to_visemes
from talkface_studio.perform.base import PerformRequest
from talkface_studio.perform.face_fields import MM
from talkface_studio.perform.registry import get_performer

pytest.importorskip("pypinyin")


def visemes(word):
    return " ".join(phones_to_visemes(word.phones))


def test_hanzi_are_read_from_pinyin_in_words_the_phrase_choosing_the_reading():
    words = g2p("我们明天去北京买面包。", "zh")
    assert [w.text for w in words] == ["我们", "明", "天", "去", "北京", "买", "面", "包"]
    assert [visemes(w) for w in words[:2]] == ["W AO M AH T", "M IY K"]  # wo men, ming
    assert visemes(words[3]) == "SH UW"  # qu: the lips round for ü
    assert [visemes(w)[0] for w in words[4:]] == ["M"] * 4  # bei, mai, mian, bao close the lips
    assert [w.start for w in words[:3]] == [0, 2, 3] and words[-1].pause_after and not words[0].pause_after
    # 行 is hang in 银行 (bank) and 行长 (bank president), xing elsewhere
    bank, president = g2p("银行行长", "zh")
    assert "".join(bank.phones).endswith("xaŋ") and "".join(president.phones).startswith("xaŋ")
    assert "".join(g2p("行", "zh")[0].phones) == "ɕiŋ"
    # the apical vowels: spread after s (字), the retroflex's r-colour after sh (是)
    assert visemes(g2p("字", "zh")[0]) == "S IY" and visemes(g2p("是", "zh")[0]) == "SH R"


def test_traditional_characters_are_read_through_their_simplified_forms(monkeypatch):
    words = g2p("銀行行長說你好", "zh")  # Taiwan and Hong Kong write Mandarin in traditional characters
    assert [w.text for w in words] == ["銀行", "行長", "說", "你好"]  # the script's own characters
    assert [w.phones for w in words] == [w.phones for w in g2p("银行行长说你好", "zh")]
    assert "".join(words[0].phones).endswith("xaŋ")  # yínháng, by the phrase (was yín xíng, char by char)
    monkeypatch.setattr(mandarin_reading, "_traditional_to_simplified", lambda: None)
    assert "".join(p for w in g2p("銀行", "zh") for p in w.phones) == "inɕiŋ"  # without OpenCC: yín xíng


@pytest.mark.parametrize("digits, said", [("25", "二十五"), ("10", "十"), ("15", "十五"), ("101", "一百零一"),
                                          ("110", "一百一十"), ("10001", "一万零一"), ("120000", "十二万"),
                                          ("3.5", "三点五"), ("2024", "二零二四"), ("007", "零零七")])
def test_numbers_are_said_as_chinese_numbers(digits, said):
    assert number_in_hanzi(digits) == said


@needs_espeak
def test_numbers_and_latin_words_in_a_chinese_script_are_read():
    words = g2p("买25个iPhone", "zh")
    assert [w.text for w in words] == ["买", "25", "个", "iPhone"]
    assert "".join(words[1].phones) == "ɚʂɻu"  # er shi wu
    assert visemes(words[3]).split()[2] == "F"  # English, read by espeak-ng's English voice


def test_without_espeak_the_hanzi_are_still_read(monkeypatch):
    monkeypatch.setattr(g2p_module.shutil, "which", lambda name: None)
    g2p_module._phonemize.cache_clear()
    try:
        words = g2p("买iPhone", "zh")
    finally:
        g2p_module._phonemize.cache_clear()
    assert visemes(words[0]) == "M AA IY" and words[1].phones == ()  # Latin: unspecified speech


def test_without_pypinyin_every_word_is_unspecified_speech(monkeypatch):
    def missing(text):
        raise ImportError("No module named 'pypinyin'")

    monkeypatch.setattr(g2p_module, "read_mandarin", missing)
    words = g2p("我们明天，去北京。", "zh")
    assert [w.text for w in words] == ["我们明天", "去北京"] and all(w.phones == () for w in words)
    assert words[0].pause_after


def test_mandarin_codes_are_supported_and_need_no_espeak_voice():
    for tag in ("zh", "zh-CN", "zh-TW", "zh-Hans", "zh-Hant-TW", "cmn"):
        check_language(tag)
        assert primary(tag) == "zh" and espeak_voice(tag) == PINYIN
    assert script_language("我们明天去北京买面包。") == "zh"
    assert script_language("佢哋今日唔喺度，我哋去食飯。") == "yue"  # written Cantonese stays Cantonese
    assert script_language("水をマレーシアから買わなくてはならないのです。") == "ja"  # kana: Japanese
    assert script_language("東京都") is None  # three kanji could be Japanese: no answer
    # standard written Chinese is read aloud in Cantonese too: a yue take with it gets no note
    assert mismatched_language("我们明天去北京买面包。", "yue") is None
    assert mismatched_language("我们明天去北京买面包。", "en") == "zh"


@needs_espeak
def test_a_mandarin_script_aligns_and_closes_the_lips_on_its_bilabials(tmp_path):
    """No Mandarin voice exists on these machines (espeak-ng 1.51 reads hanzi through English), so
    the speech is espeak-ng's Italian voice reading a respelling of the pinyin; its own phoneme
    timings say where the m, b and p are."""
    import espeak_events

    spoken = espeak_events.speak("uo men min tien ciu bei cin mai mien bao.", voice="it", rate=150)
    wav = tmp_path / "zh.wav"
    sf.write(str(wav), spoken.samples, spoken.sample_rate)
    f = analyze(wav, "25", transcript="我们明天去北京买面包。", language="zh", use_cache=False)
    assert f.phone_source == "aligned" and not f.report.fallbacks, json.dumps(f.report.to_json())
    weights = np.zeros((f.n_frames, 8), np.float32)
    weights[:, 0] = 1
    e = get_performer("procedural").perform(PerformRequest(f, weights, f.rate, 0, {})).expression
    gap = (e[:, 14, 1] - e[:, 13, 1]) / MM
    bilabials = [(p.start, p.end) for p in spoken.phonemes if p.ipa.strip("ˈˌː") in ("m", "b", "p")]
    assert len(bilabials) == 6
    for s, t in bilabials:
        assert gap[max(0, int((s - 0.04) * 25)):int(np.ceil((t + 0.04) * 25))].min() < 1.0, (s, t)


@needs_espeak
def test_a_stretch_that_falls_back_names_its_words_as_the_script_writes_them(tmp_path):
    """Chinese puts no spaces between words: the report (CLI line, status bar, timeline mark) quotes
    the script's own characters, not the aligner's words joined by spaces."""
    import espeak_events

    spoken = espeak_events.speak("uo men min tien ciu bei cin mai mien bao. ta sciue sceng tsai zuo sciue uen.",
                                 voice="it", rate=150)
    wav = tmp_path / "zh.wav"
    sf.write(str(wav), spoken.samples, spoken.sample_rate)
    script = "我们明天去北京买面包。你好吗今天天气很好啊。"  # the second sentence is not what is said
    f = analyze(wav, "25", transcript=script, language="zh", use_cache=False)
    fallen = [s for s in f.report.to_json() if s[2] == "recognized"]
    assert fallen, f.report.to_json()
    for words in (s[4] for s in fallen):
        assert words and " " not in words and words in script, words
