"""Hypothesis strategies for the checks: float arrays, layer shapes and computation graphs.

Every strategy is keyword-only, validates its arguments first and caps the size of what it
draws, so that a profile's ``max_array_size`` and ``max_graph_nodes`` bound the cost of every
example. Arrays shrink towards small shapes and small values; graphs towards few nodes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .contract import ACTIVATION_OPS, GRAPH_OPS

__all__ = [
    "ACTIVATION_OPS",
    "GRAPH_OPS",
    "LAYER_BATCHES",
    "LAYER_SIZES",
    "GraphExample",
    "LayerShape",
    "float_arrays",
    "graphs",
    "layer_arrays",
    "layer_shapes",
    "pool_examples",
]

# The graph ops (all, and the elementwise ones) are the contract's (see .contract).

_RANGES = ("moderate", "large", "all")


def _contiguous(array: np.ndarray) -> np.ndarray:
    # np.ascontiguousarray would turn a 0-d array into shape (1,): copy in C order instead.
    return np.array(array, order="C", copy=True)


def _check_dtype(dtype: Any) -> np.dtype[Any]:
    try:
        d = np.dtype(dtype)
    except TypeError:
        d = None
    if d not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}.")
    return d


def _check_positive(name: str, value: int) -> None:
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _floats(
    dtype: np.dtype[Any],
    magnitude: str,
    bound: float,
    avoid: tuple[float, ...],
    subnormal: bool,
) -> st.SearchStrategy[float]:
    width = 32 if dtype == np.float32 else 64
    finfo = np.finfo(dtype)
    moderate = st.floats(-bound, bound, width=width)
    # Huge inputs: the saturated tails and the overflow range, found by exponent rather than
    # uniformly (a uniform draw would almost never be below 1e300).
    large = st.builds(
        lambda sign, exponent, mantissa: float(
            np.clip(sign * mantissa * 2.0**exponent, -finfo.max, finfo.max)
        ),
        st.sampled_from([-1.0, 1.0]),
        st.integers(int(np.log2(max(bound, 1.0))), int(finfo.maxexp) - 1),
        st.floats(1.0, 2.0, exclude_max=True, width=width),
    ).map(lambda v: float(dtype.type(v)))
    if magnitude == "moderate":
        values = moderate
    elif magnitude == "large":
        values = large.filter(lambda v: abs(v) > bound)
    else:
        finite = st.floats(width=width, allow_nan=False, allow_infinity=False)
        values = st.one_of(moderate, large, finite)
    if not subnormal:
        tiny = float(finfo.tiny)
        values = values.map(lambda v: v if v == 0 or abs(v) >= tiny else 0.0)
    if avoid:
        values = values.filter(lambda v: v not in avoid)
    return values


def float_arrays(
    *,
    dtype: Any,
    max_size: int,
    magnitude: str = "moderate",
    bound: float = 20.0,
    avoid: tuple[float, ...] = (),
    min_size: int = 0,
    subnormal: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of finite floats of ``dtype``: 0-d, empty, 1-D and 2-D, at most ``max_size`` elements.

    Parameters
    ----------
    dtype : {"float32", "float64"}
    max_size : int
        Cap on the number of elements.
    magnitude : {"moderate", "large", "all"}
        ``moderate``: values in [-bound, bound]; ``large``: magnitudes above ``bound`` up to the
        largest finite number, spread over the exponents; ``all``: both, and any finite float.
    bound : float
        The edge of the moderate range.
    avoid : tuple of float
        Values never drawn (the kinks of a function, for example). -0.0 equals 0.0.
    min_size : int
        Fewest elements (1 excludes empty arrays but still allows 0-d).
    subnormal : bool
        Allow subnormal values; by default they become 0 (the robustness family tries them).

    Examples
    --------
    >>> strategy = float_arrays(dtype="float32", max_size=8)
    >>> z = strategy.example()
    >>> z.dtype.name, z.size <= 8
    ('float32', True)
    """
    d = _check_dtype(dtype)
    _check_positive("max_size", max_size)
    if magnitude not in _RANGES:
        raise ValueError(f"magnitude must be one of {_RANGES}; got {magnitude!r}.")
    if not bound > 0:
        raise ValueError(f"bound must be > 0; got {bound!r}.")
    if min_size < 0 or min_size > max_size:
        raise ValueError(f"min_size={min_size} must be in [0, max_size={max_size}].")
    side = max(1, int(max_size**0.5))
    shapes = st.one_of(
        hnp.array_shapes(min_dims=1, max_dims=1, min_side=min_size, max_side=max_size),
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=side),
        st.just(()),
    ).filter(lambda s: int(np.prod(s)) >= min_size)
    elements = _floats(d, magnitude, bound, avoid, subnormal)
    return hnp.arrays(d, shapes, elements=elements).map(_contiguous)


