"""Gradient checkers compared on f(W) = sum(tanh(W x + b)).

For a 64x64 and a 512x512 W: evaluations of f, wall time of one check of the correct
gradient, and the smallest single wrong entry of dW each checker flags (found by bisection
over a planted error, at a few planted positions). Checkers: gradspec's projection mode,
torch.autograd.gradcheck (fast mode; slow mode at 64x64 only, it takes 85 s at 512x512) and
jax.test_util.check_grads (float64).

gradspec's projection mode costs 1 + 4 * probes calls of f (9 with the default 2 probes), for
a correct gradient and a wrong one alike: f(x), then per probe the central difference at
x +- h and x +- h/2 (the half step gives its truncation estimate, and the kink diagnosis
reuses the same samples instead of paying for a second look).

Run: python benchmarks/bench_gradcheck.py [--quick]
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np

from gradspec.reference._gradcheck import check_gradient

POSITIONS = 3  # planted positions per size; the table shows the range over them


def problem(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12345 + n)  # not the checkers' seeds
    return (
        rng.standard_normal((n, n)) / np.sqrt(n),
        rng.standard_normal(n),
        0.1 * rng.standard_normal(n),
    )


def true_grad(W: np.ndarray, x: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.outer(1 - np.tanh(W @ x + b) ** 2, x)


# Each checker: (W, x, b, planted index, planted size) -> (flagged, forward calls).


def gradspec_projection(W, x, b, k, delta):
    calls = [0]

    def f(W):
        calls[0] += 1
        return np.sum(np.tanh(W @ x + b))

    def grad(W):
        g = true_grad(W, x, b)
        g.flat[k] += delta
        return g

    return not check_gradient(f, grad, W, mode="projection").ok, calls[0]


def _torch_check(fast: bool):
    import torch

    # A failing fast-mode gradcheck recomputes the whole Jacobian in slow mode only to word
    # its error message (85 s at 512x512); the verdict does not depend on it, so skip it.
    module = sys.modules["torch.autograd.gradcheck"]
    module._run_slow_mode_and_get_error = lambda *args, **kwargs: " (slow-mode rerun skipped)"

    def run(W, x, b, k, delta):
        calls = [0]
        xt, bt = torch.from_numpy(x), torch.from_numpy(b)

        class Layer(torch.autograd.Function):
            @staticmethod
            def forward(ctx, Wt):
                calls[0] += 1
                ctx.save_for_backward(Wt)
                return torch.tanh(Wt @ xt + bt).sum()

            @staticmethod
            def backward(ctx, g):
                (Wt,) = ctx.saved_tensors
                d = torch.outer(1 - torch.tanh(Wt @ xt + bt) ** 2, xt)
                d.view(-1)[k] += delta
                return g * d

        Wt = torch.from_numpy(W.copy()).requires_grad_(True)
        ok = torch.autograd.gradcheck(Layer.apply, (Wt,), fast_mode=fast, raise_exception=False)
        return not ok, calls[0]

    return run


def jax_check_grads(W, x, b, k, delta):
    import jax
    import jax.numpy as jnp
    from jax.test_util import check_grads

    calls = [0]

    @jax.custom_vjp
    def f(W):
        calls[0] += 1
        return jnp.sum(jnp.tanh(W @ x + b))

    def fwd(W):
        return f(W), W

    def bwd(W, g):
        d = jnp.outer(1 - jnp.tanh(W @ x + b) ** 2, x).reshape(-1).at[k].add(delta)
        return (g * d.reshape(W.shape),)

    f.defvjp(fwd, bwd)
    try:
        check_grads(f, (jnp.asarray(W),), order=1, modes=("rev",))
        return False, calls[0]
    except AssertionError:
        return True, calls[0]


def smallest_flagged(check: Callable, W, x, b, k, *, lo=1e-10, hi=1e3, steps=14) -> float:
    """Bisect (in log space) the smallest planted error at index k that the check flags.

    14 halvings of 13 decades locate it within a factor of 1.002.
    """
    if not check(W, x, b, k, hi)[0]:
        return math.inf
    if check(W, x, b, k, lo)[0]:
        return lo
    for _ in range(steps):
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if check(W, x, b, k, mid)[0] else (mid, hi)
    return hi


def timed(check: Callable, W, x, b, repeats: int) -> tuple[float, int, bool]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        flagged, calls = check(W, x, b, 0, 0.0)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), calls, flagged


def main() -> None:
    quick = "--quick" in sys.argv
    import jax

    jax.config.update("jax_enable_x64", True)
    checkers = {
        "gradspec projection": gradspec_projection,
        "torch gradcheck fast": _torch_check(fast=True),
        "torch gradcheck slow": _torch_check(fast=False),
        "jax check_grads": jax_check_grads,
    }
    print(
        f"{'size':>8} {'checker':<22} {'f calls':>8} {'time':>10} {'false alarm':>12} "
        f"{'smallest flagged wrong entry (range over positions)':>28}"
    )
    for n in (64,) if quick else (64, 512):
        W, x, b = problem(n)
        positions = np.random.default_rng(n).choice(W.size, POSITIONS, replace=False)
        for name, check in checkers.items():
            if name.endswith("slow") and n > 64:
                continue
            slow = name.endswith("slow")
            seconds, calls, false_alarm = timed(check, W, x, b, 1 if slow else 5)
            if slow:
                found = [smallest_flagged(check, W, x, b, int(positions[0]), steps=8)]
            else:
                found = [smallest_flagged(check, W, x, b, int(k)) for k in positions]
            span = f"{min(found):.2g} to {max(found):.2g}"
            print(
                f"{n}x{n:<5} {name:<22} {calls:>8} {seconds * 1e3:>8.1f}ms "
                f"{'YES' if false_alarm else 'no':>12} {span:>28}"
            )


if __name__ == "__main__":
    main()
