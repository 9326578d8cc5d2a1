"""Dynamic Meta-Embeddings (Kiela, Wang & Cho, 2018) trained jointly with a small sentence classifier.

For word ``i`` and source ``j`` (contextual, static, ...): project ``w'_ij = P_j w_ij + b_j`` to a common
size, score ``s_ij = a . w'_ij + b``, turn the scores into weights ``alpha_ij`` with a softmax over sources
(DME; weights sum to 1 per word) or a per-source sigmoid gate (the gating variant; weights need not sum to
1), and fuse ``v_i = sum_j alpha_ij w'_ij``. The sentence is the mean of its fused words, classified by a
linear layer. A source missing for a word (static OOV) gets weight 0.

Everything is small enough to train on a CPU in seconds; :meth:`DMEClassifier.word_weights` exposes the
learned per-word weights that the Fusion lab shows (:mod:`embedkit.evaluation.dme_weights` trains one for it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from embedkit.evaluation.classification import CVResult

__all__ = ["GATINGS", "DMEClassifier", "cross_validate_dme"]

logger = logging.getLogger(__name__)

GATINGS = ("softmax", "sigmoid")

#: sources[j][s] is the ``(n_words, dim_j)`` array of source j for sentence s
Sources = Sequence[Sequence[np.ndarray]]


def _build_module(source_dims: Sequence[int], proj_dim: int, n_classes: int, gating: str, dropout: float) -> Any:
    import torch
    from torch import nn

    class DME(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.projections = nn.ModuleList(nn.Linear(d, proj_dim) for d in source_dims)
            self.scorer = nn.Linear(proj_dim, 1)  # a . w' + b, shared by the sources
            self.dropout = nn.Dropout(dropout)
            self.classifier = nn.Linear(proj_dim, n_classes)

        def weights(self, sources: list[torch.Tensor], present: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            projected = torch.stack([p(x) for p, x in zip(self.projections, sources)], dim=2)  # B,T,S,D
            scores = self.scorer(projected).squeeze(-1)  # B,T,S
            if gating == "softmax":
                scores = scores.masked_fill(~present, float("-inf"))
                w = torch.softmax(scores, dim=-1)
                w = torch.nan_to_num(w, nan=0.0)  # padding words: every source absent
            else:
                w = torch.sigmoid(scores) * present
            return w, projected

        def forward(
            self, sources: list[torch.Tensor], present: torch.Tensor, word_mask: torch.Tensor
        ) -> tuple[torch.Tensor, torch.Tensor]:
            w, projected = self.weights(sources, present)
            fused = (w.unsqueeze(-1) * projected).sum(dim=2)  # B,T,D
            m = word_mask.unsqueeze(-1).to(fused.dtype)
            sent = (fused * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
            return self.classifier(self.dropout(sent)), w

    return DME()


class DMEClassifier:
    """DME word fusion + mean pooling + linear classifier, trained jointly (scikit-learn style).

    Args:
        proj_dim: size of the common projected space.
        gating: ``softmax`` (DME) or ``sigmoid`` (gated variant).
        epochs: passes over the training sentences.
        lr: Adam learning rate.
        weight_decay: Adam weight decay.
        batch_size: sentences per step.
        dropout: dropout on the sentence vector.
        seed: seed of initialisation and shuffling.
        device: torch device (``cpu`` by default; the data are tiny).
    """

    def __init__(
        self,
        proj_dim: int = 64,
        gating: str = "softmax",
        epochs: int = 30,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 32,
        dropout: float = 0.2,
        seed: int = 0,
        device: str = "cpu",
    ) -> None:
        self.proj_dim = proj_dim
        self.gating = gating
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.dropout = dropout
        self.seed = seed
        self.device = device

    # -- data ------------------------------------------------------------------------------------
    def _tensors(self, sources: Sources, present: Sequence[np.ndarray] | None) -> tuple[Any, Any, Any]:
        import torch

        n_sent = len(sources[0])
        lengths = np.asarray([len(x) for x in sources[0]])
        for j, src in enumerate(sources):
            if len(src) != n_sent or any(len(x) != n for x, n in zip(src, lengths)):
                raise ValueError(f"source {j} does not have one vector per word of every sentence")
        t_max = max(1, int(lengths.max()))
        xs = []
        for j, src in enumerate(sources):
            arr = np.zeros((n_sent, t_max, src[0].shape[1]), dtype=np.float32)
            for s, x in enumerate(src):
                arr[s, : len(x)] = (np.asarray(x, dtype=np.float32) - self.mean_[j]) / self.std_[j]
            xs.append(torch.from_numpy(arr).to(self.device))
        word_mask = torch.from_numpy(np.arange(t_max)[None, :] < lengths[:, None]).to(self.device)
        pres = np.zeros((n_sent, t_max, len(sources)), dtype=bool)
        for s, n in enumerate(lengths):
            pres[s, :n] = True if present is None else np.asarray(present[s], dtype=bool).reshape(n, len(sources))
        pres_t = torch.from_numpy(pres).to(self.device) & word_mask.unsqueeze(-1)
        return xs, pres_t, word_mask

    # -- sklearn-style API ------------------------------------------------------------------------
    def fit(self, sources: Sources, y: np.ndarray, present: Sequence[np.ndarray] | None = None) -> DMEClassifier:
        """Train projections, scorer and classifier jointly.

        Args:
            sources: ``sources[j][s]`` = ``(n_words, dim_j)`` vectors of source j in sentence s.
            y: integer label per sentence.
            present: optional ``(n_words, n_sources)`` bool per sentence; False = source lacks the word.

        Raises:
            ValueError: for an unknown gating or inconsistent shapes.
        """
        import torch

        if self.gating not in GATINGS:
            raise ValueError(f"unknown gating {self.gating!r}; choose one of: {', '.join(GATINGS)}")
        y = np.asarray(y, dtype=np.int64)
        self.mean_, self.std_ = [], []
        for j, src in enumerate(sources):
            stacked = np.concatenate([np.asarray(x, dtype=np.float32) for x in src if len(x)], axis=0)
            if present is not None:
                keep = np.concatenate([np.asarray(p, dtype=bool)[:, j] for p, x in zip(present, src) if len(x)])
                stacked = stacked[keep] if keep.any() else stacked
            self.mean_.append(stacked.mean(axis=0))
            self.std_.append(stacked.std(axis=0) + 1e-6)
        self.source_dims_ = [int(src[0].shape[1]) for src in sources]
        self.n_classes_ = int(y.max()) + 1
        gen = torch.Generator().manual_seed(self.seed)
        torch.manual_seed(self.seed)
        self.module_ = _build_module(self.source_dims_, self.proj_dim, self.n_classes_, self.gating, self.dropout)
        self.module_.to(self.device)
        xs, pres, mask = self._tensors(sources, present)
        yt = torch.from_numpy(y).to(self.device)
        opt = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        loss_fn = torch.nn.CrossEntropyLoss()
        self.module_.train()
        n = len(y)
        for _ in range(self.epochs):
            order = torch.randperm(n, generator=gen)
            for start in range(0, n, self.batch_size):
                b = order[start : start + self.batch_size].to(self.device)
                logits, _ = self.module_([x[b] for x in xs], pres[b], mask[b])
                loss = loss_fn(logits, yt[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.module_.eval()
        return self

    def _forward(self, sources: Sources, present: Sequence[np.ndarray] | None) -> tuple[Any, Any, Any]:
        import torch

        if not hasattr(self, "module_"):
            raise RuntimeError("DMEClassifier is not fitted; call fit first")
        xs, pres, mask = self._tensors(sources, present)
        with torch.no_grad():
            logits, w = self.module_(xs, pres, mask)
        return logits, w, mask

    def predict(self, sources: Sources, present: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """Predicted label per sentence."""
        logits, _, _ = self._forward(sources, present)
        return logits.argmax(dim=1).cpu().numpy()

    def word_weights(self, sources: Sources, present: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
        """Learned weight of each source for each word: ``(n_words, n_sources)`` per sentence.

        With ``gating="softmax"`` every row sums to 1.
        """
        _, w, mask = self._forward(sources, present)
        w = w.cpu().numpy()
        lengths = mask.sum(dim=1).cpu().numpy()
        return [w[s, : int(n)] for s, n in enumerate(lengths)]


def _take(sources: Sources, idx: np.ndarray) -> list[list[np.ndarray]]:
    return [[src[i] for i in idx] for src in sources]


@contextmanager
def _one_thread() -> Iterator[None]:
    """Tiny batches: one torch thread is several times faster than two fighting over small ops (measured)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def cross_validate_dme(
    sources: Sources,
    y: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    *,
    present: Sequence[np.ndarray] | None = None,
    name: str | None = None,
    **params: Any,
) -> CVResult:
    """Out-of-fold accuracy of :class:`DMEClassifier` on the given folds (same folds as the other spaces).

    The result's ``word_weights`` are out of fold too: each sentence's learned weights come from the model of the
    fold that held it out.
    """
    y = np.asarray(y)
    correct = np.zeros(len(y), dtype=bool)
    weights: list[np.ndarray] = [np.zeros((0, len(sources)))] * len(y)
    accs = []
    with _one_thread():
        for train, test in folds:
            clf = DMEClassifier(**params).fit(
                _take(sources, train), y[train], None if present is None else [present[i] for i in train]
            )
            held_out = _take(sources, test), None if present is None else [present[i] for i in test]
            hit = clf.predict(*held_out) == y[test]
            for i, w in zip(test, clf.word_weights(*held_out)):
                weights[int(i)] = w
            correct[test] = hit
            accs.append(hit.mean())
    gating = params.get("gating", "softmax")
    return CVResult(name or f"DME ({gating})", np.asarray(accs), correct, word_weights=weights)
