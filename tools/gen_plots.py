"""Draw each activation function and its derivative for the specification pages.

Run from the repository root after changing an activation in the reference::

    python tools/gen_plots.py

It writes one PNG per activation into ``docs/assets/plots/`` (640 x 360 pixels). The curves
are computed by `gradspec.reference` itself, so the pictures show what the reference
does, kink conventions included. The output is deterministic for a given matplotlib version
(no timestamp or version string is embedded in the files).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed; must be chosen before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np

from gradspec import reference as ref

__all__ = ["PLOTS", "Plot", "draw", "main"]

#: Where the pictures go, relative to the repository root.
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "assets" / "plots"

#: The slope used in the leaky ReLU picture. The default 0.01 would look exactly like ReLU
#: at this scale, so the picture uses a larger one and says so in its title.
LEAKY_SLOPE_SHOWN = 0.1


@dataclass(frozen=True)
class Plot:
    """One picture: a function, its derivative and where its derivative jumps."""

    name: str
    title: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    kinks: tuple[float, ...] = field(default=())
    z_range: tuple[float, float] = (-5.0, 5.0)


PLOTS: tuple[Plot, ...] = (
    Plot("sigmoid", "sigmoid", ref.sigmoid, ref.sigmoid_derivative),
    Plot("tanh", "tanh", ref.tanh, ref.tanh_derivative, z_range=(-4.0, 4.0)),
    Plot(
        "hardtanh",
        "hard tanh",
        ref.hardtanh,
        ref.hardtanh_derivative,
        kinks=(-1.0, 1.0),
        z_range=(-3.0, 3.0),
    ),
    Plot("relu", "ReLU", ref.relu, ref.relu_derivative, kinks=(0.0,), z_range=(-3.0, 3.0)),
    Plot(
        "leaky_relu",
        f"leaky ReLU (negative_slope = {LEAKY_SLOPE_SHOWN} here; the default is 0.01)",
        lambda z: ref.leaky_relu(z, negative_slope=LEAKY_SLOPE_SHOWN),
        lambda z: ref.leaky_relu_derivative(z, negative_slope=LEAKY_SLOPE_SHOWN),
        kinks=(0.0,),
        z_range=(-3.0, 3.0),
    ),
    Plot("swish", "swish", ref.swish, ref.swish_derivative, z_range=(-6.0, 4.0)),
)


def _derivative_curve(plot: Plot, z: np.ndarray) -> np.ndarray:
    """The derivative on the grid with NaN at each kink, so no false vertical line is drawn."""
    dz = plot.df(z).astype(np.float64)
    for k in plot.kinks:
        dz[np.argmin(np.abs(z - k))] = np.nan
    return dz


def draw(plot: Plot, path: Path) -> None:
    """Draw ``plot`` and write it as a PNG to ``path``."""
    lo, hi = plot.z_range
    # An odd count puts the kinks (0, +-1) exactly on the grid, where the curve is split.
    z = np.linspace(lo, hi, 1001)
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    ax.axhline(0.0, color="0.75", linewidth=0.8)
    ax.axvline(0.0, color="0.75", linewidth=0.8)
    ax.plot(z, plot.f(z), color="tab:blue", linewidth=2.0, label="f(z)")
    ax.plot(z, _derivative_curve(plot, z), color="tab:orange", linewidth=2.0, label="f'(z)")
    for k in plot.kinks:
        at = np.array([k])
        # Open circles: the one-sided derivatives; filled: the value the reference returns.
        eps = 1e-9
        sides = plot.df(np.array([k - eps, k + eps]))
        ax.plot([k, k], sides, "o", markerfacecolor="white", color="tab:orange", markersize=6)
        ax.plot(at, plot.df(at), "o", color="tab:orange", markersize=6)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("z")
    ax.set_title(plot.title)
    ax.grid(True, linewidth=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # metadata: leave out matplotlib's version string so the bytes depend only on the drawing.
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    """Write every picture in `PLOTS`; print the paths written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for plot in PLOTS:
        path = args.out / f"{plot.name}.png"
        draw(plot, path)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
