"""The clause registry: the one source of truth for the checks, the reports and the docs.

Every clause of the specification is one `gradspec.conformance._model.Clause` in
`CLAUSES`, with its stable id, the statement in words and in LaTeX, the section of the
lecture notes it comes from, the adapter members it needs, its tolerance and its check.
"""

from __future__ import annotations

from collections.abc import Callable

from ._model import CheckContext, Clause, Tolerance
from .checks import (
    backprop,
    diagonal,
    gradients,
    identities,
    kinks,
    linear,
    robustness,
    shape,
    values,
)
from .checks._functions import spec
from .contract import FUNCTIONS

__all__ = ["CLAUSES", "SECTIONS", "get_clause"]

#: Spec sections, by slug (the docs pages use these), in reading order.
SECTIONS: dict[str, str] = {
    "layer": "Neural network layer",
    "nonlinear": "Why networks are non-linear",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "hardtanh": "Hard tanh",
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "swish": "Swish",
    "vectorized": "Vectorized calculus",
    "shape": "Shape convention",
    "jacobians": "Useful Jacobians",
    "linear": "Gradients of the linear layer",
    "backprop": "Backpropagation on a computation graph",
    "gradcheck": "Checking gradients numerically",
    "robustness": "Robustness at the array boundary",
}

_NOTES = {
    "sigmoid": "Activation Function > sigmoid",
    "tanh": "Activation Function > tanh",
    "hardtanh": "Activation Function > hard tanh",
    "relu": "Activation Function > relu",
    "leaky_relu": "Activation Function > Leaky ReLU",
    "swish": "Activation Function > Leaky ReLU (swish)",
}

#: The tolerance of every clause that compares results on a computation graph.
_BP_TOL = backprop.graph_tolerance()

_CLAUSES: list[Clause] = []


def _add(
    id: str,
    title: str,
    family: str,
    section: str,
    statement: str,
    latex: str,
    notes: str,
    members: tuple[str, ...],
    tolerance: str,
    check: Callable[[CheckContext], None],
    *,
    per_dtype: bool = True,
) -> None:
    _CLAUSES.append(
        Clause(
            id=id,
            title=title,
            family=family,
            section=section,
            statement=statement,
            latex=latex,
            notes=notes,
            members=members,
            tolerance=tolerance,
            check=check,
            per_dtype=per_dtype,
        )
    )


# --- values ----------------------------------------------------------------------------------

_FUNCTION_LATEX = {
    "sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    "tanh": r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    "hardtanh": r"\operatorname{HardTanh}(z) = \begin{cases} -1 & z < -1 \\ z & -1 \le z \le 1"
    r" \\ 1 & z > 1 \end{cases}",
    "relu": r"\operatorname{ReLU}(z) = \max(z, 0)",
    "leaky_relu": r"\operatorname{LeakyReLU}_s(z) = \begin{cases} z & z > 0 \\ s z & z \le 0"
    r" \end{cases}",
    "swish": r"\operatorname{swish}(z) = z \, \sigma(z)",
}
_DERIVATIVE_LATEX = {
    "sigmoid": r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    "tanh": r"\tanh'(z) = 1 - \tanh^2(z)",
    "hardtanh": r"\operatorname{HardTanh}'(z) = \begin{cases} 1 & |z| < 1 \\ 0 & |z| > 1"
    r" \end{cases}",
    "relu": r"\operatorname{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}",
    "leaky_relu": r"\operatorname{LeakyReLU}_s'(z) = \begin{cases} 1 & z > 0 \\ s & z < 0"
    r" \end{cases}",
    "swish": r"\operatorname{swish}'(z) = \sigma(z) + z\,\sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
}
_DISPLAY = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "hardtanh": "hard tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "swish": "swish",
}
_RANGE = "on the fixed edge inputs and on random arrays (0-d, empty, 1-D, 2-D) with |z| <= 20"

