"""A catalog of deliberately wrong adapters: the proof that the suite catches real bugs.

A conformance suite that passes everything is worthless, and one that has only been run on
correct code has not shown otherwise. Each entry here is the reference adapter with **one**
realistic bug, the kind students and library authors actually write, and names the clauses
that must reject it. The catalog's tests run the suite on every entry and on the unbroken
adapter it was made from; the *kill rate* is the share of entries the suite rejects.

Every entry is a class, loadable like any adapter::

    gradspec check --adapter gradspec.conformance.buggy:TanhDerivativeMissingSquare

or from Python with `load`. ``benchmarks/kill_rate.py`` runs the whole suite on every
entry and prints which clauses caught it.

How an entry is built: `ReferenceAdapter` delegates every member to
`gradspec.reference`; an activation, robustness or linear bug subclasses it and
overrides one member. The reference's graph engine cannot be broken one step at a time from
outside, so the graph bugs break `HandWrittenEngine`, a correct engine written the
way a student writes one, with each step (ordering, accumulation, attributes, checks,
Jacobian layout) a method of its own.

Catalog
-------
One row per entry, in the order of `CATALOG`; each entry's ``expected_clauses``
(the clauses that must reject it) are on its class.

| entry | the bug |
|---|---|
| `tanh-derivative-missing-square` | tanh' = 1 - tanh, the square forgotten |
| `sigmoid-derivative-plus-sign` | sigmoid' = s (1 + s) |
| `sigmoid-derivative-quotient-overflow` | sigmoid' = e^-z / (1 + e^-z)^2: 0, then NaN |
| `tanh-derivative-forward-difference` | tanh' by a forward difference, h = 1e-4 |
| `tanh-naive-exp` | tanh from the exp formula: NaN for abs(z) > 710 |
| `leaky-relu-slope-on-positive-side` | the slope applied to the positive side |
| `leaky-relu-slope-hard-coded` | negative_slope ignored, 0.01 always |
| `leaky-relu-derivative-slope-hard-coded` | the same in the derivative |
| `relu-derivative-sign` | relu' = sign(z): -1 for negative z |
| `relu-derivative-from-output` | relu' = (relu(z) >= 0): 1 everywhere |
| `hardtanh-notes-typo` | 0 on [-1, 1], as the notes misprint it |
| `hardtanh-derivative-always-one` | hardtanh' = 1 everywhere |
| `swish-derivative-missing-product-term` | swish' = sigmoid, product rule half done |
| `swish-sigmoid-of-negative` | swish = z sigmoid(-z) |
| `relu-mutates-input` | `z[z < 0] = 0; return z` |
| `tanh-in-place` | `np.tanh(z, out=z)` |
| `sigmoid-float64-result` | float32 in, float64 out |
| `sigmoid-column-vector` | result reshaped to (n, 1) |
| `relu-swallows-nan` | `np.where(z > 0, z, 0)`: NaN becomes 0 |
| `linear-forward-input-on-left` | x @ W + b (the Keras weight layout) |
| `linear-grad-weights-transposed` | grad_W = outer(x, g) |
| `linear-grad-x-without-transpose` | grad_x = W g instead of W^T g |
| `linear-grad-bias-not-summed` | grad_b = grad_z, shape (B, m) |
| `linear-batch-gradients-averaged` | grad_W, grad_b averaged over the batch |
| `backprop-overwrites-at-fan-out` | `=` instead of `+=` where a value is reused |
| `backprop-listed-order` | no topological sort |
| `backprop-ignores-negative-slope` | leaky_relu nodes always use 0.01 |
| `backprop-checks-only-reachable-nodes` | bad nodes off the output's path accepted |
| `backprop-duplicate-name-last-wins` | of two nodes with one name, the last wins |
| `backprop-broadcasts-shapes` | add/mul broadcast mismatched shapes |
| `backprop-drops-unused-inputs` | no gradient entry for an unused input |
| `backprop-sum-gradient-not-broadcast` | sum's gradient left a scalar |
| `jacobian-columns-stacked` | the Jacobian returned transposed |
| `jacobian-seed-of-ones` | every row = the gradient of sum(output) |

Not bugs
--------
The suite must *accept* these (`NOT_BUGS`, each with a ``note`` saying why): a
catalog that rejected valid choices would prove the suite over-strict, not strong.

| entry | why it is valid |
|---|---|
| `relu-derivative-one-at-zero` | relu'(0) = 1 is a valid subgradient (acceptable, flagged) |
| `hardtanh-derivative-one-at-kinks` | hardtanh'(+-1) = 1, JAX's choice (acceptable, flagged) |
| `leaky-relu-derivative-one-at-zero` | leaky_relu'(0) = 1 (acceptable, flagged) |
| `sigmoid-derivative-naive-tail` | s (1 - s): 0 in the far tail, within the tail floor |
| `tanh-derivative-naive-tail` | 1 - tanh^2: 0 in the far tail, within the tail floor |
| `sigmoid-naive-exp` | 1 / (1 + exp(-z)): 0 only where the value is subnormal |

Examples
--------
>>> from gradspec.conformance.buggy import CATALOG, find
>>> len(CATALOG) >= 24
True
>>> find("tanh-derivative-missing-square").bug
"tanh'(z) written as 1 - tanh(z), forgetting the square"
"""

