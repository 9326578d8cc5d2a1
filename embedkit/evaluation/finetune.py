"""The joint-training route: does static input still help once the encoder itself is fine-tuned?

Three arms on the *same folds* as the other polarity rows (stratified ``folds``-fold CV, the first fold seed):

- ``frozen``: the frozen encoder's mean-pooled word vectors with logistic regression -- the polarity ``bert`` row
  itself, so the frozen baseline is exactly as strong as plain LR;
- ``finetuned``: the encoder fine-tuned with a linear classifier on the mean of its word vectors (no static input);
- ``finetuned_static``: the same, each word's vector concatenated with a learned linear map of its raw static
  vector (zero for OOV words).

The fusion question is ``finetuned_static`` against ``finetuned`` (McNemar on the out-of-fold predictions);
``finetuned`` against ``frozen`` says what fine-tuning alone does. Words are mean-pooled over their wordpieces
and sentences over their words; by default no sentence is cut (the length limit covers the longest sentence), and
a word whose pieces were cut would be left out of the mean, never counted as a zero vector. A GPU is used when
present.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.classification import CVResult, McNemar, make_folds, mcnemar

if TYPE_CHECKING:
    from embedkit.evaluation.datasets import LabelledSentences
    from embedkit.static import StaticVectors

__all__ = ["FinetuneResult", "finetune_cv"]

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class FinetuneResult:
    """The three arms on the same folds and the two paired tests."""

    frozen: CVResult
    finetuned: CVResult
    finetuned_static: CVResult
    settings: dict[str, Any] = field(default_factory=dict)
    truncated: int = 0
    seconds: float = 0.0

    @property
    def fusion_test(self) -> McNemar:
        """Fine-tuned with static input against fine-tuned without it."""
        return mcnemar(self.finetuned_static.correct, self.finetuned.correct)

    @property
    def finetune_test(self) -> McNemar:
        """Fine-tuned (no static input) against the frozen encoder with LR."""
        return mcnemar(self.finetuned.correct, self.frozen.correct)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "frozen": self.frozen.to_dict(),
            "finetuned": self.finetuned.to_dict(),
            "finetuned_static": self.finetuned_static.to_dict(),
            "fusion_test": self.fusion_test.to_dict(),
            "finetune_test": self.finetune_test.to_dict(),
            "settings": self.settings,
            "truncated": self.truncated,
            "seconds": self.seconds,
        }

    def sentence(self) -> str:
        """The finding: what static input adds once the encoder is fine-tuned."""
        s, f, z = self.finetuned_static, self.finetuned, self.frozen
        p1, p2 = self.fusion_test.p_value, self.finetune_test.p_value
        return (
            f"Fine-tuning the encoder ({self.settings['folds']}-fold, the same folds, {self.settings['epochs']} epochs): "
            f"with static input {s.format()} vs without {f.format()} (McNemar p={p1:.2f}, uncorrected); without "
            f"static input vs the frozen encoder with LR {z.format()} (McNemar p={p2:.2f}, uncorrected)."
        )

    def table(self) -> str:
        """One line per arm."""
        cut = f"{self.truncated} sentences cut at {self.settings['max_length']} wordpieces"
        return (
            f"Fine-tuning ({self.settings['folds']}-fold, same folds as seed {self.settings['seed']}, "
            f"{self.settings['epochs']} epochs, {self.settings['device']}, {cut}): frozen + LR {self.frozen.format()}; "
            f"fine-tuned {self.finetuned.format()}; fine-tuned with static input {self.finetuned_static.format()}; "
            f"McNemar (uncorrected) static vs none p={self.fusion_test.p_value:.3f}, fine-tuned vs frozen "
            f"p={self.finetune_test.p_value:.3f}"
        )


def _batch(tokenizer: Any, sentences: Sequence[Sequence[str]], max_length: int, device: str) -> tuple[Any, Any, Any]:
    """Wordpiece ids, a ``(B, n_pieces, max_words)`` mean-pooling matrix, and which words kept a piece."""
    import torch

    enc = tokenizer(
        [list(s) for s in sentences],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )
    max_words = max(len(s) for s in sentences)
    pool = torch.zeros(len(sentences), enc["input_ids"].shape[1], max_words)
    for b in range(len(sentences)):
        for p, w in enumerate(enc.word_ids(b)):
            if w is not None:
                pool[b, p, w] = 1.0
    counts = pool.sum(dim=1, keepdim=True)
    word_mask = counts.squeeze(1) > 0  # a word cut by truncation has no piece: it is left out of the mean
    pool = pool / counts.clamp(min=1.0)
    return {k: v.to(device) for k, v in enc.items()}, pool.to(device), word_mask.to(device)


def _build(model_path: str, static_dim: int | None, n_classes: int, device: str) -> Any:
    import torch
    from torch import nn
    from transformers import AutoModel

    class Joint(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(model_path, trust_remote_code=False)
            hidden = int(self.encoder.config.hidden_size)
            self.static_proj = nn.Linear(static_dim, hidden) if static_dim else None
            self.head = nn.Linear(hidden * (2 if static_dim else 1), n_classes)

        def forward(
            self, enc: dict[str, torch.Tensor], pool: torch.Tensor, word_mask: torch.Tensor, static: Any
        ) -> Any:
            v = torch.einsum("bph,bpw->bwh", self.encoder(**enc).last_hidden_state, pool)  # B,W,H
            if self.static_proj is not None:
                e, ok = static
                v = torch.cat([v, self.static_proj(e) * ok.unsqueeze(-1)], dim=-1)
            m = word_mask.unsqueeze(-1).to(v.dtype)
            return self.head((v * m).sum(1) / m.sum(1).clamp(min=1.0))

    return Joint().to(device)


def finetune_cv(
    model_path: str,
    static: StaticVectors,
    data: LabelledSentences,
    frozen: CVResult,
    *,
    folds: int = 10,
    epochs: int = 2,
    batch_size: int = 16,
    max_length: int | None = None,
    lr: float = 5e-5,
    head_lr: float = 1e-3,
    seed: int = 0,
    progress: Progress | None = None,
) -> FinetuneResult:
    """Cross-validated accuracy of the fine-tuned encoder with and without static input, on the frozen row's folds.

    Args:
        model_path: the encoder's model folder or id.
        static: the static vectors.
        data: labelled, pre-split sentences.
        frozen: the frozen-encoder LR result on ``make_folds(labels, folds, seed)`` (the polarity ``bert`` row).
        folds: k of the k-fold cross-validation.
        epochs: fine-tuning epochs.
        batch_size: sentences per step.
        max_length: wordpieces per sentence with special tokens; None = the longest sentence's (nothing cut).
        lr: encoder learning rate.
        head_lr: learning rate of the static projection and the classifier.
        seed: seed of the folds, the initialisation and the shuffling.
        progress: ``progress(done, total)`` over folds.
    """
    import torch
    from transformers import AutoConfig, AutoTokenizer

    t0 = time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(model_path, use_fast=True, trust_remote_code=False)
    y = np.asarray(data.labels)
    sents = [list(s) for s in data.sentences]
    lengths = [len(tokenizer(s, is_split_into_words=True)["input_ids"]) for s in sents]
    positions = int(
        getattr(AutoConfig.from_pretrained(model_path, trust_remote_code=False), "max_position_embeddings", 512)
    )
    limit = min(int(min(tokenizer.model_max_length, 10**6)), positions)
    max_length = min(max_length or max(lengths), limit)
    lookups = [static.lookup(s) for s in sents]

    def static_batch(idx: Sequence[int]) -> tuple[Any, Any]:
        w = max(len(sents[i]) for i in idx)
        e = np.zeros((len(idx), w, static.dim), np.float32)
        ok = np.zeros((len(idx), w), np.float32)
        for b, i in enumerate(idx):
            vec, oov = lookups[i]
            e[b, : len(vec)], ok[b, : len(vec)] = vec, ~oov
        return torch.from_numpy(e).to(device), torch.from_numpy(ok).to(device)

    def train_and_predict(train: np.ndarray, test: np.ndarray, with_static: bool, fold_seed: int) -> np.ndarray:
        torch.manual_seed(fold_seed)
        model = _build(model_path, static.dim if with_static else None, int(y.max()) + 1, device)
        heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
        opt = torch.optim.AdamW(
            [{"params": model.encoder.parameters(), "lr": lr}, {"params": heads, "lr": head_lr}], weight_decay=0.01
        )
        loss_fn = torch.nn.CrossEntropyLoss()
        order_rng = np.random.default_rng(fold_seed)
        model.train()
        for _ in range(epochs):
            order = order_rng.permutation(train)
            for s in range(0, len(order), batch_size):
                idx = [int(i) for i in order[s : s + batch_size]]
                logits = model(*_batch(tokenizer, [sents[i] for i in idx], max_length, device), static_batch(idx))
                loss = loss_fn(logits, torch.from_numpy(y[idx]).to(device))
                opt.zero_grad()
                loss.backward()
                opt.step()
        model.eval()
        preds = []
        with torch.no_grad():
            for s in range(0, len(test), 32):
                idx = [int(i) for i in test[s : s + 32]]
                out = model(*_batch(tokenizer, [sents[i] for i in idx], max_length, device), static_batch(idx))
                preds.append(out.argmax(1).cpu().numpy())
        return np.concatenate(preds) == y[test]

    fold_list = make_folds(y, k=folds, seed=seed)
    correct = {"finetuned": np.zeros(len(y), bool), "finetuned_static": np.zeros(len(y), bool)}
    accs: dict[str, list[float]] = {k: [] for k in correct}
    for fold_no, (train, test) in enumerate(fold_list):
        for name, with_static in (("finetuned", False), ("finetuned_static", True)):
            hit = train_and_predict(train, test, with_static, seed + fold_no)
            correct[name][test] = hit
            accs[name].append(float(hit.mean()))
        logger.info("fine-tuning fold %d: %s", fold_no, {k: v[-1] for k, v in accs.items()})
        if progress is not None:
            progress(fold_no + 1, len(fold_list))
    settings = {
        "folds": folds,
        "epochs": epochs,
        "batch_size": batch_size,
        "max_length": max_length,
        "lr": lr,
        "head_lr": head_lr,
        "device": device,
        "seed": seed,
    }
    return FinetuneResult(
        frozen,
        CVResult("finetuned", np.asarray(accs["finetuned"]), correct["finetuned"]),
        CVResult("finetuned_static", np.asarray(accs["finetuned_static"]), correct["finetuned_static"]),
        settings,
        truncated=sum(n > max_length for n in lengths),
        seconds=time.perf_counter() - t0,
    )