for _f in FUNCTIONS:
    _fid = _f.upper().replace("_", "-")
    _slope = (
        " for the default slope and for slopes 0, 0.01, 0.1, 0.2, 0.5, 1 and 3"
        if (_f == "leaky_relu")
        else ""
    )
    _add(
        f"ACT-{_fid}-VALUE",
        f"{_DISPLAY[_f]} values",
        "values",
        _f,
        f"{_f}(z) equals the exact value {_RANGE}{_slope}, within the tolerance.",
        _FUNCTION_LATEX[_f],
        _NOTES[_f],
        (_f,),
        spec(_f).tolerance(),
        values.value_check(_f, f"ACT-{_fid}-VALUE"),
    )
    _d = f"{_f}_derivative"
    _kinks = spec(_d).kinks
    _except = (
        f" (except exactly at the kink{'s' if len(_kinks) > 1 else ''} "
        f"{', '.join(f'{k:g}' for k in _kinks)}, see the kink clause)"
        if _kinks
        else ""
    )
    _add(
        f"ACT-{_fid}-DERIVATIVE-VALUE",
        f"{_DISPLAY[_f]} derivative values",
        "values",
        _f,
        f"{_d}(z) equals the exact derivative {_RANGE}{_slope}{_except}, within the tolerance.",
        _DERIVATIVE_LATEX[_f],
        _NOTES[_f],
        (_d,),
        spec(_d).tolerance(),
        values.value_check(_d, f"ACT-{_fid}-DERIVATIVE-VALUE"),
    )


# --- identities ------------------------------------------------------------------------------

_IDENTITY_META = {
    "ACT-TANH-IDENTITY": (
        "tanh is a rescaled sigmoid",
        "tanh",
        "tanh(z) = 2 sigmoid(2z) - 1 for the adapter's own tanh and sigmoid, |z| <= 20, within an "
        "absolute tolerance (the identity doubles sigmoid's error and then cancels).",
        r"\tanh(z) = 2\sigma(2z) - 1",
    ),
    "ACT-SIGMOID-SYMMETRY": (
        "sigmoid symmetry",
        "sigmoid",
        "sigmoid(-z) = 1 - sigmoid(z) for the adapter's own sigmoid, |z| <= 20.",
        r"\sigma(-z) = 1 - \sigma(z)",
    ),
    "ACT-TANH-ODD": (
        "tanh is odd",
        "tanh",
        "tanh(-z) = -tanh(z) for every finite z.",
        r"\tanh(-z) = -\tanh(z)",
    ),
    "ACT-SWISH-DEFINITION": (
        "swish is z sigmoid(z)",
        "swish",
        "swish(z) = z sigmoid(z) for the adapter's own swish and sigmoid, |z| <= 20.",
        r"\operatorname{swish}(z) = z\,\sigma(z)",
    ),
    "ACT-HARDTANH-CLIP": (
        "hard tanh is a clip (erratum)",
        "hardtanh",
        "hardtanh(z) = clip(z, -1, 1) exactly for every finite z: the middle branch is z, not "
        "the 0 printed in the notes (an erratum of the notes).",
        r"\operatorname{HardTanh}(z) = \min(\max(z, -1), 1)",
    ),
    "ACT-RELU-DEFINITION": (
        "ReLU is max(z, 0)",
        "relu",
        "relu(z) = max(z, 0) exactly for every finite z.",
        r"\operatorname{ReLU}(z) = \max(z, 0)",
    ),
    "ACT-LEAKY-RELU-DEFINITION": (
        "leaky ReLU's two branches",
        "leaky_relu",
        "leaky_relu(z, s) = z for z > 0 and s z otherwise, for every finite z, for the default "
        "slope (0.01) and slopes 0, 0.05, 0.1, 0.2, 0.5, 1 and 2.",
        r"\operatorname{LeakyReLU}_s(z) = \begin{cases} z & z > 0 \\ s z & z \le 0 "
        r"\end{cases}",
    ),
    "ACT-SIGMOID-DERIVATIVE-IDENTITY": (
        "sigmoid' = sigmoid (1 - sigmoid)",
        "sigmoid",
        "sigmoid_derivative(z) = sigmoid(z) (1 - sigmoid(z)) for the adapter's own functions, "
        "|z| <= 20, within an absolute tolerance proportional to sigmoid(z) (where the "
        "formula is well-conditioned).",
        r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)",
    ),
    "ACT-TANH-DERIVATIVE-IDENTITY": (
        "tanh' = 1 - tanh^2",
        "tanh",
        "tanh_derivative(z) = 1 - tanh(z)^2 for the adapter's own functions, |z| <= 20, within "
        "an absolute tolerance of a few eps (where the formula is well-conditioned).",
        r"\tanh'(z) = 1 - \tanh^2(z)",
    ),
}

