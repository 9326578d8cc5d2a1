"""The contextual encoder's forward pass exported to ONNX and run by ONNX Runtime (``runtime="onnx"``).

The model is exported once per model and export options with every hidden state as an output and dynamic batch and
sequence axes, run through ONNX Runtime's transformer optimiser (fused attention, skip layer norm, bias GELU) and
kept on disk under the embedkit cache folder (:func:`embedkit.cache.cache_dir`, ``onnx/<key>/``), keyed by the
model's files and the versions of torch, transformers and ONNX Runtime. Before a graph is kept, its hidden states
are checked against torch's on a probe batch; a graph that does not reproduce them is refused.

``runtime="onnx_int8"`` adds ONNX Runtime's dynamic int8 quantisation of the weights: faster, not equal to float32
(``bench/embed_throughput.py --runtimes`` reports its agreement and ``docs`` its sense accuracy). It is opt-in.

Needs the optional packages ``onnxruntime`` and ``onnx`` (``pip install onnxruntime onnx``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embedkit.cache import cache_dir, evict, max_cache_bytes, stable_hash, touch
from embedkit.errors import ModelLoadError

__all__ = ["INSTALL_HINT", "OnnxEncoder", "check_installed", "installed", "load_onnx_encoder"]

logger = logging.getLogger(__name__)

INSTALL_HINT = "runtime onnx needs ONNX Runtime and onnx: pip install onnxruntime onnx (or use --runtime torch)"
#: bump when the export or its post-processing changes (old cache entries are then never read again)
EXPORT_VERSION = 1
#: the largest |difference| from torch's hidden states an exported graph may show on the probe batch
PROBE_TOLERANCE = 1e-4
_LOCK = threading.Lock()


def installed() -> bool:
    """Whether runtime onnx can run here (ONNX Runtime and onnx importable); for pickers that offer it."""
    try:
        check_installed()
    except ModelLoadError:
        return False
    return True


def check_installed() -> None:
    """Raise a one-line :class:`ModelLoadError` naming the install when ONNX Runtime or onnx is missing."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise ModelLoadError(INSTALL_HINT) from exc


class OnnxEncoder:
    """An exported encoder run by ONNX Runtime on the CPU: token ids and mask in, the chosen hidden states out.

    Args:
        path: the ``model.onnx`` file.
        n_states: hidden states the graph outputs (``hidden_0`` = embeddings .. ``hidden_{n_layers}``).
        threads: intra-op threads (torch's count, so both runtimes use the CPU alike).
    """

    def __init__(self, path: Path, n_states: int, *, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.path = path
        self.n_states = n_states
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray, states: Sequence[int]) -> list[np.ndarray]:
        """The hidden states ``states`` (indices into ``0 .. n_states - 1``), each ``(batch, positions, hidden)``."""
        feed = {"input_ids": np.ascontiguousarray(input_ids, np.int64)}
        if "attention_mask" in self._inputs:
            feed["attention_mask"] = np.ascontiguousarray(attention_mask, np.int64)
        wanted = list(dict.fromkeys(int(s) for s in states))
        got = dict(zip(wanted, self._session.run([f"hidden_{s}" for s in wanted], feed)))
        return [got[int(s)] for s in states]

    def size(self) -> tuple[int, int]:
        """``(parameters, bytes)`` of the graph's weights as stored (recorded at export)."""
        info = json.loads((self.path.parent / "export.json").read_text(encoding="utf-8"))
        return int(info["parameters"]), int(info["bytes"])


# -- the cache --------------------------------------------------------------------------------------------------
def model_fingerprint(model_path: str, config: Any) -> tuple[Any, ...]:
    """What identifies a model's weights: the folder's config and weight files (name, size, mtime), or a hub id's
    commit."""
    local = Path(model_path).expanduser()
    if local.is_dir():
        files = sorted(
            (f.name, f.stat().st_size, f.stat().st_mtime_ns)
            for f in local.iterdir()
            if f.is_file() and (f.suffix in {".safetensors", ".bin", ".json"})
        )
        return ("folder", str(local.resolve()), tuple(files))
    return ("hub", model_path, getattr(config, "_commit_hash", None))


def export_key(model_path: str, config: Any, *, int8: bool) -> str:
    """The cache key of one export: the model, the export options and the versions that shape the graph."""
    import onnxruntime
    import torch
    import transformers

    versions = (torch.__version__, transformers.__version__, onnxruntime.__version__)
    return stable_hash("onnx-export", EXPORT_VERSION, model_fingerprint(model_path, config), int8, versions)


def onnx_cache_dir() -> Path:
    """Where exported graphs live (one folder per export key)."""
    path = cache_dir() / "onnx"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_onnx_encoder(
    model_path: str,
    config: Any,
    load_torch: Callable[[], Any],
    probe: tuple[np.ndarray, np.ndarray],
    *,
    int8: bool = False,
    threads: int = 1,
) -> OnnxEncoder:
    """The ONNX encoder of a model: from the disk cache, else exported now (once) and checked against torch.

    Args:
        model_path: the model's folder or hub id (for the cache key).
        config: its transformers config (layers, heads, hidden size).
        load_torch: loads the float32 torch model with eager attention (only called when exporting).
        probe: ``(input_ids, attention_mask)`` of a small batch the export is checked on.
        int8: quantise the weights to int8 (dynamic quantisation).
        threads: intra-op threads.

    Raises:
        ModelLoadError: ONNX Runtime or onnx is not installed, or the export does not reproduce torch.
    """
    check_installed()
    n_states = int(config.num_hidden_layers) + 1
    key = export_key(model_path, config, int8=int8)
    folder = onnx_cache_dir() / key
    path = folder / "model.onnx"
    with _LOCK:
        if not path.exists():
            _export_checked(folder, config, load_torch, probe, n_states=n_states, int8=int8, threads=threads)
            evict(folder.parent, max_cache_bytes(), keep=folder)
        else:
            touch(path)
    return OnnxEncoder(path, n_states, threads=threads)


