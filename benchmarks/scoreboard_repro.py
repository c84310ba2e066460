"""The scoreboard's notes, each with a reproducer in the library's own API, rerun here.

Every *note* on ``docs/scoreboard.md`` is listed in `FINDINGS`: the library, the suite's
findings of the committed default-profile report it explains (by member and kind, as
``gradspec check`` reports them: ``"leaky_relu dtype"``), what is wrong, whether it is a
defect or a deliberate choice of the library (or of the expression an adapter had to write where the
library has no such function), how it was verified, and a reproducer that uses the library
only (no gradspec). A reproducer ends in ``assert`` statements that hold while the library
behaves as described, so a fixed library shows up as *not reproduced*.

Running this script executes every reproducer whose library is installed, each in a fresh
interpreter, and writes ``docs/_generated/scoreboard/repro.json`` (finding, exit status,
output, reproduced or not). ``tools/gen_scoreboard.py`` puts the result beside each finding.

Usage::

    python benchmarks/scoreboard_repro.py
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["FINDINGS", "Finding", "run_reproducers"]

OUT = Path(__file__).resolve().parent.parent / "docs" / "_generated" / "scoreboard"


@dataclass(frozen=True)
class Finding:
    """One thing the suite found in one library.

    Attributes
    ----------
    library : str
        The shipped adapter's name (``"mygrad"``).
    explains : tuple of str
        The findings of the library's default-profile report it explains, each as
        ``"member kind"`` (``"hardtanh dtype"``); the clauses they break are read from the
        report, never written here.
    summary : str
        What the library does, in one sentence.
    kind : {"defect", "choice", "expression"}
        A defect of the library; a deliberate, documented choice of the library; or a
        property of the expression the adapter had to write because the library has no such
        function (then it is no finding about the library itself).
    verified : str
        How it was checked independently of gradspec (a direct call, the library's source,
        mpmath).
    code : str
        The reproducer: library API only, ending in asserts that hold while the finding does.
    upstream : str or None
        A known upstream issue or the documentation that states the choice, if any.
    """

    library: str
    explains: tuple[str, ...]
    summary: str
    kind: str
    verified: str
    code: str
    upstream: str | None = None


FINDINGS: tuple[Finding, ...] = (
    Finding(
        library="autograd",
        explains=("sigmoid_derivative value", "swish_derivative value"),
        summary="autograd has no sigmoid; the textbook 1 / (1 + exp(-z)) differentiated by "
        "autograd's rules gives NaN once exp(-z) overflows (z < -88.7 in float32, "
        "z < -709.8 in float64): -1/u^2 * du is 0 * inf. swish, written z * sigmoid(z), "
        "inherits it.",
        kind="expression",
        verified="direct call below; the exact value (mpmath) at z = -89 is 2.2e-39, a "
        "float32 subnormal.",
        code="""\
import numpy as np
import autograd
import autograd.numpy as anp


def sigmoid(z):
    return 1.0 / (1.0 + anp.exp(-z))


def swish(z):
    return z * sigmoid(z)


z = np.array([-89.0], dtype=np.float32)
with np.errstate(all="ignore"):
    for f in (sigmoid, swish):
        pullback, _ = autograd.make_vjp(f)(z)
        gradient = pullback(np.ones_like(z))
        print(f"d {f.__name__} / dz at -89 (float32):", gradient)
        assert np.isnan(gradient).all()
""",
    ),
    Finding(
        library="mygrad",
        explains=("hardtanh dtype", "leaky_relu dtype", "backprop dtype"),
        summary="mygrad.nnet.activations.hard_tanh and leaky_relu return float64 for a "
        "float32 input (the Python-float bounds and slope promote the result).",
        kind="defect",
        verified="direct call below; the other activations (relu, sigmoid, tanh) keep float32.",
        code="""\
import numpy as np
import mygrad as mg
from mygrad.nnet.activations import hard_tanh, leaky_relu