from __future__ import annotations

from .._adapter import LoadedAdapter, load_adapter
from ._activations import (
    HardtanhDerivativeAlwaysOne,
    HardtanhNotesTypo,
    LeakyReluDerivativeSlopeHardCoded,
    LeakyReluSlopeHardCoded,
    LeakyReluSlopeOnPositiveSide,
    ReluDerivativeFromOutput,
    ReluDerivativeSign,
    SigmoidDerivativePlusSign,
    SigmoidDerivativeQuotientOverflow,
    SwishDerivativeMissingProductTerm,
    SwishSigmoidOfNegative,
    TanhDerivativeForwardDifference,
    TanhDerivativeMissingSquare,
    TanhNaiveExp,
)
from ._base import ReferenceAdapter, unbroken
from ._engine import HandWrittenEngine
from ._graphs import (
    BackpropBroadcastsShapes,
    BackpropChecksOnlyReachableNodes,
    BackpropDropsUnusedInputs,
    BackpropDuplicateNameLastWins,
    BackpropIgnoresNegativeSlope,
    BackpropListedOrder,
    BackpropOverwritesAtFanOut,
    BackpropSumGradientNotBroadcast,
    JacobianColumnsStacked,
    JacobianSeedOfOnes,
)
from ._linear import (
    LinearBatchGradientsAveraged,
    LinearForwardInputOnLeft,
    LinearGradBiasNotSummed,
    LinearGradWeightsTransposed,
    LinearGradXWithoutTranspose,
)
from ._not_bugs import (
    HardtanhDerivativeOneAtKinks,
    LeakyReluDerivativeOneAtZero,
    ReluDerivativeOneAtZero,
    SigmoidDerivativeNaiveTail,
    SigmoidNaiveExp,
    TanhDerivativeNaiveTail,
)
from ._robustness import (
    ReluMutatesInput,
    ReluSwallowsNan,
    SigmoidColumnVector,
    SigmoidFloat64Result,
    TanhInPlace,
)

#: Every buggy adapter, in the order of the table above.
CATALOG: tuple[type, ...] = (
    TanhDerivativeMissingSquare,
    SigmoidDerivativePlusSign,
    SigmoidDerivativeQuotientOverflow,
    TanhDerivativeForwardDifference,
    TanhNaiveExp,
    LeakyReluSlopeOnPositiveSide,
    LeakyReluSlopeHardCoded,
    LeakyReluDerivativeSlopeHardCoded,
    ReluDerivativeSign,
    ReluDerivativeFromOutput,
    HardtanhNotesTypo,
    HardtanhDerivativeAlwaysOne,
    SwishDerivativeMissingProductTerm,
    SwishSigmoidOfNegative,
    ReluMutatesInput,
    TanhInPlace,
    SigmoidFloat64Result,
    SigmoidColumnVector,
    ReluSwallowsNan,
    LinearForwardInputOnLeft,
    LinearGradWeightsTransposed,
    LinearGradXWithoutTranspose,
    LinearGradBiasNotSummed,
    LinearBatchGradientsAveraged,
    BackpropOverwritesAtFanOut,
    BackpropListedOrder,
    BackpropIgnoresNegativeSlope,
    BackpropChecksOnlyReachableNodes,
    BackpropDuplicateNameLastWins,
    BackpropBroadcastsShapes,
    BackpropDropsUnusedInputs,
    BackpropSumGradientNotBroadcast,
    JacobianColumnsStacked,
    JacobianSeedOfOnes,
)

