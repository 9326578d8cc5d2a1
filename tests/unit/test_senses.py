"""Sense separation numbers: a static table scores exactly the tie baseline; a space that separates senses wins."""

from __future__ import annotations

import numpy as np
import pytest

from embedkit.senses import nn_sense_accuracy, sense_cosines, sense_separation, tie_baseline

LABELS = ["river", "money", "money", "money", "river"]


def test_identical_vectors_score_exactly_the_tie_baseline() -> None:
    X = np.tile(np.array([[0.3, -1.2, 0.5]], np.float32), (5, 1))
    sep = sense_separation(X, LABELS)
    assert sep.accuracy == pytest.approx(sep.baseline)
    # river: 1 of 4 others shares its sense; money: 2 of 4
    assert sep.baseline == pytest.approx((2 * 0.25 + 3 * 0.5) / 5)
    assert (sep.same, sep.cross) == (pytest.approx(1.0), pytest.approx(1.0))


def test_a_space_that_separates_senses_is_perfect_and_shows_a_gap() -> None:
    rng = np.random.default_rng(0)
    centres = {"river": np.array([1.0, 0, 0]), "money": np.array([0, 1.0, 0])}
    X = np.stack([centres[label] + 0.05 * rng.normal(size=3) for label in LABELS])
    sep = sense_separation(X, LABELS)
    assert sep.accuracy == 1.0 and sep.accuracy > sep.baseline
    assert sep.same > 0.95 and sep.cross < 0.2 and sep.gap > 0.75


def test_ties_count_fractionally_and_single_sense_occurrences_are_not_scored() -> None:
    X = np.array([[1.0, 0], [1.0, 0], [0, 1.0], [1.0, 0.0001]], np.float32)
    acc = nn_sense_accuracy(X, ["a", "b", "a", "c"])
    # occurrence 0 ("a"): ties between 1 ("b") and 3 ("c") -> 0; "b" and "c" occur once -> not scored
    assert acc[0] == 0.0 and np.isnan(acc[1]) and np.isnan(acc[3])
    assert np.isnan(tie_baseline(["a", "b"])).all()


def test_sense_cosines_are_nan_without_pairs() -> None:
    same, cross = sense_cosines(np.eye(2), ["a", "b"])
    assert np.isnan(same) and cross == pytest.approx(0.0)