z = mg.tensor(np.array([0.5, -2.0], dtype=np.float32))
print("hard_tanh:", hard_tanh(z, lower_bound=-1.0, upper_bound=1.0).dtype)
print("leaky_relu:", leaky_relu(z, 0.01).dtype)
assert hard_tanh(z, lower_bound=-1.0, upper_bound=1.0).dtype == np.float64
assert leaky_relu(z, 0.01).dtype == np.float64
""",
    ),
    Finding(
        library="mygrad",
        explains=("relu limit",),
        summary="mygrad's relu(-inf) is NaN, not 0: it is computed as z * (z > 0), and "
        "-inf * 0 is NaN.",
        kind="defect",
        verified="direct call below and the library's source (ReLu.__call__ returns "
        "a.data * self.back with back = a.data > 0).",
        code="""\
import numpy as np
from mygrad.nnet.activations import relu

with np.errstate(all="ignore"):
    out = relu(np.array([-np.inf, 1.0])).data
print("relu([-inf, 1]):", out)
assert np.isnan(out[0]) and out[1] == 1.0
""",
    ),
    Finding(
        library="mygrad",
        explains=("leaky_relu_derivative kink",),
        summary="mygrad's leaky_relu'(0) is 0, outside [slope, 1], the interval between the "
        "one-sided derivatives (slope on the left, 1 on the right).",
        kind="defect",
        verified="direct call below; 0 is neither one-sided derivative nor between them for "
        "any slope > 0.",
        code="""\
import numpy as np
import mygrad as mg
from mygrad.nnet.activations import leaky_relu

z = mg.tensor(np.array([0.0]))
leaky_relu(z, 0.3).backward()
print("leaky_relu'(0) with slope 0.3:", z.grad)
assert z.grad[0] == 0.0
""",
    ),
    Finding(
        library="paddle",
        explains=("relu nan",),
        summary="paddle.nn.functional.relu(NaN) is 0: NaN is swallowed instead of passed through.",
        kind="defect",
        verified="direct call below, float32 and float64.",
        code="""\
import numpy as np
import paddle

paddle.set_device("cpu")
for dtype in ("float32", "float64"):
    out = paddle.nn.functional.relu(paddle.to_tensor(np.array([np.nan], dtype=dtype))).numpy()
    print(dtype, "relu(nan) =", out)
    assert out[0] == 0.0
""",
    ),
    Finding(
        library="paddle",
        explains=("swish_derivative value",),
        summary="paddle's silu backward is NaN for large negative z (z = -89 in float32, "
        "-710 in float64) where exp(-z) overflows; the exact derivative is a tiny negative "
        "number (-1.96e-37 at z = -89, mpmath).",
        kind="defect",
        verified="direct call below (paddle.grad of F.silu); exact value from "
        "gradspec.reference.oracle (mpmath).",
        code="""\
import numpy as np
import paddle

paddle.set_device("cpu")
z = paddle.to_tensor(np.array([-89.0], dtype=np.float32), stop_gradient=False)
(gradient,) = paddle.grad([paddle.nn.functional.silu(z)], [z])
print("silu'(-89) float32 =", gradient.numpy())
assert np.isnan(gradient.numpy()).all()
""",
    ),
    Finding(
        library="paddle",
        explains=("swish_derivative limit",),
        summary="paddle's silu backward at z = +inf is NaN or +inf, never the limit 1: NaN "
        "alone and in float32, +inf in float64 when +inf shares the array with other values "
        "(the result depends on the array, not only on the element).",
        kind="defect",
        verified="direct calls below (paddle.grad of F.silu); the limit of swish'(z) = "
        "sigmoid(z) (1 + z (1 - sigmoid(z))) at +inf is 1.",
        code="""\
import numpy as np
import paddle

paddle.set_device("cpu")
for dtype in (np.float32, np.float64):
    for values in ([np.inf], [np.inf, -np.inf, -89.0, 1.0]):
        z = paddle.to_tensor(np.array(values, dtype=dtype), stop_gradient=False)
        (gradient,) = paddle.grad([paddle.nn.functional.silu(z)], [z])
        print(f"silu'(+inf) {np.dtype(dtype).name}, in {values}:", gradient.numpy()[0])
        assert not gradient.numpy()[0] == 1.0  # the limit is 1