for _id, (_title, _section, _statement, _latex) in _IDENTITY_META.items():
    _add(
        _id,
        _title,
        "identities",
        _section,
        _statement,
        _latex,
        _NOTES[_section],
        identities.members_of(_id),
        identities.IDENTITIES[_id].tolerance(),
        identities.identity_check(_id),
    )


# --- gradients ---------------------------------------------------------------------------------

_FD_TOL = Tolerance(
    rf"|f'(z) - D| \le {gradients.RTOL:g}\,|D| + 10^3\,\varepsilon \max|f| / h",
    "D the Richardson-extrapolated central difference with h = eps^(1/5) max(1, |z|)",
)
for _f in FUNCTIONS:
    _fid = _f.upper().replace("_", "-")
    _add(
        f"GRAD-{_fid}-FD",
        f"{_DISPLAY[_f]} derivative vs finite differences",
        "gradients",
        "gradcheck",
        f"{_f}_derivative(z) matches the central finite difference of the adapter's own {_f}, "
        "for |z| <= 10 at least 10 steps away from any kink (float64).",
        r"f'(z) \approx \frac{f(z + h) - f(z - h)}{2h}",
        "Check Gradient",
        (_f, f"{_f}_derivative"),
        _FD_TOL,
        gradients.activation_fd_check(_f, f"GRAD-{_fid}-FD"),
        per_dtype=False,
    )
_add(
    "GRAD-LINEAR-FD",
    "layer gradients vs finite differences",
    "gradients",
    "gradcheck",
    "linear_backward(W, x, b, g) matches the finite differences of s = sum(g * linear(W, x, b)) "
    "along random directions in W, x and b, for single examples and batches (float64).",
    r"\langle \nabla_W s, D \rangle = \frac{s(W + hD) - s(W - hD)}{2h}, \quad "
    r"s = \textstyle\sum_i g_i z_i",
    "Check Gradient",
    ("linear", "linear_backward"),
    Tolerance(
        r"|\langle \nabla, D \rangle - \Delta| \le 4\,(n + 2)\,\varepsilon \textstyle\sum |g|"
        r"\,(|W| |x| + |b|)",
        "Delta the central difference (s is linear: the difference is exact up to rounding)",
    ),
    gradients.linear_fd_check("GRAD-LINEAR-FD"),
    per_dtype=False,
)
_add(
    "GRAD-BACKPROP-FD",
    "backprop gradients vs finite differences",
    "gradients",
    "gradcheck",
    "backprop's gradients match the finite difference of its own output along a random "
    "direction, on random graphs over every op; segments that reach a kink are skipped "
    "(float64).",
    r"\sum_k \langle \nabla_{x_k} s, d_k \rangle \approx "
    r"\frac{s(x + h d) - s(x - h d)}{2h}",
    "Check Gradient",
    ("backprop",),
    Tolerance(
        r"|\textstyle\sum_k \langle \nabla_k, d_k \rangle - D| \le 10^{-6} \sum_k "
        r"|\langle \nabla_k, d_k \rangle| + 10^3\,\varepsilon \max|s| / h",
        "D the Richardson-extrapolated central difference, h = eps^(1/5)",
    ),
    gradients.backprop_fd_check("GRAD-BACKPROP-FD"),
    per_dtype=False,
)

# --- robustness ------------------------------------------------------------------------------