@dataclass(frozen=True)
class LayerShape:
    """The sizes of one linear layer: W (m, n), b (m,), x (n,) or (batch, n)."""

    m: int
    n: int
    batch: int | None

    @property
    def x_shape(self) -> tuple[int, ...]:
        return (self.n,) if self.batch is None else (self.batch, self.n)

    @property
    def z_shape(self) -> tuple[int, ...]:
        return (self.m,) if self.batch is None else (self.batch, self.m)


#: The layer sizes m, n and batch sizes the checks draw (`layer_shapes` ``sizes``): a few
#: distinct shapes only (a library that compiles per shape compiles each once), with m != n,
#: a size of 1, and a batch size unlike m and n.
LAYER_SIZES: tuple[int, ...] = (1, 3)
LAYER_BATCHES: tuple[int, ...] = (2,)


def layer_shapes(
    *,
    max_dim: int = 6,
    batch: bool | None = None,
    sizes: tuple[int, ...] | None = None,
    batch_sizes: tuple[int, ...] | None = None,
) -> st.SearchStrategy[LayerShape]:
    """Layer sizes with 1 <= m, n <= max_dim; a batch of 1..max_dim rows when ``batch``.

    ``batch=None`` draws both single examples and batches. Half the layers are square
    (m = n): only there does a transposed gradient (grad_W = outer(x, g), grad_x = W g) have
    the right shape, so a values clause, not the shape clause, must catch it, and it must
    do so under every seed, not only when a seed happens to draw m = n. Shrinks towards
    1 x 1, no batch. ``sizes`` (and ``batch_sizes``, by default ``sizes``) instead draw m, n
    (and the batch) from those values only, for few distinct shapes (`LAYER_SIZES`).
    """
    _check_positive("max_dim", max_dim)
    for name, values in (("sizes", sizes), ("batch_sizes", batch_sizes)):
        if values is not None and (
            not values or not all(isinstance(v, int) and v > 0 for v in values)
        ):
            raise ValueError(
                f"{name} must be a non-empty tuple of positive integers; got {values!r}."
            )
    dims = st.integers(1, max_dim) if sizes is None else st.sampled_from(sizes)
    rows = dims if batch_sizes is None else st.sampled_from(batch_sizes)
    pairs = st.tuples(dims, dims, st.booleans()).map(
        lambda drawn: (drawn[0], drawn[0]) if drawn[2] else (drawn[0], drawn[1])
    )
    if batch is None:
        batches: st.SearchStrategy[int | None] = st.one_of(st.none(), rows)
    elif batch:
        batches = rows
    else:
        batches = st.none()
    return st.builds(lambda mn, batch: LayerShape(*mn, batch=batch), pairs, batches)