def _export_checked(
    folder: Path,
    config: Any,
    load_torch: Callable[[], Any],
    probe: tuple[np.ndarray, np.ndarray],
    *,
    n_states: int,
    int8: bool,
    threads: int,
) -> None:
    """Export into a temporary folder, optimise (and quantise), check against torch, then move into place."""
    import torch

    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        model = load_torch()
        ids, mask = probe
        with torch.inference_mode():
            out = model(
                input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask), output_hidden_states=True
            )
            reference = [s.float().numpy() for s in out.hidden_states]
        raw = tmp / "raw.onnx"
        _export(model, raw, n_states, ids, mask)
        del model
        final = tmp / "model.onnx"
        fused = _optimise(raw, final, config)
        diff = _max_diff(final, n_states, probe, reference, threads)
        if diff > PROBE_TOLERANCE and fused:  # the fusions changed the numbers: keep the plain graph
            logger.warning("ONNX transformer fusions differ from torch by %.2g; keeping the plain export", diff)
            shutil.copyfile(raw, final)
            diff = _max_diff(final, n_states, probe, reference, threads)
        if diff > PROBE_TOLERANCE:
            raise ModelLoadError(
                f"the ONNX export does not reproduce torch's hidden states (max |diff| {diff:.2g} > "
                f"{PROBE_TOLERANCE:g}); use --runtime torch"
            )
        if int8:
            _quantise(final, tmp / "int8.onnx")
            (tmp / "int8.onnx").replace(final)
        raw.unlink()
        params, size = _weights(final)
        info = {"fused": fused, "probe_max_abs_diff": diff, "int8": int8, "parameters": params, "bytes": size}
        (tmp / "export.json").write_text(json.dumps(info), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.replace(folder)
        logger.info("exported the encoder to %s (fusions %s, probe max |diff| %.2g)", folder, fused, diff)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _export(model: Any, dst: Path, n_states: int, ids: np.ndarray, mask: np.ndarray) -> None:
    """``torch.onnx.export`` (TorchScript tracing) with every hidden state as an output, batch and positions dynamic."""
    import warnings

    import torch

    class AllStates(torch.nn.Module):
        """The model with every hidden state as an output, in order (the export's outputs)."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, ...]:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
            return tuple(out.hidden_states)

    names = [f"hidden_{i}" for i in range(n_states)]
    axes = {n: {0: "batch", 1: "positions"} for n in ["input_ids", "attention_mask", *names]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about python booleans of shapes (constant for encoders)
        torch.onnx.export(
            AllStates(model),
            (torch.from_numpy(ids), torch.from_numpy(mask)),
            str(dst),
            input_names=["input_ids", "attention_mask"],
            output_names=names,
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def _optimise(src: Path, dst: Path, config: Any) -> bool:
    """ONNX Runtime's transformer optimiser (attention, layer norm, GELU fusions); False when nothing was fused."""
    try:
        from onnxruntime.transformers import optimizer

        heads = int(getattr(config, "num_attention_heads", 0) or 0)
        hidden = int(getattr(config, "hidden_size", 0) or 0)
        optimised = optimizer.optimize_model(
            str(src), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0, use_gpu=False
        )
        stats = optimised.get_fused_operator_statistics()
        if not any(stats.get(k, 0) for k in ("Attention", "SkipLayerNormalization", "BiasGelu", "Gelu")):
            shutil.copyfile(src, dst)
            return False
        optimised.save_model_to_file(str(dst))
        return True
    except Exception as exc:  # noqa: BLE001 - the optimiser knows BERT-like graphs only; the plain one still runs
        logger.info("ONNX transformer optimiser not applied: %s: %s", type(exc).__name__, exc)
        shutil.copyfile(src, dst)
        return False


def _quantise(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of the weights (activations quantised per batch at run time)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # the fused graph's contrib ops (SkipLayerNormalization, Attention) have no shape inference: say float
    extra = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, extra_options=extra)


def _weights(path: Path) -> tuple[int, int]:
    """``(values, bytes)`` of a graph's initializers (its weights as stored)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    arrays = [numpy_helper.to_array(t) for t in graph.initializer]
    return sum(int(a.size) for a in arrays), sum(int(a.nbytes) for a in arrays)


def _max_diff(
    path: Path, n_states: int, probe: tuple[np.ndarray, np.ndarray], reference: list[np.ndarray], threads: int
) -> float:
    """The largest |ONNX - torch| over every hidden state at the probe's real (unmasked) positions."""
    got = OnnxEncoder(path, n_states, threads=threads).run(probe[0], probe[1], range(n_states))
    real = probe[1].astype(bool)
    return max(float(np.abs(g[real] - r[real]).max()) for g, r in zip(got, reference))