_CONTRACT = "Not in the notes: the adapter contract, 'Arrays at the boundary'"
_ROBUSTNESS = (
    (
        "ROB-NO-MUTATION",
        "inputs are not modified",
        "No member modifies its inputs: arrays, the graph dict and the inputs dict are "
        "unchanged after every call.",
        r"x_{\text{after}} = x_{\text{before}} \text{ (bitwise)}",
        "exact",
        robustness.no_mutation_check,
    ),
    (
        "ROB-DTYPE",
        "results keep the input dtype",
        "Every result of every member has the dtype of the inputs (float32 in, float32 out).",
        r"\operatorname{dtype}(f(x)) = \operatorname{dtype}(x)",
        "exact",
        robustness.dtype_check,
    ),
    (
        "ROB-SHAPE",
        "elementwise results keep the shape",
        "Each elementwise member returns an array of its input's shape, for 0-d, empty "
        "(0,) and (3, 0), 1-D, 2-D and 3-D inputs.",
        r"\operatorname{shape}(f(z)) = \operatorname{shape}(z)",
        "exact",
        robustness.shape_check,
    ),
    (
        "ROB-NAN",
        "NaN in, NaN out",
        "Every activation returns NaN where its input is NaN. A derivative that returns a "
        "number there is acceptable (flag <member>-nan).",
        r"f(\mathrm{NaN}) = \mathrm{NaN}",
        "exact",
        robustness.nan_check,
    ),
    (
        "ROB-LARGE-FINITE",
        "huge finite inputs",
        "For |z| > 20 up to the largest finite number, every elementwise member returns the "
        "exact value within its value tolerance or 4 tiny max(1, |z|) absolutely; a derivative "
        "that flushes to 0 or loses relative accuracy in the saturated tails (within a factor "
        "of 4, right sign) is acceptable (flags tail-flush-to-zero, tail-inaccurate). NaN, "
        "infinity, a wrong sign or a larger error fails.",
        r"\lim_{z \to \pm\infty} \sigma(z) \in \{0, 1\},\quad "
        r"\sigma'(z) = \sigma(z)\sigma(-z) > 0",
        robustness.LARGE_FINITE_TOLERANCE,
        robustness.large_finite_check,
    ),
    (
        "ROB-INFINITY",
        "limits at infinity",
        "At +-inf every elementwise member returns its limit (sigmoid 1 and 0, tanh +-1, "
        "relu inf and 0, leaky_relu +-inf, swish inf and 0, derivatives their limits). "
        "swish(-inf) = NaN is acceptable (flag swish-neg-inf-nan), and so is a NaN derivative "
        "at +-inf (flag <member>-inf-nan): PyTorch and JAX compute -inf * 0 there.",
        r"\lim_{z\to-\infty} z\,\sigma(z) = 0",
        "exact",
        robustness.infinity_check,
    ),
    (
        "ROB-SUBNORMAL",
        "subnormal inputs",
        "At subnormal inputs every elementwise member returns its exact value, or its value at "
        "0 (denormals read as zero, as XLA on CPU does: acceptable, flag "
        "subnormal-input-as-zero).",
        r"f(z) \in \{f(z), f(0)\} \text{ for } 0 < |z| < 2^{e_{\min}}",
        robustness.SUBNORMAL_TOLERANCE,
        robustness.subnormal_check,
    ),
)
for _id, _title, _statement, _latex, _tol, _factory in _ROBUSTNESS:
    _add(
        _id,
        _title,
        "robustness",
        "robustness",
        _statement,
        _latex,
        _CONTRACT,
        (),
        _tol,
        _factory(_id),
    )

# --- kinks -------------------------------------------------------------------------------------

_KINK_META = {
    "KINK-RELU": (
        "ReLU derivative at 0",
        "relu",
        "relu_derivative(0) (and at -0) is in [0, 1]; the reference returns 0, which --strict "
        "requires.",
        r"\operatorname{ReLU}'(0) \in [0, 1]",
    ),
    "KINK-LEAKY-RELU": (
        "leaky ReLU derivative at 0",
        "leaky_relu",
        "leaky_relu_derivative(0, s) is between s and 1, for the default slope and slopes 0, "
        "0.01, 0.2, 1 and 3; the reference returns s, which --strict requires.",
        r"\operatorname{LeakyReLU}_s'(0) \in [\min(s, 1), \max(s, 1)]",
    ),
    "KINK-HARDTANH": (
        "hard tanh derivative at -1 and 1",
        "hardtanh",
        "hardtanh_derivative(-1) and hardtanh_derivative(1) are in [0, 1]; the reference returns "
        "0 at both, which --strict requires (JAX returns 1).",
        r"\operatorname{HardTanh}'(\pm 1) \in [0, 1]",
    ),
}
for _id, (_title, _section, _statement, _latex) in _KINK_META.items():
    _add(
        _id,
        _title,
        "kinks",
        _section,
        _statement,
        _latex,
        _NOTES[_section],
        (kinks.KINKS[_id].member,),
        "exact interval; any value in it is acceptable (flagged unless the reference's)",
        kinks.kink_check(_id),
    )


