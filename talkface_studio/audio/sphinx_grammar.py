"""A finite-state grammar for pocketsphinx, built as states and arcs rather than written in JSGF.

JSGF describes a grammar as nested rules; a grammar whose choices share their continuations (the
script from here on, whether or not a line was said) is copied once per reference when pocketsphinx
expands it, and took seconds to set up on a scene's script. Arcs carry natural-log probabilities,
weighed as pocketsphinx weighs those of a JSGF grammar.
"""

from __future__ import annotations

import math
from typing import NamedTuple

# pocketsphinx reads a grammar's probabilities as 32-bit floats: a run of many unlikely steps is
# given this instead of underflowing to 0, which it refuses.
MIN_PROBABILITY = 1e-30


class Grammar(NamedTuple):
    """`arcs`: (from state, to state, log probability, word or None for an empty step) over states
    0 .. n_states - 1, from `start` to `final`."""

    n_states: int
    start: int
    final: int
    arcs: list[tuple[int, int, float, str | None]]

    def closed(self) -> Grammar:
        """This grammar with every run of empty steps that follows a word (or the start) made one
        step, at the sum of their log probabilities (the best where several lead there):
        pocketsphinx takes one empty step after a word, and its JSGF reader makes the same closure."""
        nulls: dict[int, list[tuple[int, float]]] = {}
        for a, b, logp, word in self.arcs:
            if word is None:
                nulls.setdefault(a, []).append((b, logp))
        arcs = [arc for arc in self.arcs if arc[3] is not None]
        for origin in {self.start} | {b for _, b, _, _ in arcs}:
            best = {origin: 0.0}
            todo = [origin]
            while todo:  # no cycle of empty steps in the grammars here
                a = todo.pop()
                for b, logp in nulls.get(a, ()):
                    if best[a] + logp > best.get(b, -math.inf):
                        best[b] = best[a] + logp
                        todo.append(b)
            arcs += [(origin, b, logp, None) for b, logp in best.items() if b != origin]
        return Grammar(self.n_states, self.start, self.final, arcs)

    def weighed(self, weight: float) -> list[tuple[int, int, float, str | None]]:
        """The arcs with the probabilities pocketsphinx must be given for them: it raises a
        grammar's probabilities to its language weight `weight`, a JSGF grammar's it does not."""
        return [(a, b, max(math.exp(logp / weight), MIN_PROBABILITY), word) for a, b, logp, word in self.arcs]

    def text(self, name: str, weight: float) -> str:
        """In pocketsphinx's FSG file format, for a decoder of language weight `weight`."""
        lines = [f"FSG_BEGIN {name}", f"NUM_STATES {self.n_states}", f"START_STATE {self.start}",
                 f"FINAL_STATE {self.final}"]
        lines += [f"TRANSITION {a} {b} {p:.9g}" + (f" {word}" if word else "")
                  for a, b, p, word in self.weighed(weight)]
        return "\n".join(lines + ["FSG_END", ""])