""",
    ),
    Finding(
        library="paddle",
        explains=("tanh value",),
        summary="paddle.tanh in float32 is up to 5 ULP from the correctly rounded value "
        "near saturation (tanh(5.8608) = 0.9999841, correctly rounded 0.9999838), one ULP "
        "beyond the 4 ULP the value clause allows there (tanh is well conditioned at large z, "
        "so the conditioning term adds nothing).",
        kind="defect",
        verified="direct call below against mpmath's tanh rounded to float32; a scan of "
        "[5, 8] (1,001 points) finds the same 5 ULP worst at 5.957. Seen since the suite "
        "fills each batched call with random inputs of the clause's range; the library's "
        "source was not read for this one.",
        code="""\
import mpmath
import numpy as np
import paddle

z = np.float32(5.860818862915039)
got = paddle.tanh(paddle.to_tensor(np.array([z]))).numpy()[0]
exact = np.float32(mpmath.tanh(mpmath.mpf(float(z))))  # correctly rounded to float32
ulps = abs(int(got.view(np.int32)) - int(exact.view(np.int32)))
print(f"paddle.tanh({z}) = {got!r}, correctly rounded {exact!r}: {ulps} ULP apart")
assert ulps >= 5
""",
    ),
    Finding(
        library="mlx",
        explains=(
            "sigmoid value",
            "sigmoid_derivative value",
            "swish value",
            "swish_derivative value",
            "backprop value",
            "jacobian value",
        ),
        summary="mx.sigmoid in float64 is only float32-accurate (relative error ~1e-7 at "
        "z = -3) and underflows to 0 where float32 would (z = -89, exact 2.2e-39); silu "
        "(swish), the Jacobians and the graphs through it inherit it.",
        kind="defect",
        verified="direct call below against the exact values from mpmath "
        "(gradspec.reference.oracle); mx.tanh in float64 is correctly rounded at the same "
        "points, so the float64 path exists.",
        code="""\
import numpy as np
import mlx.core as mx

mx.set_default_device(mx.cpu)
z = mx.array(np.array([-3.0, -89.0]), dtype=mx.float64)
out = np.array(mx.sigmoid(z))
exact = np.array([0.04742587317756678, 2.2273635617957438e-39])  # mpmath, rounded once
print("float64 sigmoid:", out.tolist(), "exact:", exact.tolist())
assert abs(out[0] - exact[0]) / exact[0] > 1e-8 and out[1] == 0.0
""",
    ),
    Finding(
        library="mlx",
        explains=(
            "leaky_relu value",
            "leaky_relu_derivative value",
            "leaky_relu_derivative limit",
        ),
        summary="mlx.nn.leaky_relu is maximum(slope z, z): for a slope above 1 it returns "
        "slope z for positive z (the contract allows any slope >= 0), and its derivative at "
        "-inf is 1 (a tie of -inf with -inf takes the z branch) instead of the slope.",
        kind="choice",
        verified="the library's source (mlx/nn/layers/activations.py: 'Simply "
        "mx.maximum(negative_slope * x, x)') and a direct call below.",
        upstream="documented in the function's docstring; correct for slopes in [0, 1].",
        code="""\
import numpy as np
import mlx.core as mx
import mlx.nn as nn

mx.set_default_device(mx.cpu)
z = mx.array(np.array([1.0]), dtype=mx.float64)
print("leaky_relu(1, slope 3) =", np.array(nn.leaky_relu(z, 3.0)))
assert np.array(nn.leaky_relu(z, 3.0))[0] == 3.0
_, (grad,) = mx.vjp(
    lambda t: nn.leaky_relu(t, 0.01),
    [mx.array(np.array([-np.inf]), dtype=mx.float64)],
    [mx.array(np.array([1.0]), dtype=mx.float64)],
)
print("leaky_relu'(-inf) =", np.array(grad))
assert np.array(grad)[0] == 1.0
""",
    ),
    Finding(
        library="tensorflow",
        explains=(
            "leaky_relu value",
            "leaky_relu_derivative value",
            "leaky_relu_derivative limit",
            "leaky_relu_derivative kink",
            "jacobian value",
            "backprop value",
        ),
        summary="tf.nn.leaky_relu rounds a float64 alpha to float32: in float64 the slope "
        "0.01 becomes 0.009999999776482582 (leaky_relu(-25) = -0.24999999441, exact -0.25).",
        kind="defect",
        verified="direct call below (alpha is a 32-bit float attribute of the LeakyRelu op).",
        code="""\
