"""Attention limited to a band of nearby frames, with a learned relative-position bias (T5-style).

There are no absolute positions anywhere in stage 1: with a band, every layer is translation
invariant, so a model trained on 3-second MEAD clips runs unchanged on a two-minute take, and the
autoregressive loop can crop its context to the frames that can still influence the next one, giving
exactly the result of running over the whole sequence.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BandedAttention(nn.Module):
    """Multi-head attention where query frame i sees key frames j with -back <= j - i <= ahead.

    x [B, Tq, D] at absolute frames q_pos [Tq]; context [B, Tk, D] at k_pos [Tk] -> [B, Tq, D].
    Every query must have at least one key inside its band (true for self-attention with back >= 0
    and for cross-attention over an aligned memory).
    """

    def __init__(self, dim: int, heads: int, back: int, ahead: int, dropout: float = 0.0):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by heads {heads}")
        self.heads, self.back, self.ahead, self.dropout = heads, back, ahead, dropout
        self.to_q = nn.Linear(dim, dim)
        self.to_kv = nn.Linear(dim, 2 * dim)
        self.out = nn.Linear(dim, dim)
        self.rel_bias = nn.Parameter(torch.zeros(heads, back + ahead + 1))

    def band_mask(self, q_pos: torch.Tensor, k_pos: torch.Tensor) -> torch.Tensor:
        """Additive mask [H, Tq, Tk]: the learned bias inside the band, -inf outside."""
        rel = k_pos[None, :] - q_pos[:, None]
        inside = (rel >= -self.back) & (rel <= self.ahead)
        bias = self.rel_bias[:, (rel + self.back).clamp(0, self.back + self.ahead)]
        return bias.masked_fill(~inside, float("-inf"))

    def forward(self, x, context, q_pos, k_pos):
        b, tq, d = x.shape
        h = self.heads
        q = self.to_q(x).view(b, tq, h, d // h).transpose(1, 2)
        k, v = self.to_kv(context).view(b, context.shape[1], 2, h, d // h).permute(2, 0, 3, 1, 4)
        mask = self.band_mask(q_pos, k_pos).to(q.dtype)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[None],
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.out(y.transpose(1, 2).reshape(b, tq, d))


class FeedForward(nn.Sequential):
    def __init__(self, dim: int, mult: int, dropout: float):
        super().__init__(nn.Linear(dim, dim * mult), nn.GELU(), nn.Dropout(dropout), nn.Linear(dim * mult, dim))


class EncoderLayer(nn.Module):
    """Pre-norm self-attention over audio frames (both directions) + feed-forward."""

    def __init__(self, dim, heads, band, ff_mult, dropout):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = BandedAttention(dim, heads, band, band, dropout)
        self.ff = FeedForward(dim, ff_mult, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, pos):
        y = self.norm1(x)
        x = x + self.drop(self.attn(y, y, pos, pos))
        return x + self.drop(self.ff(self.norm2(x)))


class DecoderLayer(nn.Module):
    """Pre-norm causal self-attention over past cues, cross-attention to nearby audio, feed-forward."""

    def __init__(self, dim, heads, history, cross_band, ff_mult, dropout):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.self_attn = BandedAttention(dim, heads, history, 0, dropout)
        self.cross_attn = BandedAttention(dim, heads, cross_band, cross_band, dropout)
        self.ff = FeedForward(dim, ff_mult, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, pos, memory, mem_pos, last_only: bool = False):
        """last_only: compute just the last frame's output (incremental decoding; the others are
        only keys). Exact, because attention never reaches past the band."""
        y = self.norm1(x)
        q, q_pos, x = (y[:, -1:], pos[-1:], x[:, -1:]) if last_only else (y, pos, x)
        x = x + self.drop(self.self_attn(q, y, q_pos, pos))
        x = x + self.drop(self.cross_attn(self.norm2(x), memory, q_pos, mem_pos))
        return x + self.drop(self.ff(self.norm3(x)))
