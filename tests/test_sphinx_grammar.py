"""The finite-state grammar handed to pocketsphinx (audio/sphinx_grammar.py) and the one built for
a scene's script (sphinx_align._heard_grammar)."""

import math

import pytest

from talkface_studio.audio.sphinx_align import SKIP_ODDS, _heard_grammar
from talkface_studio.audio.sphinx_grammar import MIN_PROBABILITY, Grammar


def test_runs_of_empty_steps_become_one_step_at_their_summed_log_probability():
    g = Grammar(5, 0, 4, [(0, 1, 0.0, "a"), (1, 2, -1.0, None), (2, 3, -2.0, None), (1, 3, -5.0, None),
                          (3, 4, 0.0, "b"), (0, 2, -0.5, None)])
    arcs = set(g.closed().arcs)
    assert {(0, 1, 0.0, "a"), (3, 4, 0.0, "b")} <= arcs  # words kept
    assert (1, 3, -3.0, None) in arcs and (1, 3, -5.0, None) not in arcs  # the best run, not the direct step
    assert (0, 2, -0.5, None) in arcs and (0, 3, -2.5, None) in arcs  # from the start too
    assert not [a for a in arcs if a[0] == 2]  # a state no word reaches keeps no steps of its own


def test_probabilities_are_given_as_pocketsphinx_weighs_them():
    g = Grammar(2, 0, 1, [(0, 1, math.log(1e-6), None), (0, 1, -1e4, "a")])
    (_, _, skip, _), (_, _, tiny, _) = g.weighed(6.5)
    assert skip == pytest.approx(1e-6 ** (1 / 6.5))  # raised to the language weight by the reader
    assert tiny == MIN_PROBABILITY  # never 0, which the reader refuses
    text = g.text("heard", 6.5).splitlines()
    assert text[:4] == ["FSG_BEGIN heard", "NUM_STATES 2", "START_STATE 0", "FINAL_STATE 1"]
    assert text[-2] == "TRANSITION 0 1 1e-30 a" and text[-1] == "FSG_END"


def paths(g: Grammar, limit: float) -> set[tuple[str, ...]]:
    """Every word sequence from start to final at log probability >= `limit`."""
    out, todo = set(), [(g.start, (), 0.0)]
    while todo:
        state, said, logp = todo.pop()
        if state == g.final:
            out.add(said)
        for a, b, p, w in g.arcs:
            if a == state and logp + p >= limit:
                todo.append((b, said + ((w,) if w else ()), logp + p))
    return out


def test_the_scene_grammar_leaves_lines_out_and_cuts_lines_only_at_a_cut_end():
    words = "a b c d e".split()
    one = -math.log(SKIP_ODDS) - 0.1
    whole = {("a", "b", "c", "d", "e"), ("a", "b"), ("c", "d", "e")}
    assert paths(_heard_grammar(words, [(0, 2), (2, 5)]), 3 * one) == whole  # a take that was not cut
    assert paths(_heard_grammar(words, [(0, 2), (2, 5)], opens_cut=True), one) == whole | {("b", "c", "d", "e")}
    assert paths(_heard_grammar(words, [(0, 2), (2, 5)], stops_cut=True), one) == whole | {
        ("a",), ("a", "b", "c"), ("a", "b", "c", "d")}
    g = _heard_grammar(words, [(0, 2), (2, 5)], True, True)
    assert paths(g, -0.1) == {("a", "b", "c", "d", "e")}  # as written, unless the audio says otherwise
    assert paths(g, one) == {("a", "b", "c", "d", "e"), ("a", "b"), ("c", "d", "e"),  # a unit left out
                             ("b", "c", "d", "e"),  # or opened inside
                             ("a",), ("a", "b", "c"), ("a", "b", "c", "d")}  # or stopped inside
    two = paths(g, 2 * one)
    assert {("d", "e"), ("e",), ("b",), ("b", "c")} <= two  # a unit left out and the next opened inside
    assert ("a", "c", "d", "e") not in paths(g, 3 * one) and ("a", "b", "d", "e") not in two  # never cut inside