import numpy as np
import tensorflow as tf

out = tf.nn.leaky_relu(tf.constant([-1.0], tf.float64), alpha=0.01).numpy()
print("float64 leaky_relu(-1, alpha=0.01) =", repr(out[0]))
assert out[0] == np.float64(np.float32(0.01)) * -1.0 and out[0] != -0.01
""",
    ),
    Finding(
        library="tensorflow",
        explains=("leaky_relu value", "leaky_relu_derivative value"),
        summary="TensorFlow's float64 leaky_relu flushes subnormals: a subnormal input is "
        "treated as 0 (leaky_relu'(5e-324) is the slope, not 1) and a subnormal result "
        "becomes -0.0 (leaky_relu(-2.2e-308) should be -2.2e-310); tf.nn.relu keeps them.",
        kind="defect",
        verified="direct call below; the exact values from mpmath (gradspec.reference.oracle).",
        code="""\
import tensorflow as tf

tiny = tf.constant([5e-324], tf.float64)
with tf.GradientTape() as tape:
    tape.watch(tiny)
    y = tf.nn.leaky_relu(tiny, alpha=0.01)
slope = tape.gradient(y, tiny).numpy()[0]
smallest_normal = tf.constant([-2.2250738585072014e-308], tf.float64)
flushed = tf.nn.leaky_relu(smallest_normal, alpha=0.01).numpy()[0]
print("leaky_relu(5e-324) =", y.numpy()[0], " derivative =", slope, " leaky(-2.2e-308) =", flushed)
assert y.numpy()[0] == 0.0 and slope < 1.0 and flushed == 0.0
assert tf.nn.relu(tiny).numpy()[0] == 5e-324
""",
    ),
    Finding(
        library="tensorflow",
        explains=("tanh value",),
        summary="tf.math.tanh in float32 returns exactly -1.0 at z = -7.9088, where the "
        "correctly rounded value is -0.9999997 (5 ULP away), one ULP beyond the 4 ULP the "
        "value clause allows there: it saturates to +-1 slightly early.",
        kind="defect",
        verified="direct call below against mpmath's tanh rounded to float32. Seen since the "
        "suite fills each batched call with random inputs of the clause's range; the "
        "library's source was not read for this one.",
        code="""\
import mpmath
import numpy as np
import tensorflow as tf

z = np.float32(-7.908782958984375)
got = tf.math.tanh(tf.constant([z])).numpy()[0]
exact = np.float32(mpmath.tanh(mpmath.mpf(float(z))))  # correctly rounded to float32
ulps = abs(int(got.view(np.int32)) - int(exact.view(np.int32)))
print(f"tf.math.tanh({z}) = {got!r}, correctly rounded {exact!r}: {ulps} ULP apart")
assert ulps >= 5
""",
    ),
    Finding(
        library="keras",
        explains=(
            "tanh value",
            "tanh_derivative value",
            "backprop value",
            "jacobian value",
            "tanh dtype",
        ),
        summary="keras.ops.tanh turns float64 into float32 (on the JAX backend with x64 on; "
        "keras.ops.sigmoid keeps float64): it casts to dtypes.result_type(x.dtype, float), "
        "which Keras resolves to float32. Its derivative (jax.vjp, with the cotangent cast "
        "to the output's dtype by the adapter) and every graph through tanh are then only "
        "float32-accurate in float64.",
        kind="defect",
        verified="direct call below and the library's source "
        "(keras/src/backend/jax/numpy.py, tanh); keras.src.backend.common.dtypes."
        "result_type('float64', float) is 'float32'.",
        code="""\
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax

jax.config.update("jax_enable_x64", True)
import keras
import numpy as np

