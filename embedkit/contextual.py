"""The contextual side: any Hugging Face encoder, one vector per word occurrence.

Words come from :func:`embedkit.text.segment`; the fast tokenizer's ``word_ids()`` maps wordpieces back to
them, and the pieces of a word are pooled (first / last / mean / first_last, as in flair). Text longer than
the model's maximum is encoded in overlapping windows and stitched: every wordpiece takes its vector from the
window in which it sits furthest from an edge. Windows are batched by wordpiece length under
``torch.inference_mode()``; index arithmetic is done with numpy arrays, never per word in Python. The forward pass
runs in torch, or (``runtime="onnx"``) in ONNX Runtime on the model exported once to ONNX
(:mod:`embedkit.onnx_runtime`); everything around it is the same code.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedkit.cache import stable_hash
from embedkit.defaults import DEFAULT_MODEL_NAME, default_model_path
from embedkit.errors import EmbedkitError, ModelLoadError
from embedkit.options import (
    LayerSpec,
    Pooling,
    Runtime,
    check_layers,
    coerce,
    is_hub_id,
    layers_label,
    parse_layers,
)

__all__ = ["ContextualEncoder", "Progress", "hub_message", "resolve_device"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

_DTYPES = ("float32", "bfloat16", "float16")
#: the most padded positions one forward pass may hold (bounds activation memory for long windows)
_MAX_BATCH_TOKENS = 32 * 512


def resolve_device(device: str = "auto") -> str:
    """``auto`` picks cuda, then mps, then cpu; anything else is passed to torch as is."""
    import torch

    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


@dataclass(frozen=True)
class _Window:
    """Wordpieces ``[start, end)`` of one sentence fed as one sequence; ``[keep_start, keep_end)`` are used."""

    sentence: int
    start: int
    end: int
    keep_start: int
    keep_end: int


def _windows(sentence: int, n_pieces: int, max_pieces: int, stride: int) -> list[_Window]:
    """Overlapping windows over ``n_pieces``; the kept parts tile ``[0, n_pieces)`` exactly once."""
    if n_pieces <= max_pieces:
        return [_Window(sentence, 0, n_pieces, 0, n_pieces)]
    starts = list(range(0, n_pieces - max_pieces, stride)) + [n_pieces - max_pieces]
    out: list[_Window] = []
    for k, s in enumerate(starts):
        e = s + max_pieces
        keep_s = 0 if k == 0 else (s + starts[k - 1] + max_pieces) // 2
        keep_e = n_pieces if k == len(starts) - 1 else (starts[k + 1] + e) // 2
        out.append(_Window(sentence, s, e, keep_s, keep_e))
    return out


def _batch_bounds(lengths: Sequence[int], batch_size: int) -> list[tuple[int, int]]:
    """``[start, end)`` of each batch over sequences sorted by length: ``batch_size`` sequences per batch, fewer
    where they are long, so a batch never pads beyond ``_MAX_BATCH_TOKENS`` positions (32 x 512, the old default's
    worst case) -- at ``batch_size <= 32`` and 512-piece models the batches are exactly ``batch_size`` long."""
    bounds: list[tuple[int, int]] = []
    start, n = 0, len(lengths)
    while start < n:
        end = min(start + batch_size, n)
        rows = max(1, min(end - start, _MAX_BATCH_TOKENS // max(1, int(lengths[end - 1]))))
        bounds.append((start, start + rows))
        start += rows
    return bounds


class ContextualEncoder:
    """A Hugging Face encoder that returns one vector per word.

    Args:
        model: a Hugging Face model id or a local folder; None for the bundled all-MiniLM-L6-v2.
        layers: ``last``, ``second_last``, ``last4`` (mean of the last four), ``all`` (mean of all
            transformer layers) or hidden-state indices such as ``"-1,-2"`` (their mean).
        pooling: how the wordpieces of a word become one vector: first, last, mean or first_last
            (first and last concatenated, so the dimension doubles).
        device: ``auto`` (cuda, mps, cpu) or a torch device string.
        dtype: ``float32``, ``bfloat16`` or ``float16`` (GPU only) for the forward pass; output is float32.
        batch_size: sequences per forward pass; None picks 32 for float32 on a CPU and 128 otherwise (sequences
            are sorted by wordpiece length first; long ones go
            in smaller batches so a pass never holds more than 32 x 512 positions).
        max_length: wordpieces per sequence including special tokens; None for the model's maximum.
        runtime: what runs the forward pass: ``torch``; ``onnx`` (the model exported to ONNX once, cached on
            disk, run by ONNX Runtime on the CPU; float32 only; vectors equal torch's within 1e-5) or ``onnx_int8``
            (the same with int8 weights: faster, not equal; opt-in). See :mod:`embedkit.onnx_runtime`.

    Raises:
        ModelLoadError: the model cannot be loaded (unknown id offline, not a model folder, slow tokenizer), or
            runtime onnx without its packages installed.
        ValueError: an unknown option, naming the valid ones.

    Example:
        >>> enc = ContextualEncoder()                                   # doctest: +SKIP
        >>> [v.shape for v in enc.encode([["The", "bank", "."]])]       # doctest: +SKIP
        [(3, 384)]
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        layers: str | Sequence[int] = "last",
        pooling: Pooling | str = "mean",
        device: str = "auto",
        dtype: str = "float32",
        batch_size: int | None = None,
        max_length: int | None = None,
        runtime: Runtime | str = Runtime.TORCH,
    ) -> None:
        self.layers: LayerSpec = parse_layers(layers)
        self.runtime = coerce(Runtime, runtime)
        self.pooling = coerce(Pooling, pooling)
        if dtype not in _DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; choose one of: {', '.join(_DTYPES)}")
        if batch_size is not None and batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.dtype = dtype
        self.model_path = default_model_path() if model is None else str(model)
        self.name = DEFAULT_MODEL_NAME if model is None else str(model)
        onnx = self.runtime is not Runtime.TORCH
        if onnx:
            if dtype != "float32":
                raise EmbedkitError(f"runtime {self.runtime.value} runs float32 only; use runtime torch for {dtype}")
            if device not in ("auto", "cpu"):
                raise EmbedkitError(f"runtime {self.runtime.value} runs on the CPU; use runtime torch on {device}")
        self.device = "cpu" if onnx else resolve_device(device)
        # measured (bench/embed_throughput.py, 2-core CPU): float32 runs best at 32 sequences per pass (less
        # padding), bfloat16 and GPUs at 128 (bigger matrices)
        self.batch_size = batch_size or (32 if dtype == "float32" and self.device == "cpu" else 128)
        if dtype == "float16" and self.device == "cpu":
            raise ValueError("dtype float16 needs a GPU; on the CPU use bfloat16 or float32")
        self._tokenizer, self._config = self._load_tokenizer_and_config()
        self._model: Any = None if onnx else self._load_torch(self.dtype)
        self._onnx: Any = None
        self._prefix, self._suffix = self._special_tokens()
        model_max = int(getattr(self._config, "max_position_embeddings", 512) or 512)
        if getattr(self._config, "model_type", "") in {"roberta", "xlm-roberta", "camembert"}:
            model_max -= 2  # position ids start after the padding index
        tok_max = int(getattr(self._tokenizer, "model_max_length", model_max) or model_max)
        limit = min(model_max, tok_max)
        self.max_length = limit if max_length is None else min(int(max_length), limit)
        self._max_pieces = self.max_length - len(self._prefix) - len(self._suffix)
        if self._max_pieces < 2:
            raise ValueError(f"max_length {self.max_length} leaves no room for wordpieces")
        check_layers(self.layers, int(getattr(self._config, "num_hidden_layers", 0) or 0) or 10**6)
        hidden = int(self._config.hidden_size)
        self.hidden_size = hidden
        self.dim = 2 * hidden if self.pooling is Pooling.FIRST_LAST else hidden
        if onnx:
            self._onnx = self._load_onnx()

    # -- loading -------------------------------------------------------------------------------------
    def _load_tokenizer_and_config(self) -> tuple[Any, Any]:
        import transformers
        from transformers import AutoConfig, AutoTokenizer

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        path = self.model_path
        local = Path(path).expanduser()
        if local.exists() and not (local / "config.json").exists():
            raise ModelLoadError(f"{path!r} is a folder without config.json: not a Hugging Face model folder")
        try:
            tokenizer = AutoTokenizer.from_pretrained(path, use_fast=True, trust_remote_code=False)
        except Exception as exc:  # transformers raises OSError, ValueError, HF hub errors...
            raise ModelLoadError(_load_message(path, exc)) from exc
        if not getattr(tokenizer, "is_fast", False):
            raise ModelLoadError(f"{path!r} has no fast tokenizer; word alignment needs one (tokenizer.json)")
        try:
            tokenizer(["a", "b"], is_split_into_words=True)
        except ValueError:  # byte-level BPE (RoBERTa, GPT-2) needs a prefix space for pre-split words
            tokenizer = AutoTokenizer.from_pretrained(
                path, use_fast=True, trust_remote_code=False, add_prefix_space=True
            )
        try:
            config = AutoConfig.from_pretrained(path, trust_remote_code=False)
        except Exception as exc:
            raise ModelLoadError(_load_message(path, exc)) from exc
        return tokenizer, config

    def _load_torch(self, dtype: str, **options: Any) -> Any:
        """The torch model in ``dtype`` on this encoder's device, in eval mode (``options`` go to from_pretrained)."""
        import torch
        from transformers import AutoModel

        try:
            model = AutoModel.from_pretrained(self.model_path, trust_remote_code=False, **options)
        except Exception as exc:
            raise ModelLoadError(_load_message(self.model_path, exc)) from exc
        torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
        return model.to(device=self.device, dtype=torch_dtype[dtype]).eval()

    def _load_onnx(self) -> Any:
        """The ONNX Runtime session of this model (exported on first use, then read from the disk cache)."""
        import torch

        from embedkit.onnx_runtime import load_onnx_encoder

        words = [["The", "bank", "raised", "its", "interest", "rates", "."], ["A", "river", "bank", "."]]
        ids, wids = self._tokenize(words)
        width = max(len(x) for x in ids) + len(self._prefix) + len(self._suffix)
        pad = self._tokenizer.pad_token_id if self._tokenizer.pad_token_id is not None else 0
        input_ids = np.full((len(ids), width), pad, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for r, x in enumerate(ids):
            row = self._prefix + x + self._suffix
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        return load_onnx_encoder(
            self.model_path,
            self._config,
            lambda: self._load_torch("float32", attn_implementation="eager"),
            (input_ids, mask),
            int8=self.runtime is Runtime.ONNX_INT8,
            threads=torch.get_num_threads(),
        )

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        """The ids the tokenizer puts before and after a sequence (e.g. [CLS] and [SEP])."""
        bare = self._tokenizer("a", add_special_tokens=False)["input_ids"]
        full = self._tokenizer("a", add_special_tokens=True)["input_ids"]
        for i in range(len(full) - len(bare) + 1):
            if full[i : i + len(bare)] == bare:
                return list(full[:i]), list(full[i + len(bare) :])
        return [], []

    # -- public API ----------------------------------------------------------------------------------
    def settings_key(self) -> str:
        """A stable key of everything that changes the vectors (model, layers, pooling, dtype, window; int8 weights).

        Runtime ``onnx`` shares torch's key: its vectors equal torch float32's within 1e-5 (tested), so the fitted
        map, the post-processor and the words-alone cache serve both. ``onnx_int8`` changes the vectors: its own key.
        """
        parts: tuple[Any, ...] = (self.model_path, self.layers, self.pooling.value, self.dtype, self.max_length)
        if self.runtime is Runtime.ONNX_INT8:
            parts += ("int8",)
        return stable_hash("contextual", *parts)

    @property
    def n_layers(self) -> int:
        """The number of transformer layers (hidden states are 0 = embeddings, 1..n_layers)."""
        return int(getattr(self._config, "num_hidden_layers", 0) or 0)

    def size(self) -> tuple[int, int]:
        """``(parameters, bytes)`` of the loaded model (for ONNX: of the graph's weights as stored)."""
        if self._onnx is not None:
            return self._onnx.size()
        params = list(self._model.parameters())
        return sum(p.numel() for p in params), sum(p.numel() * p.element_size() for p in params)

    def describe(self) -> str:
        """One line for people: model, layers, pooling, dtype, device (and the runtime when it is not torch)."""
        runtime = "" if self.runtime is Runtime.TORCH else f" ({self.runtime.value})"
        return (
            f"{self.name} · layers {layers_label(self.layers)} · pooling {self.pooling.value}"
            f" · {self.dtype}{runtime} on {self.device} · {self.dim}-d"
        )

    def encode(self, sentences: Sequence[Sequence[str]], *, progress: Progress | None = None) -> list[np.ndarray]:
        """One float32 array ``(n_words, dim)`` per sentence of pre-split words, in input order."""
        out: list[np.ndarray] = [np.zeros((0, self.dim), np.float32)] * len(sentences)
        for index, vectors in self.iter_encode(sentences, progress=progress):
            out[index] = vectors
        return out

    def encode_words(self, words: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Each word encoded alone (``[CLS] word [SEP]``): an array ``(len(words), dim)``."""
        if not len(words):
            return np.zeros((0, self.dim), np.float32)
        arrays = self.encode([[w] for w in words], progress=progress)
        return np.concatenate(arrays, axis=0)

    def iter_encode(
        self,
        sentences: Sequence[Sequence[str]],
        *,
        chunk_size: int = 2048,
        progress: Progress | None = None,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Stream ``(sentence_index, vectors)`` chunk by chunk (memory stays bounded for a corpus).

        Within a chunk, sentences are batched by wordpiece length; results come out in input order.
        """
        total = len(sentences)
        done = 0
        for lo in range(0, total, chunk_size):
            chunk = sentences[lo : lo + chunk_size]
            for k, vectors in enumerate(self._encode_chunk(chunk)):
                yield lo + k, vectors
            done += len(chunk)
            if progress is not None:
                progress(done, total)

    def encode_layers(
        self,
        sentences: Sequence[Sequence[str]],
        *,
        poolings: Sequence[Pooling | str] = ("first", "last", "mean"),
        chunk_size: int = 256,
        progress: Progress | None = None,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Each sentence through the model once, every hidden state kept (for comparing layers and poolings).

        The encoder's own ``layers`` and ``pooling`` are ignored; windows, batching and pooling are the ones
        :meth:`encode` uses, so state ``k`` pooled with ``p`` equals ``ContextualEncoder(layers=str(k), pooling=p)``.
        Raw vectors: no post-processing.

        Yields:
            ``(sentence_index, array)`` with the array ``(len(poolings), n_layers + 1, n_words, hidden_size)``;
            state 0 is the embedding layer.
        """
        pools = [coerce(Pooling, p) for p in poolings]
        if Pooling.FIRST_LAST in pools:
            raise ValueError("encode_layers pools first, last or mean; first_last is first and last side by side")
        n_states = self.n_layers + 1
        # the same model with a wider "hidden state" (every layer side by side), raw whatever subclass self is
        view = ContextualEncoder.__new__(ContextualEncoder)
        view.__dict__.update(self.__dict__)
        view.hidden_size = n_states * self.hidden_size
        view.dim = view.hidden_size
        view._forward = self._forward_all_states  # type: ignore[method-assign]

        def pool_each(pieces: np.ndarray, wids: list[np.ndarray], n_words: np.ndarray, offset: np.ndarray) -> list:
            outs = []
            for p in pools:
                view.pooling = p
                outs.append(ContextualEncoder._pool(view, pieces, wids, n_words, offset))
            return [np.stack([o[i] for o in outs]) for i in range(len(n_words))]

        view._pool = pool_each  # type: ignore[method-assign,assignment]
        for index, arr in ContextualEncoder.iter_encode(view, sentences, chunk_size=chunk_size, progress=progress):
            n = len(sentences[index])
            if arr.ndim != 3:  # a sentence without words
                arr = np.zeros((len(pools), 0, view.hidden_size), np.float32)
            yield index, arr.reshape(len(pools), n, n_states, self.hidden_size).transpose(0, 2, 1, 3)

    def _forward_all_states(self, input_ids: Any, mask: Any) -> Any:
        """Every hidden state (embeddings first) side by side: ``(batch, positions, n_states * hidden)``."""
        import torch

        if self._onnx is not None:
            states = self._onnx.run(input_ids.numpy(), mask.numpy(), range(self.n_layers + 1))
            return torch.from_numpy(np.concatenate(states, axis=-1))
        with torch.inference_mode():
            out = self._model(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device, dtype=torch.long),
                output_hidden_states=True,
            )
            return torch.cat([s.float() for s in out.hidden_states], dim=-1)

    # -- the work ------------------------------------------------------------------------------------
    def _tokenize(self, sentences: Sequence[Sequence[str]]) -> tuple[list[list[int]], list[np.ndarray]]:
        """Wordpiece ids and word ids per sentence; a word with no wordpiece becomes the unknown token.

        Calls the Rust tokenizer directly (the transformers wrapper's per-sentence conversion costs more than
        the tokenization itself).
        """
        backend = self._tokenizer.backend_tokenizer
        if backend.truncation is not None:
            backend.no_truncation()
        if backend.padding is not None:
            backend.no_padding()
        words = [list(s) for s in sentences]
        encodings = backend.encode_batch(words, is_pretokenized=True, add_special_tokens=False)
        ids: list[list[int]] = []
        wids: list[np.ndarray] = []
        for sent, enc in zip(words, encodings):
            w = np.asarray(enc.word_ids, dtype=np.int64)
            distinct = int(w.size > 0) + int(np.count_nonzero(w[1:] != w[:-1]))
            if distinct != len(sent):  # a word vanished in tokenization (e.g. a zero-width char)
                present = np.zeros(len(sent), bool)
                present[w] = True
                unk = self._tokenizer.unk_token or "[UNK]"
                fixed = [t if p else unk for t, p in zip(sent, present)]
                enc = backend.encode(fixed, is_pretokenized=True, add_special_tokens=False)
                w = np.asarray(enc.word_ids, dtype=np.int64)
            ids.append(enc.ids)
            wids.append(w)
        return ids, wids

    def _encode_chunk(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        import torch

        n_words = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        if n_words.sum() == 0:
            return [np.zeros((0, self.dim), np.float32) for _ in sentences]
        ids, wids = self._tokenize(sentences)
        n_pieces = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        piece_offset = np.concatenate([[0], np.cumsum(n_pieces)])
        stride = max(1, (self._max_pieces * 3) // 4)
        windows = [w for i, n in enumerate(n_pieces) if n for w in _windows(i, int(n), self._max_pieces, stride)]
        windows.sort(key=lambda w: w.end - w.start)

        pieces = np.empty((int(piece_offset[-1]), self.hidden_size), dtype=np.float32)
        pad_id = self._tokenizer.pad_token_id if self._tokenizer.pad_token_id is not None else 0
        prefix, suffix = self._prefix, self._suffix
        n_pre = len(prefix)
        for b, e in _batch_bounds([w.end - w.start + n_pre + len(suffix) for w in windows], self.batch_size):
            batch = windows[b:e]
            lengths = np.array([w.end - w.start for w in batch]) + n_pre + len(suffix)
            width = int(lengths.max())
            input_ids = np.full((len(batch), width), pad_id, dtype=np.int64)
            for r, w in enumerate(batch):
                input_ids[r, : lengths[r]] = prefix + ids[w.sentence][w.start : w.end] + suffix
            mask = np.arange(width)[None, :] < lengths[:, None]
            # where each kept wordpiece sits in the batch (row, column) and where it goes in `pieces`
            keep_len = np.array([w.keep_end - w.keep_start for w in batch])
            rows = np.repeat(np.arange(len(batch)), keep_len)
            first_col = np.array([n_pre + w.keep_start - w.start for w in batch])
            first_dst = np.array([piece_offset[w.sentence] + w.keep_start for w in batch])
            within = np.arange(int(keep_len.sum())) - np.repeat(np.cumsum(keep_len) - keep_len, keep_len)
            cols = np.repeat(first_col, keep_len) + within
            dst = np.repeat(first_dst, keep_len) + within
            hidden = self._forward(torch.from_numpy(input_ids), torch.from_numpy(mask))
            taken = hidden[torch.from_numpy(rows).to(hidden.device), torch.from_numpy(cols).to(hidden.device)]
            pieces[dst] = taken.float().cpu().numpy()

        return self._pool(pieces, wids, n_words, piece_offset)

    def _chosen_states(self) -> list[int]:
        """The hidden-state indices whose mean is the output (0 = embeddings, ``n_layers`` = last)."""
        n_states = self.n_layers + 1
        if self.layers == "all":
            return list(range(1, n_states))
        return [int(i) % n_states for i in self.layers]

    def _forward(self, input_ids: Any, mask: Any) -> Any:
        import torch

        if self._onnx is not None:
            states = self._onnx.run(input_ids.numpy(), mask.numpy(), self._chosen_states())
            if len(states) == 1:
                return torch.from_numpy(states[0])
            return torch.from_numpy(np.stack(states).mean(axis=0))
        with torch.inference_mode():
            out = self._model(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device, dtype=torch.long),
                output_hidden_states=self.layers != (-1,),
            )
            if self.layers == (-1,):
                return out.last_hidden_state
            states = out.hidden_states
            chosen = states[1:] if self.layers == "all" else [states[i] for i in self.layers]
            return torch.stack(list(chosen), dim=0).float().mean(dim=0)

    def _pool(
        self, pieces: np.ndarray, wids: list[np.ndarray], n_words: np.ndarray, piece_offset: np.ndarray
    ) -> list[np.ndarray]:
        """Pool wordpiece vectors into word vectors, all sentences at once."""
        word_offset = np.concatenate([[0], np.cumsum(n_words)])
        global_word = np.concatenate([w + word_offset[i] for i, w in enumerate(wids)]) if wids else np.zeros(0)
        # pieces of one word are contiguous: a word starts where the global word id changes
        starts = np.flatnonzero(np.r_[True, global_word[1:] != global_word[:-1]])
        ends = np.r_[starts[1:], len(global_word)]
        if self.pooling is Pooling.FIRST:
            words = pieces[starts]
        elif self.pooling is Pooling.LAST:
            words = pieces[ends - 1]
        elif self.pooling is Pooling.FIRST_LAST:
            words = np.concatenate([pieces[starts], pieces[ends - 1]], axis=1)
        else:
            import torch  # index_add_ is many times faster than np.add.reduceat along axis 0

            word_of_piece = np.repeat(np.arange(len(starts)), ends - starts)
            sums = torch.zeros((len(starts), pieces.shape[1]), dtype=torch.float32)
            sums.index_add_(0, torch.from_numpy(word_of_piece), torch.from_numpy(pieces))
            words = sums.numpy() / (ends - starts)[:, None].astype(np.float32)
        words = np.ascontiguousarray(words, dtype=np.float32)
        return [words[word_offset[i] : word_offset[i + 1]] for i in range(len(n_words))]


def _load_message(path: str, exc: Exception) -> str:
    local = Path(path).expanduser()
    if local.exists():
        return f"could not load the model folder {path!r}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    if not is_hub_id(path):
        return (
            f"could not load model {path!r}: no such local folder, and not a Hugging Face model id (name or owner/name)"
        )
    return f"could not load model {path!r}: {hub_message(exc)}"


def hub_message(exc: BaseException) -> str:
    """Why a Hugging Face id could not be loaded: the hub cannot be reached, or it has no such model."""
    if _hub_unreachable(exc):
        return "the Hugging Face hub cannot be reached (offline) and the model is not in the local cache"
    return "the Hugging Face hub has no such model (or it is private)"


def _hub_unreachable(exc: BaseException) -> bool:
    """Whether loading failed because the hub could not be reached (offline mode or a network error)."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return True
    names = ("OfflineModeIsEnabled", "LocalEntryNotFoundError", "ConnectionError", "ConnectError", "Timeout")
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        if any(n in type(seen).__name__ for n in names) or "couldn't connect" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
