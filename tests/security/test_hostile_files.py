"""Hostile vectors files (pickles, headers claiming far more than the file holds, truncated binaries, NaN / inf in
every format, compression bombs) are each refused with one clear line, in a process whose address space is capped
(`resource.setrlimit`), so a file that made the loader allocate what its header claims would fail here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.hostile import build_corpus, load_all


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[bool, dict[str, object]]]]:
    folder = tmp_path_factory.mktemp("hostile")
    corpus = build_corpus(folder)
    loaded = load_all([path for path, _ in corpus.values()])
    return folder, {name: (should_load, loaded[path]) for name, (path, should_load) in corpus.items()}


def test_well_formed_files_of_every_format_still_load(results) -> None:
    _, res = results
    controls = {name: r for name, (ok, r) in res.items() if ok}
    assert len(controls) >= 6
    for name, r in controls.items():
        assert r["loaded"], (name, r)
        assert r["dim"] == 8 and r["rows"] >= 4, (name, r)


def test_every_hostile_file_is_refused_with_one_line_naming_it(results) -> None:
    _, res = results
    hostile = {name: r for name, (ok, r) in res.items() if not ok}
    assert len(hostile) >= 25
    for name, r in hostile.items():
        assert not r["loaded"], (name, r)
        assert r["error"] in ("VectorsFileError", "UnsafeFileError"), (name, r)
        message = str(r["message"])
        assert "\n" not in message and message.startswith(f"{name}:"), (name, message)
        assert "does not fit in memory" not in message, (name, message)  # refused before allocating, not after


def test_refusals_never_quote_the_file(results) -> None:
    _, res = results
    messages = " ".join(str(r.get("message", "")) for _, r in res.values())
    assert "SECRET-TOKEN" not in messages and "pwned" not in messages and "\\x" not in messages


def test_no_pickle_payload_ever_ran(results) -> None:
    folder, res = results
    assert all(r["error"] == "UnsafeFileError" for name, (_, r) in res.items() if "pickle" in name or "object" in name)
    assert not (folder / "PWNED").exists()


def test_the_issue_cases_are_refused_for_the_right_reason(results) -> None:
    _, res = results
    says = {
        "huge_dims.txt.gz": "2,000,000,000 dimensions",
        "ft_huge_dim.bin": "2,000,000,000 dimensions",
        "short_header.txt": "the header says 1 row but the file holds more",
        "bomb_rows.txt.gz": "compression bomb",
        "nan_npy": "NaN or infinite",
        "nan_fasttext.bin": "NaN or infinite",
        "truncated.bin": "needs at least",
    }
    for name, fragment in says.items():
        assert fragment in str(res[name][1]["message"]), (name, res[name][1])
