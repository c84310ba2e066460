"""Draw each activation function and its derivative for the specification pages.

Run from the repository root after changing an activation in the reference::

    python tools/gen_plots.py

It writes one PNG per activation into ``docs/assets/plots/`` (1280 x 720 pixels: twice the
640 x 360 at which the pages show them, so they stay sharp on high-density screens). The curves
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

__all__ = ["DPI", "PLOTS", "Plot", "draw", "main"]

#: Pixels per inch of the PNG files: figures of 6.4 x 3.6 inches become 1280 x 720 pixels,
#: twice the size at which the docs display them.
DPI = 200

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
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=DPI)
    ax.axhline(0.0, color="0.75", linewidth=0.8)
    ax.axvline(0.0, color="0.75", linewidth=0.8)
    # f' is drawn first, wide and light, and f on top of it, narrower and dark: where the two
    # coincide (relu and hard tanh on their flat pieces) f stays visible inside f'.
    ax.plot(
        z,
        _derivative_curve(plot, z),
        color="tab:orange",
        linewidth=4.0,
        alpha=0.8,
        label="f'(z)",
        zorder=2,
    )
    ax.plot(z, plot.f(z), color="tab:blue", linewidth=1.8, label="f(z)", zorder=3)
    for i, k in enumerate(plot.kinks):
        at = np.array([k])
        # Open circles: the one-sided derivatives; filled: the value the reference returns.
        eps = 1e-9
        sides = plot.df(np.array([k - eps, k + eps]))
        ax.plot(
            [k, k],
            sides,
            "o",
            markerfacecolor="white",
            color="tab:orange",
            markersize=7,
            zorder=4,
            label="one-sided limits of f' at a kink" if i == 0 else None,
        )
        ax.plot(
            at,
            plot.df(at),
            "o",
            color="tab:red",
            markersize=7,
            zorder=5,
            label="f' the reference returns at the kink" if i == 0 else None,
        )
    ax.set_xlim(lo, hi)
    ax.set_xlabel("z", fontsize=11)
    ax.set_title(plot.title, fontsize=12)
    ax.tick_params(labelsize=10)
    ax.grid(True, linewidth=0.3)
    # Below the axes, so the legend never covers a curve.
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.14 if plot.kinks else 0.08, 1, 1))
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