# --- diagonal --------------------------------------------------------------------------------

_add(
    "JAC-ACTIVATION-DIAGONAL",
    "activation Jacobians are diagonal",
    "diagonal",
    "jacobians",
    "For h = f(a) with f an elementwise activation and a a vector of n elements, jacobian "
    "returns an (n, n) array whose off-diagonal entries are exactly 0 and whose diagonal is "
    "f'(a), for every activation op (|a| <= 20, not at a kink).",
    r"\frac{\partial h}{\partial a} = \operatorname{diag}\bigl(f'(a)\bigr)",
    "Vectorized Calculus > Useful Jacobians!",
    ("jacobian",),
    "off-diagonal exactly 0; diagonal: the derivative's value tolerance",
    diagonal.diagonal_check("JAC-ACTIVATION-DIAGONAL"),
)

# --- shape -------------------------------------------------------------------------------------

_SHAPE_NOTES = "Vectorized Calculus > Shape Convention"
_add(
    "SHAPE-LINEAR-GRADIENTS",
    "layer gradients have the parameters' shapes",
    "shape",
    "shape",
    "linear_backward returns grad_W of shape (m, n), grad_x of the shape of x and grad_b of "
    "shape (m,), for single examples and batches.",
    r"\operatorname{shape}\Bigl(\frac{\partial s}{\partial W}\Bigr) = "
    r"\operatorname{shape}(W)",
    _SHAPE_NOTES,
    ("linear_backward",),
    "exact",
    shape.linear_shapes_check("SHAPE-LINEAR-GRADIENTS"),
)
_add(
    "SHAPE-BACKPROP-GRADIENTS",
    "backprop gradients have the inputs' shapes",
    "shape",
    "shape",
    "backprop returns a scalar output and one gradient per input, each of exactly the "
    "input's shape, on random graphs over every op.",
    r"\operatorname{shape}\Bigl(\frac{\partial s}{\partial x_k}\Bigr) = "
    r"\operatorname{shape}(x_k)",
    _SHAPE_NOTES,
    ("backprop",),
    "exact",
    shape.backprop_shapes_check("SHAPE-BACKPROP-GRADIENTS"),
)
_add(
    "SHAPE-JACOBIAN",
    "Jacobian form",
    "shape",
    "jacobians",
    "jacobian(graph, inputs, wrt) has shape (output.size, inputs[wrt].size), for outputs of "
    "any shape.",
    r"\frac{\partial \mathbf{f}}{\partial \mathbf{x}} \in "
    r"\mathbb{R}^{\operatorname{size}(\mathbf{f}) \times \operatorname{size}(\mathbf{x})}",
    "Vectorized Calculus",
    ("jacobian",),
    "exact",
    shape.jacobian_shape_check("SHAPE-JACOBIAN"),
)
_add(
    "SHAPE-JACOBIAN-ROW",
    "Jacobian row = gradient",
    "shape",
    "shape",
    "For a scalar output, the (1, n) Jacobian reshaped to the input's shape equals backprop's "
    "gradient (Jacobian form and shape convention agree).",
    r"\nabla_{x} s = \operatorname{reshape}\Bigl(\frac{\partial s}{\partial x}, "
    r"\operatorname{shape}(x)\Bigr)",
    _SHAPE_NOTES,
    ("backprop", "jacobian"),
    backprop.graph_tolerance(2),
    shape.jacobian_row_check("SHAPE-JACOBIAN-ROW"),
)
_add(
    "SHAPE-DOT-TRANSPOSE",
    "the gradient of u^T h is h",
    "shape",
    "vectorized",
    "For s = u^T h, backprop's gradient with respect to u is exactly h, of shape (n,) (the "
    "shape convention), and with respect to h exactly u; if jacobian is provided, its row "
    "with respect to u is h^T, of shape (1, n).",
    r"\frac{\partial}{\partial u}\bigl(u^\top h\bigr) = h^\top \text{ (Jacobian form)}, "
    r"\quad h \text{ (shape convention)}",
    "Vectorized Calculus > Transposes",
    ("backprop",),
    "exact",
    shape.dot_transpose_check("SHAPE-DOT-TRANSPOSE"),
)