#: Entries the suite does not reject yet, by name, with the reason. The catalog's tests
#: report them and measure the kill rate over the rest; each is a gap to close in a check,
#: never a reason to weaken the entry.
KNOWN_MISSED: dict[str, str] = {}

#: Valid conventions the suite must accept (pass or acceptable), never reject.
NOT_BUGS: tuple[type, ...] = (
    ReluDerivativeOneAtZero,
    HardtanhDerivativeOneAtKinks,
    LeakyReluDerivativeOneAtZero,
    SigmoidDerivativeNaiveTail,
    TanhDerivativeNaiveTail,
    SigmoidNaiveExp,
)


__all__ = [
    "CATALOG",
    "KNOWN_MISSED",
    "NOT_BUGS",
    "BackpropBroadcastsShapes",
    "BackpropChecksOnlyReachableNodes",
    "BackpropDropsUnusedInputs",
    "BackpropDuplicateNameLastWins",
    "BackpropIgnoresNegativeSlope",
    "BackpropListedOrder",
    "BackpropOverwritesAtFanOut",
    "BackpropSumGradientNotBroadcast",
    "HandWrittenEngine",
    "HardtanhDerivativeAlwaysOne",
    "HardtanhDerivativeOneAtKinks",
    "HardtanhNotesTypo",
    "JacobianColumnsStacked",
    "JacobianSeedOfOnes",
    "LeakyReluDerivativeOneAtZero",
    "LeakyReluDerivativeSlopeHardCoded",
    "LeakyReluSlopeHardCoded",
    "LeakyReluSlopeOnPositiveSide",
    "LinearBatchGradientsAveraged",
    "LinearForwardInputOnLeft",
    "LinearGradBiasNotSummed",
    "LinearGradWeightsTransposed",
    "LinearGradXWithoutTranspose",
    "ReferenceAdapter",
    "ReluDerivativeFromOutput",
    "ReluDerivativeOneAtZero",
    "ReluDerivativeSign",
    "ReluMutatesInput",
    "ReluSwallowsNan",
    "SigmoidColumnVector",
    "SigmoidDerivativeNaiveTail",
    "SigmoidDerivativePlusSign",
    "SigmoidDerivativeQuotientOverflow",
    "SigmoidFloat64Result",
    "SigmoidNaiveExp",
    "SwishDerivativeMissingProductTerm",
    "SwishSigmoidOfNegative",
    "TanhDerivativeForwardDifference",
    "TanhDerivativeMissingSquare",
    "TanhDerivativeNaiveTail",
    "TanhInPlace",
    "TanhNaiveExp",
    "find",
    "load",
    "spec",
    "unbroken",
]


def find(name: str) -> type:
    """The catalog entry (or not-a-bug) called ``name``, e.g. ``"tanh-naive-exp"``.

    Raises
    ------
    KeyError
        Naming the entries there are.
    """
    for entry in CATALOG + NOT_BUGS:
        if entry.name == name:
            return entry
    names = ", ".join(entry.name for entry in CATALOG + NOT_BUGS)
    raise KeyError(f"no buggy adapter is named {name!r}; the catalog has: {names}.")


def spec(entry: type) -> str:
    """The adapter spec that loads ``entry``, as a user would write it on the command line."""
    return f"gradspec.conformance.buggy:{entry.__name__}"


def load(name: str) -> LoadedAdapter:
    """Load the entry called ``name`` through the adapter loader, exactly as a user would.

    Examples
    --------
    >>> load("relu-swallows-nan").spec
    'gradspec.conformance.buggy:ReluSwallowsNan'
    """
    return load_adapter(spec(find(name)))