def layer_arrays(
    *, dtype: Any, shape: LayerShape, bound: float = 4.0
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Arrays W, x, b and grad_z (the gradient flowing into z) for one layer shape."""
    d = _check_dtype(dtype)
    width = 32 if d == np.float32 else 64
    elements = st.floats(-bound, bound, width=width)
    parts = {
        "W": (shape.m, shape.n),
        "x": shape.x_shape,
        "b": (shape.m,),
        "grad_z": shape.z_shape,
    }
    return st.fixed_dictionaries(
        {key: hnp.arrays(d, s, elements=elements) for key, s in parts.items()}
    )


# --- computation graphs --------------------------------------------------------------------


@dataclass(frozen=True)
class GraphExample:
    """A drawn graph (the contract's JSON-compatible dict) and its input arrays."""

    graph: dict[str, Any]
    inputs: dict[str, np.ndarray]
    #: The node names in the order they were created (a valid topological order).
    creation_order: tuple[str, ...]


class _DrawnChoices:
    """The builder's choices drawn by Hypothesis (they shrink with the example)."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return int(self.draw(st.integers(low, high)))

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def boolean(self) -> bool:
        return bool(self.draw(st.booleans()))


class _SeededChoices:
    """The builder's choices from a seeded generator: the same graph for the same seed."""

    def __init__(self, seed: Sequence[int]) -> None:
        self.rng = np.random.default_rng(list(seed))

    def integer(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))

    def choice(self, options: Sequence[Any]) -> Any:
        options = list(options)
        return options[int(self.rng.integers(len(options)))]

    def boolean(self) -> bool:
        return bool(self.rng.integers(2))


class _Builder:
    """Grows a graph one node at a time, keeping every value's shape.

    The structure only: inputs get a shape here, their values are drawn afterwards.
    """

    def __init__(
        self,
        choose: Any,
        max_dim: int,
        slopes: tuple[float, ...],
        leaky_slopes: Sequence[float | None] = (),
    ):
        self.choose = choose
        self.max_dim = max_dim
        self.slopes = slopes
        #: The slopes of the first leaky_relu nodes, in order (None: no attribute).
        self.leaky_slopes = list(leaky_slopes)
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.inputs: dict[str, tuple[int, ...]] = {}
        self.nodes: list[dict[str, Any]] = []
        self.used: set[str] = set()
        #: The input of ``max_dim`` elements every fresh activation takes (`fresh_vector`).
        self.fresh: str | None = None

    def new_input(self, shape: tuple[int, ...]) -> str:
        name = f"x{len(self.inputs)}"
        self.inputs[name] = tuple(shape)
        self.shapes[name] = tuple(shape)
        return name

    def add_node(self, op: str, args: list[str], shape: tuple[int, ...]) -> str:
        name = f"n{len(self.nodes)}"
        node: dict[str, Any] = {"name": name, "op": op, "args": args}
        if op == "leaky_relu" and self.leaky_slopes:
            slope = self.leaky_slopes.pop(0)
            if slope is not None:
                node["negative_slope"] = slope
        elif op == "leaky_relu" and self.choose.boolean():
            node["negative_slope"] = self.choose.choice(self.slopes)
        self.nodes.append(node)
        self.shapes[name] = shape
        self.used.update(args)
        return name

    def values_of(self, ndim: int | None = None) -> list[str]:
        return [k for k, s in self.shapes.items() if ndim is None or len(s) == ndim]

    def pick(self, candidates: list[str]) -> str:
        # Prefer values nobody uses yet, so few dead ends remain, but allow reuse (fan-out).
        unused = [c for c in candidates if c not in self.used]
        if unused and self.choose.integer(0, 3) > 0:
            return self.choose.choice(unused)
        return self.choose.choice(candidates)

    def dim(self) -> int:
        return self.choose.integer(1, self.max_dim)

    def fresh_vector(self) -> str:
        """The structure's input of ``max_dim`` elements for ``fresh`` activations, made on
        first use.

        One input shared by every fresh activation: its elements take both signs (so every
        activation on it sees both branches), and the gradient or Jacobian with respect to it
        goes through every one of those nodes at once (see `pool_examples`).
        """
        if self.fresh is None:
            self.fresh = self.new_input((self.max_dim,))
        return self.fresh

    def grow(self, op: str, *, fresh: bool = False) -> None:
        """Add a node of ``op``; ``fresh``: an activation on the structure's input of
        ``max_dim`` elements (`fresh_vector`, so it sees inputs of both signs), a sum on a new
        input of ``max_dim`` elements (a whole input)."""
        vectors = self.values_of(1)
        if op == "linear":
            x = self.pick(vectors) if vectors else self.new_input((self.dim(),))
            n = self.shapes[x][0]
            m = self.dim()
            self.add_node(op, [self.new_input((m, n)), x, self.new_input((m,))], (m,))
        elif op == "matmul":
            matrices = self.values_of(2)
            if matrices and self.choose.boolean():
                B = self.pick(matrices)
            else:
                B = self.pick(vectors) if vectors else self.new_input((self.dim(),))
            k = self.shapes[B][0]
            m = self.dim()
            self.add_node(op, [self.new_input((m, k)), B], (m, *self.shapes[B][1:]))
        elif op in ("add", "mul"):
            a = self.pick(self.values_of())
            shape = self.shapes[a]
            same = [k for k, s in self.shapes.items() if s == shape]
            choice = self.choose.integer(0, 2)
            b = self.new_input(shape) if choice == 0 else self.pick(same)
            self.add_node(op, [a, b], shape)
        elif op == "dot":
            h = self.pick(vectors) if vectors else self.new_input((self.dim(),))
            n = self.shapes[h][0]
            same = [k for k in vectors if self.shapes[k] == (n,)]
            u = self.new_input((n,)) if self.choose.boolean() or not same else self.pick(same)
            self.add_node(op, [u, h], ())
        elif op == "sum":
            # On an input of its own: a gradient another node's also flows into would hide a
            # sum whose gradient is left a scalar (broadcast by that addition).
            a = self.new_input((self.max_dim,)) if fresh else self.pick(self.values_of())
            self.add_node(op, [a], ())
        else:
            a = self.fresh_vector() if fresh else self.pick(self.values_of())
            self.add_node(op, [a], self.shapes[a])

    def reduce_to_scalar(self, name: str) -> str:
        shape = self.shapes[name]
        if shape == ():
            return name
        if len(shape) == 1 and self.choose.boolean():
            return self.add_node("dot", [self.new_input(shape), name], ())
        return self.add_node("sum", [name], ())

    def finish(self, scalar_output: bool) -> str:
        """Combine every value no node uses into the output, so nothing dangles unused."""
        node_names = [n["name"] for n in self.nodes]
        last = node_names[-1]
        loose = [n for n in node_names if n not in self.used and n != last]
        if not loose and (not scalar_output or self.shapes[last] == ()):
            return last
        out = self.reduce_to_scalar(last) if (scalar_output or loose) else last
        for name in loose:
            part = self.reduce_to_scalar(name)
            op = self.choose.choice(["add", "add", "mul"])
            out = self.add_node(op, [out, part], ())
        return out


@dataclass(frozen=True)
class _Skeleton:
    """A graph without input values: its nodes, output and each input's shape."""

    nodes: tuple[dict[str, Any], ...]
    output: str
    inputs: tuple[tuple[str, tuple[int, ...]], ...]


def _build(
    choose: Any,
    max_nodes: int,
    scalar_output: bool,
    ops: tuple[str, ...],
    max_dim: int,
    unused_input: bool | str,
    count: int | None = None,
    first: tuple[str, ...] = (),
    leaky_slopes: Sequence[float | None] = (),
) -> _Skeleton:
    builder = _Builder(choose, max_dim, (0.0, 0.01, 0.1, 0.3), leaky_slopes)
    builder.new_input((builder.dim(),))
    if count is None:
        count = choose.integer(1, max(1, max_nodes - 2))
    for i in range(count):
        if i < len(first):
            builder.grow(first[i], fresh=True)
        else:
            builder.grow(choose.choice(ops))
    output = builder.finish(scalar_output)
    if (unused_input is True and choose.integer(0, 3) == 0) or unused_input == "always":
        # An input no node uses: its gradient is all zeros, and it must still be returned.
        builder.new_input((builder.dim(),))
    return _Skeleton(tuple(builder.nodes), output, tuple(builder.inputs.items()))


#: In how many structures of a pool each op appears at least (see `_pooled`).
_OP_REPEATS = 3


@functools.lru_cache(maxsize=1024)
def _pooled(
    index: int,
    pool: int,
    max_nodes: int,
    scalar_output: bool,
    ops: tuple[str, ...],
    max_dim: int,
    unused_input: bool,
) -> _Skeleton:
    """Skeleton ``index`` of a pool of ``pool``: the same for the same arguments, growing
    from few computing nodes (index 0) to ``max_nodes - 2`` (the last); each starts with the
    next ``ceil(3 len(ops) / pool)`` ops in turn (an activation on the structure's one input
    of ``max_dim`` elements, a sum on an input of its own), so every op is in three
    structures or more. A leaky_relu starting a structure has a slope other than the
    default, except every third time, when it has no slope attribute (the default).
    With ``unused_input``, every other structure has an input no node uses."""
    seed = (index, pool, max_nodes, int(scalar_output), max_dim, int(unused_input))
    seed += tuple(GRAPH_OPS.index(op) for op in ops)
    top = max(1, max_nodes - 2)
    per = -(-_OP_REPEATS * len(ops) // pool)
    turns = [index * per + j for j in range(per)]
    first = tuple(ops[t % len(ops)] for t in turns)
    choose = _SeededChoices(seed)
    leaky = [
        None if (t // len(ops)) % 3 == 1 else choose.choice((0.0, 0.1, 0.3))
        for t in turns
        if ops[t % len(ops)] == "leaky_relu"
    ]
    count = max(per, 1 + (index * (top - 1)) // max(1, pool - 1))
    unused: bool | str = "always" if unused_input and index % 2 == 1 else False
    return _build(choose, max_nodes, scalar_output, ops, max_dim, unused, count, first, leaky)


def _input_values(dtype: np.dtype[Any], shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    cast = dtype.type
    # Magnitudes in [0.05, 0.95] or [1.15, 2.05], either sign: away from the kinks of
    # relu, leaky_relu (0) and hardtanh (+-1), so exact kink hits in the graph stay rare.
    elements = st.tuples(
        st.sampled_from([-1.0, 1.0]), st.sampled_from([0.0, 1.1]), st.floats(0.05, 0.95)
    ).map(lambda t: float(cast(t[0] * (t[1] + t[2]))))
    return hnp.arrays(dtype, shape, elements=elements).map(_contiguous)


@st.composite
def _graphs(
    draw: Any,
    dtype: np.dtype[Any],
    max_nodes: int,
    scalar_output: bool,
    ops: tuple[str, ...],
    max_dim: int,
    shuffle: bool,
    unused_input: bool,
    pool: int | None,
) -> GraphExample:
    if pool is None:
        skeleton = _build(_DrawnChoices(draw), max_nodes, scalar_output, ops, max_dim, unused_input)
    else:
        index = draw(st.integers(0, pool - 1))
        skeleton = _pooled(index, pool, max_nodes, scalar_output, ops, max_dim, unused_input)
    inputs = {name: draw(_input_values(dtype, shape)) for name, shape in skeleton.inputs}
    nodes = [dict(node, args=list(node["args"])) for node in skeleton.nodes]
    creation = tuple(n["name"] for n in nodes)
    if shuffle:
        nodes = draw(st.permutations(nodes))
    graph = {"inputs": list(inputs), "nodes": nodes, "output": skeleton.output}
    return GraphExample(graph=graph, inputs=inputs, creation_order=creation)


#: The four regions of a swept input's elements: (sign, offset); magnitudes offset + [0.05,
#: 0.95], as `_input_values` draws them: both signs, inside and outside hardtanh's [-1, 1].
_SWEEP_REGIONS = ((-1.0, 0.0), (1.0, 0.0), (-1.0, 1.1), (1.0, 1.1))


def _swept_values(
    dtype: np.dtype[Any], shape: tuple[int, ...], rng: np.random.Generator, shift: int
) -> np.ndarray:
    """Values of ``shape`` from `_SWEEP_REGIONS` in turn, starting at region ``shift``: an
    input of four elements or more has one in each region."""
    n = int(np.prod(shape, dtype=np.int64))
    regions = np.array(_SWEEP_REGIONS)[(np.arange(n) + shift) % len(_SWEEP_REGIONS)]
    values = regions[:, 0] * (regions[:, 1] + rng.uniform(0.05, 0.95, n))
    return values.astype(dtype).reshape(shape)


def pool_examples(
    *,
    dtype: Any,
    max_nodes: int,
    pool: int,
    seed: int,
    scalar_output: bool = True,
    ops: tuple[str, ...] = GRAPH_OPS,
    max_dim: int = 4,
    unused_input: bool = True,
    avoid: Callable[[GraphExample], bool] | None = None,
) -> list[GraphExample]:
    """Every structure of the pool `graphs` draws from (same arguments), once, with values.

    The sweep a graph clause runs beside its search, so that every op of the pool is
    exercised in every run whatever the search draws: the values come from a generator
    seeded by ``seed`` and the structure, and each input cycles through both signs and both
    sides of 1 (`_SWEEP_REGIONS`), so an activation on a structure's shared input (see
    ``_Builder.fresh_vector``) meets all four. ``avoid(example)`` true (a value on a kink,
    say) draws the structure's values again, up to 8 times; the last draw is kept.

    Returns
    -------
    list of GraphExample
        ``pool`` examples, in the pool's order, their nodes in creation order.
    """
    d = _check_dtype(dtype)
    _check_positive("pool", pool)
    ops = tuple(ops)
    out = []
    for index in range(pool):
        skeleton = _pooled(
            index, pool, max(3, max_nodes), scalar_output, ops, max_dim, unused_input
        )
        for attempt in range(8):
            rng = np.random.default_rng([seed, index, attempt, d.itemsize])
            inputs = {
                name: _swept_values(d, shape, rng, k)
                for k, (name, shape) in enumerate(skeleton.inputs)
            }
            nodes = [dict(node, args=list(node["args"])) for node in skeleton.nodes]
            graph = {"inputs": list(inputs), "nodes": nodes, "output": skeleton.output}
            example = GraphExample(graph, inputs, tuple(n["name"] for n in nodes))
            if avoid is None or not avoid(example):
                break
        out.append(example)
    return out


def graphs(
    *,
    dtype: Any,
    max_nodes: int,
    scalar_output: bool = True,
    ops: tuple[str, ...] = GRAPH_OPS,
    max_dim: int = 4,
    shuffle: bool = True,
    unused_input: bool = True,
    pool: int | None = None,
) -> st.SearchStrategy[GraphExample]:
    """Random valid computation graphs over ``ops``, with fan-out, in a random node order.

    Parameters
    ----------
    dtype : {"float32", "float64"}
        The dtype of every input array.
    max_nodes : int
        Cap on the number of computing nodes before the final reduction (at least 3).
    scalar_output : bool
        Whether the output must be a scalar (for backprop) or may have any shape (jacobian).
    ops : tuple of str
        The ops to draw from (by default every op of the contract).
    max_dim : int
        Cap on every dimension.
    shuffle : bool
        List the nodes in a random order (the contract allows any order).
    unused_input : bool
        Sometimes (one draw in four) list one more input that no node uses.
    pool : int, optional
        Draw the graph's structure (nodes and input shapes) from a fixed pool of ``pool``
        structures, the same in every run for the same arguments, and only the input values
        (and the node order) from the example: few distinct graphs, so a library that
        compiles per graph compiles a few times. The pool grows from one computing node to
        ``max_nodes - 2`` (more where that is needed to hold every op three times) and every
        op is in three of its structures or more (leaky_relu with and without a slope); a
        failure shrinks towards the pool's smallest graphs. By
        default each example draws its structure.

    Notes
    -----
    Inputs have magnitudes in [0.05, 0.95] or [1.15, 2.05], away
    from the kinks of relu, leaky_relu and hardtanh; intermediate values can still land on a
    kink, which the checks detect. Every node contributes to the output; every input does
    too, except the optional unused one.

    Examples
    --------
    >>> example = graphs(dtype="float64", max_nodes=5).example()
    >>> sorted(example.graph)
    ['inputs', 'nodes', 'output']
    """
    d = _check_dtype(dtype)
    _check_positive("max_nodes", max_nodes)
    _check_positive("max_dim", max_dim)
    unknown = [op for op in ops if op not in GRAPH_OPS]
    if unknown or not ops:
        raise ValueError(f"ops must be a non-empty subset of {GRAPH_OPS}; got {ops!r}.")
    if pool is not None:
        _check_positive("pool", pool)
    return _graphs(
        d, max(3, max_nodes), scalar_output, tuple(ops), max_dim, shuffle, unused_input, pool
    )