# --- linear ------------------------------------------------------------------------------------

_LIN_TOL = linear.tolerance()
_add(
    "LIN-FORWARD",
    "the layer z = W x + b",
    "linear",
    "layer",
    "linear(W, x, b) = W x + b for one example x of shape (n,), W of shape (m, n), b of shape "
    "(m,).",
    r"z = W x + b",
    "Neural Network Layer",
    ("linear",),
    _LIN_TOL,
    linear.forward_check("LIN-FORWARD"),
)
_add(
    "LIN-BATCH",
    "the layer on a batch",
    "linear",
    "layer",
    "For a batch x of shape (B, n), linear(W, x, b) has shape (B, m) and row i equals "
    "linear(W, x[i], b) = W x_i + b.",
    r"Z_{i,:} = W x_i + b",
    "Neural Network Layer",
    ("linear",),
    linear.tolerance(2),
    linear.batch_check("LIN-BATCH"),
)
_add(
    "LIN-BACKWARD",
    "layer gradients",
    "linear",
    "linear",
    "For one example, linear_backward(W, x, b, g) = (outer(g, x), W^T g, g): the gradients of "
    "s = g^T z with respect to W, x and b.",
    r"\frac{\partial s}{\partial W} = g x^\top,\quad \frac{\partial s}{\partial x} = "
    r"W^\top g,\quad \frac{\partial s}{\partial b} = g",
    "Vectorized Calculus > Shape Convention",
    ("linear_backward",),
    linear.tolerance(length="k"),
    linear.backward_check("LIN-BACKWARD", batch=False),
)
_add(
    "LIN-BATCH-BACKWARD",
    "layer gradients on a batch",
    "linear",
    "linear",
    "For a batch, grad_W = sum_i outer(g_i, x_i) and grad_b = sum_i g_i (summed over the "
    "batch: the parameters are shared), grad_x[i] = W^T g_i (one row per example).",
    r"\frac{\partial s}{\partial W} = \sum_i g_i x_i^\top = G^\top X,\quad "
    r"\frac{\partial s}{\partial b} = \sum_i g_i,\quad \frac{\partial s}{\partial X} = G W",
    "Vectorized Calculus > Shape Convention",
    ("linear_backward",),
    linear.tolerance(length="k"),
    linear.backward_check("LIN-BATCH-BACKWARD", batch=True),
)

# --- backprop ------------------------------------------------------------------------------

