"""Stage 1 network: speech + emotion -> per-frame cues (expression landmarks, gaze, head pose).

Design (arXiv 2406.07895, stage 1; open choices follow SadTalker/EAT/FaceFormer and are marked):
- Input: 80-bin log-mel at the video frame rate (`AudioFeatures.mel`, see mel_context) and per-frame
  emotion intensities w [T, 8] (MEAD emotions; level 1/2/3 -> 1/3, 2/3, 1), added as an embedding to
  both the audio memory and the decoder input, so a level or a blend changes every frame it covers.
- Audio encoder E: two 1-D convolutions, then self-attention restricted to +-encoder_band frames.
- Decoder D (auto-regressive, FaceFormer-style): frame t attends its own past cues (t-history..t-1,
  fed back as vectors) and the audio memory within +-cross_band frames. Teacher forcing in training;
  at inference each frame's prediction is fed back (gaze class sampled or greedy).
- Outputs per frame: expression as P normalized PCA coefficients of landmark deltas from the speaker's
  neutral face (expression_basis), gaze as one of yaw x pitch classes plus an in-class offset
  (gaze_bins), head pose yaw/pitch/roll regressed in units of pose_scale degrees.
- Emotion classifier C on the cue sequence (emotion_classifier), trained jointly (losses).
No absolute positions anywhere (banded_attention), so clip length does not matter.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from talkface_studio.perform.neural.banded_attention import DecoderLayer, EncoderLayer
from talkface_studio.perform.neural.config import SpeechToCuesConfig
from talkface_studio.perform.neural.emotion_classifier import EmotionClassifier
from talkface_studio.perform.neural.gaze_bins import GazeBins
from talkface_studio.perform.neural.mel_context import normalize_mel, padded_window

_ENCODE_CHUNK = 1024  # frames encoded at once at inference; bounds the attention mask's memory


class SpeechToCues(nn.Module):
    def __init__(self, cfg: SpeechToCuesConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.dim
        self.gaze_bins = GazeBins(cfg.gaze_yaw_bins, cfg.gaze_pitch_bins, cfg.gaze_yaw_max, cfg.gaze_pitch_max)
        # The expression basis is data, fitted before training; random orthonormal until then.
        comps = torch.linalg.qr(torch.randn(478 * 3, cfg.n_pca))[0].T.contiguous()
        self.register_buffer("basis_mean", torch.zeros(478 * 3))
        self.register_buffer("basis_components", comps)
        self.register_buffer("basis_coeff_std", torch.full((cfg.n_pca,), 0.01))
        self.register_buffer("basis_delta_scale", torch.full((1,), 0.01))
        self.audio_in = nn.Sequential(
            nn.Conv1d(cfg.n_mels, d, 5, padding=2), nn.GELU(), nn.Conv1d(d, d, 5, padding=2))
        self.emotion_in = nn.Linear(cfg.n_emotions, d)
        self.encoder = nn.ModuleList(EncoderLayer(d, cfg.heads, cfg.encoder_band, cfg.ff_mult, cfg.dropout)
                                     for _ in range(cfg.encoder_layers))
        self.memory_norm = nn.LayerNorm(d)
        self.cue_in = nn.Linear(cfg.cue_dim, d)
        self.start = nn.Parameter(torch.zeros(d))
        self.decoder = nn.ModuleList(
            DecoderLayer(d, cfg.heads, cfg.history, cfg.cross_band, cfg.ff_mult, cfg.dropout)
            for _ in range(cfg.decoder_layers))
        self.out_norm = nn.LayerNorm(d)
        self.expression_head = nn.Linear(d, cfg.n_pca)
        self.gaze_class_head = nn.Linear(d, cfg.n_gaze_classes)
        self.gaze_offset_head = nn.Linear(d, cfg.n_gaze_classes * 2)
        self.pose_head = nn.Linear(d, 3)
        self.classifier = EmotionClassifier(cfg.cue_dim, cfg.classifier_dim, cfg.n_emotions)

    # ---- basis and cue vectors -------------------------------------------------------------------
    def set_basis(self, basis: dict) -> None:
        """Install a fitted expression basis (expression_basis.fit_expression_basis)."""
        for name in ("mean", "components", "coeff_std", "delta_scale"):
            getattr(self, f"basis_{name}").copy_(torch.as_tensor(basis[name]))

    def coefficients_to_deltas(self, coeffs: torch.Tensor) -> torch.Tensor:
        """normalized coefficients [..., P] -> landmark deltas [..., 478, 3]."""
        flat = (coeffs * self.basis_coeff_std) @ self.basis_components + self.basis_mean
        return flat.unflatten(-1, (478, 3))

    def cue_vector(self, coeffs, gaze_deg, pose_deg) -> torch.Tensor:
        """[..., P], [..., 2], [..., 3] -> [..., cue_dim]: the per-frame vector fed back and classified."""
        gaze_unit = gaze_deg / gaze_deg.new_tensor([self.cfg.gaze_yaw_max, self.cfg.gaze_pitch_max])
        return torch.cat([coeffs, gaze_unit, pose_deg / self.cfg.pose_scale], -1)

    # ---- network stages --------------------------------------------------------------------------
    def encode(self, mel: torch.Tensor, emotion: torch.Tensor) -> torch.Tensor:
        """mel [B, Tm, 80] normalized (silence-padded), emotion [B, Tm, 8] -> memory [B, Tm, D]."""
        x = self.audio_in(mel.transpose(1, 2)).transpose(1, 2) + self.emotion_in(emotion)
        pos = torch.arange(x.shape[1], device=x.device)
        for layer in self.encoder:
            x = layer(x, pos)
        return self.memory_norm(x)

    def decode(self, prev_cues, use_start, emotion, pos, memory, mem_pos) -> dict:
        """prev_cues [B, L, C] (cue of the frame before each), use_start [B, L] bool (no previous
        frame: the learned start token instead), emotion [B, L, 8], pos [L] and mem_pos [Tm] absolute
        frames, memory [B, Tm, D] -> dict of per-frame predictions (heads())."""
        x = self.embed_inputs(prev_cues, use_start, emotion)
        for layer in self.decoder:
            x = layer(x, pos, memory, mem_pos)
        return self.heads(x)

    def embed_inputs(self, prev_cues, use_start, emotion) -> torch.Tensor:
        return torch.where(use_start[..., None], self.start, self.cue_in(prev_cues)) + self.emotion_in(emotion)

    def heads(self, x: torch.Tensor) -> dict:
        """decoder states [..., D] -> coeffs [..., P], gaze_logits [..., G], gaze_offsets [..., G, 2],
        pose [..., 3] degrees."""
        x = self.out_norm(x)
        return {
            "coeffs": self.expression_head(x),
            "gaze_logits": self.gaze_class_head(x),
            "gaze_offsets": torch.tanh(self.gaze_offset_head(x)).unflatten(-1, (-1, 2)),
            "pose": self.pose_head(x) * self.cfg.pose_scale,
        }

    def forward(self, batch: dict) -> dict:
        """Teacher-forced pass over training windows (see training.landmark_dataset for the keys):
        mel [B, L+2M, 80], emotion [B, L+2M, 8], coeffs [B, L, P], gaze [B, L, 2], pose [B, L, 3],
        prev_coeffs [B, P], prev_gaze [B, 2], prev_pose [B, 3] (the frame before the window),
        has_prev [B] (False at a clip's first frame); optional input_cues [B, L, C] replace the
        true cues as decoder inputs (scheduled sampling). Returns decode()'s dict plus cues_generated [B, L, C]
        (differentiable expected gaze) and the classifier's logits on real and generated cues."""
        m = self.cfg.audio_margin
        memory = self.encode(batch["mel"], batch["emotion"])
        length = batch["coeffs"].shape[1]
        cues = self.cue_vector(batch["coeffs"], batch["gaze"], batch["pose"])
        prev_cue = self.cue_vector(batch["prev_coeffs"], batch["prev_gaze"], batch["prev_pose"])
        fed = batch.get("input_cues", cues)  # scheduled sampling may feed back predictions instead
        prev = torch.cat([prev_cue[:, None], fed[:, :-1]], 1)
        use_start = torch.zeros(prev.shape[:2], dtype=torch.bool, device=prev.device)
        use_start[:, 0] = ~batch["has_prev"]
        pos = torch.arange(length, device=prev.device)
        mem_pos = torch.arange(-m, length + m, device=prev.device)
        pred = self.decode(prev, use_start, batch["emotion"][:, m:m + length], pos, memory, mem_pos)
        gaze = self.gaze_bins.expected(pred["gaze_logits"], pred["gaze_offsets"])
        pred["cues_generated"] = self.cue_vector(pred["coeffs"], gaze, pred["pose"])
        pred["emotion_logits_real"] = self.classifier(cues)
        pred["emotion_logits_generated"] = self.classifier(pred["cues_generated"])
        return pred

    # ---- inference -------------------------------------------------------------------------------
    def _encode_take(self, mel: np.ndarray, emotion: np.ndarray, device) -> torch.Tensor:
        """Whole-take memory [1, T + 2M, D], encoded in overlapping chunks (exact: the receptive
        field of the encoder is finite)."""
        m = self.cfg.audio_margin
        norm, silence = normalize_mel(mel)
        t = len(norm)
        reach = self.cfg.encoder_layers * self.cfg.encoder_band + 4  # attention bands + convolutions
        rows = []
        for a in range(-m, t + m, _ENCODE_CHUNK):
            b = min(a + _ENCODE_CHUNK, t + m)
            lo, hi = max(a - reach, -m), min(b + reach, t + m)
            x = padded_window(norm, silence, lo, hi, 0)  # silence outside the take
            emo = emotion[np.clip(np.arange(lo, hi), 0, t - 1)]
            mem = self.encode(torch.from_numpy(x)[None].to(device), torch.from_numpy(emo)[None].to(device))
            rows.append(mem[:, a - lo: a - lo + (b - a)])
        return torch.cat(rows, 1)

    @torch.no_grad()
    def generate(self, mel: np.ndarray, emotion: np.ndarray, gaze_temperature: float = 0.7,
                 seed: int = 0) -> dict:
        """mel [T, 80] raw log-mel, emotion [T, 8] -> dict of float32 numpy arrays: deltas [T, 478, 3],
        gaze [T, 2] and pose [T, 3] degrees, emotion_probs [8] (classifier on the result)."""
        self.eval()
        device = self.start.device
        emotion = np.asarray(emotion, np.float32)
        t_total = len(mel)
        m = self.cfg.audio_margin
        memory = self._encode_take(mel, emotion, device)
        emo_t = torch.from_numpy(emotion).to(device)
        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        h, cb = self.cfg.history, self.cfg.cross_band
        # Incremental decoding: states[l] holds layer l's inputs for the last `history` + 1 frames;
        # each step computes one new frame per layer (exact, see DecoderLayer.forward).
        states = [torch.zeros(1, 0, self.cfg.dim, device=device) for _ in self.decoder]
        cues = torch.zeros(t_total, self.cfg.cue_dim, device=device)
        coeffs = torch.zeros(t_total, self.cfg.n_pca, device=device)
        gaze = torch.zeros(t_total, 2, device=device)
        pose = torch.zeros(t_total, 3, device=device)
        start_flag = torch.tensor([[True]], device=device)
        for t in range(t_total):
            prev = cues[max(t - 1, 0)][None, None]
            x = self.embed_inputs(prev, start_flag if t == 0 else ~start_flag, emo_t[t][None, None])
            s = max(0, t - h)
            pos = torch.arange(s, t + 1, device=device)
            mem_pos = torch.arange(t - cb, t + cb + 1, device=device)
            mem = memory[:, t - cb + m: t + cb + 1 + m]
            for i, layer in enumerate(self.decoder):
                states[i] = torch.cat([states[i], x], 1)[:, -(h + 1):]
                x = layer(states[i], pos, mem, mem_pos, last_only=True)
            pred = self.heads(x)
            logits = pred["gaze_logits"][0, -1]
            if gaze_temperature > 0:
                probs = (logits / gaze_temperature).softmax(-1).cpu()
                cls = int(torch.multinomial(probs, 1, generator=gen))
            else:
                cls = int(logits.argmax())
            gaze[t] = self.gaze_bins.decode(torch.tensor(cls), pred["gaze_offsets"][0, -1, cls])
            coeffs[t], pose[t] = pred["coeffs"][0, -1], pred["pose"][0, -1]
            cues[t] = self.cue_vector(coeffs[t], gaze[t], pose[t])
        probs = self.classifier(cues[None]).softmax(-1)[0]
        return {
            "deltas": self.coefficients_to_deltas(coeffs).cpu().numpy().astype(np.float32),
            "gaze": gaze.cpu().numpy().astype(np.float32),
            "pose": pose.cpu().numpy().astype(np.float32),
            "emotion_probs": probs.cpu().numpy().astype(np.float32),
        }