z = np.array([0.5, -2.0])  # float64
print("tanh:", keras.ops.tanh(z).dtype, " sigmoid:", keras.ops.sigmoid(z).dtype)
assert str(keras.ops.tanh(z).dtype) == "float32"
assert str(keras.ops.sigmoid(z).dtype) == "float64"
""",
    ),
    Finding(
        library="pytensor",
        explains=(
            "leaky_relu dtype",
            "leaky_relu_derivative dtype",
            "backprop dtype",
            "jacobian dtype",
        ),
        summary="PyTensor turns a float32 leaky_relu into float64: it has no leaky_relu, and "
        "in the expression a PyMC user writes, switch(z > 0, z, 0.01 * z), its default "
        "cast policy ('custom', floatX float64) makes the Python float 0.01 a float64 "
        "constant, because 0.01 is not exact in float32 (0.5 would stay float32), and "
        "float32 * float64 is float64.",
        kind="choice",
        verified="a direct call below (0.01 * x is float64, 0.5 * x float32 for a float32 x) "
        "and the library's source (pytensor/scalar/basic.py, NumpyAutocaster: under "
        "cast_policy 'custom' a Python float takes the first of float16, float32, float64 "
        "that holds it exactly). The 10 failed clauses of the first scoreboard run were all "
        "this one finding; no adapter bug was involved. The jacobian has the same defect "
        "wherever it differentiates through a leaky_relu without a slope attribute; "
        "ROB-DTYPE's sweep of the graph pool goes through one in every run.",
        upstream="documented behaviour: the cast_policy and floatX settings of "
        "pytensor.config (setting floatX=float32 keeps float32).",
        code="""\
import numpy as np
import pytensor
import pytensor.tensor as pt

x = pt.vector("x", dtype="float32")
leaky = pytensor.function([x], pt.switch(x > 0, x, 0.01 * x))
out = leaky(np.array([-2.0, 3.0], dtype=np.float32))
print("0.01 * x:", (0.01 * x).dtype, " 0.5 * x:", (0.5 * x).dtype, " result:", out.dtype)
assert (0.01 * x).dtype == "float64" and (0.5 * x).dtype == "float32"
assert out.dtype == np.float64
""",
    ),
    Finding(
        library="tinygrad",
        explains=("tanh value",),
        summary="tinygrad's tanh is 2 sigmoid(2z) - 1, which cancels near 0: at z = 0.0625 "
        "(float32) it returns 0.06241882 where the correctly rounded value is 0.062418748 "
        "(19 ULP), and tanh(1e-8) is 0 in float32, exact 1e-8.",
        kind="defect",
        verified="the library's source (tinygrad/mixin/elementwise.py, Tensor.tanh: "
        "'return 2.0 * ((2.0 * self).sigmoid()) - 1.0') and a direct call below against "
        "NumPy's correctly rounded float32 tanh.",
        code="""\
import numpy as np
from tinygrad import Tensor

z = np.array([0.0625], dtype=np.float32)
out = Tensor(z).tanh().numpy()
print("tinygrad tanh(0.0625) =", out, " numpy:", np.tanh(z))
assert out[0] != np.tanh(z)[0] and abs(out[0] - np.tanh(z)[0]) > 4 * np.spacing(np.tanh(z)[0])
""",
    ),
    Finding(
        library="tinygrad",
        explains=("relu nan",),
        summary="tinygrad's relu(NaN) is 0: relu is (z > 0).where(z, 0), and NaN > 0 is "
        "false, so NaN is swallowed.",
        kind="defect",
        verified="the library's source (tinygrad/mixin/elementwise.py, Tensor.relu) and a "
        "direct call below.",
        code="""\
import numpy as np
from tinygrad import Tensor

out = Tensor(np.array([np.nan, 1.0])).relu().numpy()
print("tinygrad relu([nan, 1]) =", out)
assert out[0] == 0.0 and out[1] == 1.0
""",
    ),
)


def _installed(library: str) -> bool:
    return importlib.util.find_spec(library) is not None


def run_reproducers() -> list[dict]:
    """Run every reproducer whose library is installed; one result per finding."""
    results = []
    for finding in FINDINGS:
        row = asdict(finding)
        if not _installed(finding.library):
            row["result"] = "library not installed"
            results.append(row)
            continue
        done = subprocess.run(
            [sys.executable, "-c", finding.code],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "jax"},
        )
        row["exit_status"] = done.returncode
        row["output"] = done.stdout.strip()
        row["result"] = "reproduced" if done.returncode == 0 else "not reproduced"
        if done.returncode != 0:
            row["error"] = done.stderr.strip().splitlines()[-1:]
        print(f"{finding.library:10s} {row['result']:15s} {finding.summary[:60]}", flush=True)
        results.append(row)
    return results


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    results = run_reproducers()
    (OUT / "repro.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