_BP_NOTES = "Actual Backprop"
_add(
    "BP-VALUE",
    "backprop's output and gradients",
    "backprop",
    "backprop",
    "backprop(graph, inputs) returns the output and the gradient of every input, judged "
    "against an independent float64 evaluation of the graph (forward, then reverse mode with "
    "each op's own derivative formula), on random graphs over every op the engine supports, "
    "with fan-out, nodes in random order.",
    r"\bar{v} = \sum_{w \in \operatorname{users}(v)} \bar{w}\,"
    r"\frac{\partial w}{\partial v}",
    _BP_NOTES,
    ("backprop",),
    _BP_TOL,
    backprop.value_check("BP-VALUE"),
)
_add(
    "BP-ORDER",
    "node order does not matter",
    "backprop",
    "backprop",
    "The same graph with its nodes listed in another order (reversed or shuffled) gives the "
    "same output and gradients: the implementation sorts the nodes topologically itself.",
    r"\text{forward in a topological order, backward in reverse}",
    _BP_NOTES,
    ("backprop",),
    _BP_TOL,
    backprop.order_check("BP-ORDER"),
)
_add(
    "BP-FAN-OUT",
    "gradients of reused values add up",
    "backprop",
    "backprop",
    "A value used several times receives the sum of the gradients of its uses: b = a + a, "
    "c = b + b gives dc/da = 4; dot(a, a) gives 2a; sum(tanh(a)^2) gives 2 tanh(a) tanh'(a); "
    "an input used by two matmuls gets both contributions.",
    r"c = (a + a) + (a + a) \implies \frac{\partial \sum c}{\partial a} = 4",
    _BP_NOTES,
    ("backprop",),
    backprop.FAN_OUT_TOLERANCE,
    backprop.fan_out_check("BP-FAN-OUT"),
)
_add(
    "BP-COLLAPSE",
    "a linear stack collapses to one layer",
    "backprop",
    "nonlinear",
    "A stack of 2 to 4 linear layers without activations, read out by a dot product, has the "
    "output and gradients of the single layer W = W_k ... W_1, b = W_k(...(W_2 b_1 + b_2)...) "
    "+ b_k: without non-linearity, depth adds no representational power.",
    r"W_2 (W_1 x + b_1) + b_2 = (W_2 W_1) x + (W_2 b_1 + b_2)",
    "Why are NNs Non-Linear?",
    ("backprop",),
    backprop.COLLAPSE_TOLERANCE,
    backprop.collapse_check("BP-COLLAPSE"),
)
_add(
    "BP-JACOBIAN",
    "jacobian's values",
    "backprop",
    "jacobians",
    "jacobian(graph, inputs, wrt) equals the Jacobian of an independent float64 evaluation "
    "(one reverse pass per output element) on random graphs whose output may have any shape.",
    r"J_{ij} = \frac{\partial f_i}{\partial x_j}",
    "Vectorized Calculus",
    ("jacobian",),
    _BP_TOL,
    backprop.jacobian_check("BP-JACOBIAN"),
)
_add(
    "BP-OPS",
    "every op is supported",
    "backprop",
    "backprop",
    "backprop evaluates a graph of each op the adapter declares in graph_ops (every op of the "
    "contract when it declares none). The other graph clauses draw their graphs from the ops "
    "that work, so an unsupported op fails this clause only; ops left out of graph_ops are "
    "not provided.",
    r"\forall\, \mathrm{op} \in \mathtt{graph\_ops}:\ "
    r"\operatorname{backprop}\bigl(s = \textstyle\sum \mathrm{op}(a)\bigr) \text{ returns}",
    _BP_NOTES,
    ("backprop",),
    "exact: must return a result",
    backprop.ops_check("BP-OPS"),
)
_REJECT_META = {
    "BP-REJECT-CYCLE": ("a graph with a cycle", "it has a cycle (a node that depends on itself)"),
    "BP-REJECT-UNKNOWN-OP": ("an unknown op", "a node uses an op that is not in the contract"),
    "BP-REJECT-DANGLING": (
        "a dangling name",
        "an argument or the output names neither an input nor a node, or an input has no array",
    ),
    "BP-REJECT-DUPLICATE": ("a duplicate name", "two nodes, or a node and an input, share a name"),
    "BP-REJECT-SHAPE": (
        "arguments of the wrong shape",
        "an op's arguments have shapes that do not fit (elementwise ops do not broadcast), or "
        "the output is not a scalar",
    ),
}
for _id, (_what, _why) in _REJECT_META.items():
    _add(
        _id,
        f"reject {_what}",
        "backprop",
        "backprop",
        f"backprop raises an exception (any Exception) before returning a result when {_why}.",
        r"\text{invalid graph} \implies \text{exception}",
        _BP_NOTES,
        ("backprop",),
        "must raise",
        backprop.reject_check(_id),
    )


#: Every clause, in report order.
CLAUSES: tuple[Clause, ...] = tuple(_CLAUSES)

_BY_ID: dict[str, Clause] = {clause.id: clause for clause in CLAUSES}


def get_clause(id: str) -> Clause:
    """The clause with this id.

    Raises
    ------
    KeyError
        With the list of known ids, if there is none.

    Examples
    --------
    >>> get_clause("ACT-TANH-VALUE").section
    'tanh'
    """
    try:
        return _BY_ID[id]
    except KeyError:
        raise KeyError(
            f"no clause has the id {id!r}; known ids: {', '.join(sorted(_BY_ID))}"
        ) from None
