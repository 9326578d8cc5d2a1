"""The joint-training route: fine-tune the contextual encoder with static vectors as extra input.

Per word: ``[pool(wordpieces of h) ; W e]`` (mean over the word's wordpieces, ``W`` a learned linear map of
the raw static vector, zero for OOV), mean over the sentence's words, then a linear classifier. The same
head is trained on the frozen encoder as the comparison. Kept small for a CPU: few epochs, sentences capped
at ``max_length`` wordpieces, k-fold cross-validation with the folds of the other polarity results.
A GPU is used when present.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from embedkit.evaluation.datasets import LabelledSentences
    from embedkit.evaluation.suite import Resources

__all__ = ["finetune_cv"]

logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


def _batch(tokenizer: Any, sentences: Sequence[Sequence[str]], max_length: int, device: str) -> tuple[Any, Any]:
    """Wordpiece ids and a ``(B, n_pieces, max_words)`` pooling matrix (mean over each word's pieces)."""
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
    pool = pool / counts.clamp(min=1.0)
    return {k: v.to(device) for k, v in enc.items()}, pool.to(device)


def _build(model_path: str, static_dim: int, n_classes: int, device: str) -> Any:
    import torch
    from torch import nn
    from transformers import AutoModel

    class Joint(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(model_path)
            hidden = int(self.encoder.config.hidden_size)
            self.static_proj = nn.Linear(static_dim, hidden)
            self.head = nn.Linear(2 * hidden, n_classes)

        def word_vectors(self, enc: dict[str, torch.Tensor], pool: torch.Tensor) -> torch.Tensor:
            pieces = self.encoder(**enc).last_hidden_state  # B,P,H
            return torch.einsum("bph,bpw->bwh", pieces, pool)  # B,W,H

        def forward(
            self, words: torch.Tensor, static: torch.Tensor, static_ok: torch.Tensor, word_mask: torch.Tensor
        ) -> torch.Tensor:
            s = self.static_proj(static) * static_ok.unsqueeze(-1)
            v = torch.cat([words, s], dim=-1)
            m = word_mask.unsqueeze(-1).to(v.dtype)
            return self.head((v * m).sum(1) / m.sum(1).clamp(min=1.0))

    return Joint().to(device)


def finetune_cv(
    res: Resources,
    data: LabelledSentences,
    *,
    folds: int = 5,
    epochs: int = 2,
    frozen_epochs: int = 100,
    batch_size: int = 16,
    max_length: int = 48,
    lr: float = 5e-5,
    head_lr: float = 1e-3,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Cross-validated accuracy of the fine-tuned encoder (+ static input) against the frozen one.

    Args:
        res: loaded resources (the encoder's model folder and the static vectors are used).
        data: labelled sentences.
        folds: k of the k-fold cross-validation (stratified, seeded).
        epochs: fine-tuning epochs.
        frozen_epochs: full-batch head epochs on the frozen encoder's features.
        batch_size: sentences per fine-tuning step.
        max_length: wordpieces per sentence (longer sentences are cut; their tail words get no pieces).
        lr: encoder learning rate.
        head_lr: learning rate of the static projection and the classifier.
        seed: seed of folds, initialisation and shuffling.
        progress: ``progress(done, total)`` over folds.

    Returns:
        Plain dict: accuracy and spread of ``frozen`` and ``finetuned``, McNemar between them, settings, seconds.
    """
    import torch
    from transformers import AutoTokenizer

    from embedkit.evaluation.classification import CVResult, make_folds, mcnemar

    t0 = time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model_path = res.encoder.model_path
    tokenizer = AutoTokenizer.from_pretrained(model_path, use_fast=True)
    y = np.asarray(data.labels)
    n_classes = int(y.max()) + 1
    sents = [list(s) for s in data.sentences]
    static_arrays = [res.static.lookup(s) for s in sents]

    def static_batch(idx: Sequence[int]) -> tuple[Any, Any, Any]:
        w = max(len(sents[i]) for i in idx)
        e = np.zeros((len(idx), w, res.static.dim), np.float32)
        ok = np.zeros((len(idx), w), np.float32)
        mask = np.zeros((len(idx), w), bool)
        for b, i in enumerate(idx):
            vec, oov = static_arrays[i]
            n = len(vec)
            e[b, :n], ok[b, :n], mask[b, :n] = vec, ~oov, True
        return torch.from_numpy(e).to(device), torch.from_numpy(ok).to(device), torch.from_numpy(mask).to(device)

    results: dict[str, dict[str, Any]] = {}
    correct = {"frozen": np.zeros(len(y), bool), "finetuned": np.zeros(len(y), bool)}
    accs: dict[str, list[float]] = {"frozen": [], "finetuned": []}
    fold_list = make_folds(y, k=folds, seed=seed)
    loss_fn = torch.nn.CrossEntropyLoss()
    for fold_no, (train, test) in enumerate(fold_list):
        # frozen encoder: features once, head trained full-batch
        torch.manual_seed(seed + fold_no)
        model = _build(model_path, res.static.dim, n_classes, device)
        model.encoder.eval()

        def words_of(model: Any, idx: Sequence[int]) -> Any:
            out = []
            with torch.no_grad():
                for s in range(0, len(idx), 32):
                    part = list(idx[s : s + 32])
                    enc, pool = _batch(tokenizer, [sents[i] for i in part], max_length, device)
                    wv = model.word_vectors(enc, pool)
                    out.append(torch.nn.functional.pad(wv, (0, 0, 0, max(len(sents[i]) for i in idx) - wv.shape[1])))
            return torch.cat(out)

        feats = {"train": words_of(model, train), "test": words_of(model, test)}
        st_tr, st_te = static_batch(train), static_batch(test)
        y_tr = torch.from_numpy(y[train]).to(device)
        params = list(model.static_proj.parameters()) + list(model.head.parameters())
        opt = torch.optim.Adam(params, lr=head_lr * 10)
        for _ in range(frozen_epochs):
            loss = loss_fn(model(feats["train"], *st_tr), y_tr)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            hit = model(feats["test"], *st_te).argmax(1).cpu().numpy() == y[test]
        correct["frozen"][test] = hit
        accs["frozen"].append(float(hit.mean()))

        # fine-tuned encoder, trained jointly with the static projection and the head
        torch.manual_seed(seed + fold_no)
        model = _build(model_path, res.static.dim, n_classes, device)
        opt = torch.optim.AdamW(
            [
                {"params": model.encoder.parameters(), "lr": lr},
                {"params": list(model.static_proj.parameters()) + list(model.head.parameters()), "lr": head_lr},
            ],
            weight_decay=0.01,
        )
        gen = np.random.default_rng(seed + fold_no)
        for _ in range(epochs):
            model.train()
            order = gen.permutation(train)
            for s in range(0, len(order), batch_size):
                idx = list(order[s : s + batch_size])
                enc, pool = _batch(tokenizer, [sents[i] for i in idx], max_length, device)
                logits = model(model.word_vectors(enc, pool), *static_batch(idx))
                loss = loss_fn(logits, torch.from_numpy(y[idx]).to(device))
                opt.zero_grad()
                loss.backward()
                opt.step()
        model.eval()
        preds = []
        with torch.no_grad():
            for s in range(0, len(test), 32):
                idx = list(test[s : s + 32])
                enc, pool = _batch(tokenizer, [sents[i] for i in idx], max_length, device)
                preds.append(model(model.word_vectors(enc, pool), *static_batch(idx)).argmax(1).cpu().numpy())
        hit = np.concatenate(preds) == y[test]
        correct["finetuned"][test] = hit
        accs["finetuned"].append(float(hit.mean()))
        logger.info(
            "fine-tuning fold %d: frozen %.3f, fine-tuned %.3f", fold_no, accs["frozen"][-1], accs["finetuned"][-1]
        )
        if progress is not None:
            progress(fold_no + 1, len(fold_list))
        del model
    for key in ("frozen", "finetuned"):
        results[key] = CVResult(key, np.asarray(accs[key]), correct[key]).to_dict()
    test = mcnemar(correct["finetuned"], correct["frozen"])
    return {
        "frozen": results["frozen"],
        "finetuned": results["finetuned"],
        "mcnemar": test.to_dict(),
        "settings": {
            "folds": folds,
            "epochs": epochs,
            "frozen_epochs": frozen_epochs,
            "batch_size": batch_size,
            "max_length": max_length,
            "lr": lr,
            "head_lr": head_lr,
            "device": device,
            "seed": seed,
        },
        "seconds": time.perf_counter() - t0,
    }
