#!/usr/bin/env node
// A gradspec adapter in plain JavaScript (Node.js >= 18, no dependencies).
//
// It implements the whole adapter contract (activations and their derivatives, the linear
// layer and its backward pass, backprop and jacobian on the contract's graph format) and
// answers the gradspec-pipe protocol: one JSON request per line on stdin, one JSON answer per
// line on stdout. Run the conformance suite on it with
//
//     gradspec check --adapter cmd:"node examples/js/gradspec_adapter.js"
//
// Numbers are JavaScript doubles. float32 arrays are computed in double and rounded to
// float32 (Math.fround) once per function, or once per op inside a graph.

"use strict";

const readline = require("node:readline");

// --- arrays on the wire ---------------------------------------------------------------------
// An array is {dtype, shape, data}: data are decimal strings in C order ("nan", "inf", "-inf"
// and "-0.0" included). A tensor here is {dtype, shape, data: Float64Array}.

function parseNumber(text) {
  if (typeof text === "number") return text;
  const lower = String(text).trim().toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "inf" || lower === "+inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  const value = Number(lower);
  if (Number.isNaN(value)) throw new TypeError(`not a decimal number: ${JSON.stringify(text)}`);
  return value;
}

function formatNumber(value) {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0.0";
  // The shortest decimal that reads back to this double: exact for float32 values too.
  return String(value);
}

function size(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

function decodeArray(obj, where) {
  if (!obj || typeof obj !== "object" || !Array.isArray(obj.shape) || !Array.isArray(obj.data)) {
    throw new TypeError(`${where}: expected an array {dtype, shape, data}`);
  }
  if (obj.dtype !== "float32" && obj.dtype !== "float64") {
    throw new TypeError(`${where}: dtype ${obj.dtype} is neither float32 nor float64`);
  }
  if (obj.data.length !== size(obj.shape)) {
    throw new TypeError(`${where}: shape [${obj.shape}] does not hold ${obj.data.length} values`);
  }
  const data = Float64Array.from(obj.data, parseNumber);
  if (obj.dtype === "float32") for (let i = 0; i < data.length; i++) data[i] = Math.fround(data[i]);
  return { dtype: obj.dtype, shape: obj.shape.slice(), data };
}

function encodeArray(t) {
  return { dtype: t.dtype, shape: t.shape, data: Array.from(t.data, formatNumber) };
}

function tensor(dtype, shape, data) {
  const out = { dtype, shape, data: data || new Float64Array(size(shape)) };
  return out;
}

// Rounds every element to the tensor's dtype: once per function or graph op.
function rounded(t) {
  if (t.dtype === "float32") for (let i = 0; i < t.data.length; i++) t.data[i] = Math.fround(t.data[i]);
  return t;
}

// --- activations and their derivatives (doubles) ----------------------------------------------
// t = e^{-|z|} never overflows and 1 + t lies in [1, 2], so these forms cancel nothing.

function sigmoid(z) {
  const t = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + t) : t / (1 + t);
}

function sigmoidDerivative(z) {
  const t = Math.exp(-Math.abs(z));
  return t / ((1 + t) * (1 + t));
}

function tanhDerivative(z) {
  // 1 - tanh^2 = 4 e^{-2|z|} / (1 + e^{-2|z|})^2, accurate in relative terms in the tails.
  const t = Math.exp(-2 * Math.abs(z));
  return (4 * t) / ((1 + t) * (1 + t));
}

// a * e^{z} for z < -700, where e^{z} alone would be subnormal and lose digits before the
// product: both halves e^{z/2} are normal numbers, and only the last product rounds into the
// subnormal range.
function timesExpTail(a, z) {
  const half = Math.exp(z / 2);
  return a * half * half;
}

function swish(z) {
  if (z === -Infinity) return 0;
  const t = Math.exp(-Math.abs(z));
  if (z >= 0) return z / (1 + t);
  if (z < -700) return timesExpTail(z, z);
  return (z * t) / (1 + t);
}

function swishDerivative(z) {
  // sigmoid(z) (1 + z sigmoid(-z)) with t = e^{-|z|}:
  //   z >= 0: (1 + t + z t) / (1 + t)^2;   z < 0: t (1 + t + z) / (1 + t)^2.
  if (Number.isNaN(z)) return z;
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const t = Math.exp(-Math.abs(z));
  const square = (1 + t) * (1 + t);
  if (z >= 0) return (1 + t + z * t) / square;
  if (z < -700) return timesExpTail(1 + z, z);
  return (t * (1 + t + z)) / square;
}

function keepNaN(f) {
  return (z, slope) => (Number.isNaN(z) ? z : f(z, slope));
}

// Kinks follow the reference's convention: relu'(0) = 0, leaky_relu'(0) = slope, hardtanh'(+-1) = 0.
const ELEMENTWISE = {
  sigmoid,
  sigmoid_derivative: sigmoidDerivative,
  tanh: Math.tanh,
  tanh_derivative: tanhDerivative,
  hardtanh: keepNaN((z) => (z < -1 ? -1 : z > 1 ? 1 : z)),
  hardtanh_derivative: keepNaN((z) => (Math.abs(z) < 1 ? 1 : 0)),
  relu: keepNaN((z) => (z > 0 ? z : 0)),
  relu_derivative: keepNaN((z) => (z > 0 ? 1 : 0)),
  leaky_relu: keepNaN((z, s) => (z > 0 ? z : s === 0 ? 0 : s * z)),
  leaky_relu_derivative: keepNaN((z, s) => (z > 0 ? 1 : s)),
  swish,
  swish_derivative: swishDerivative,
};

const DERIVATIVE = {
  sigmoid: "sigmoid_derivative",
  tanh: "tanh_derivative",
  hardtanh: "hardtanh_derivative",
  relu: "relu_derivative",
  leaky_relu: "leaky_relu_derivative",
  swish: "swish_derivative",
};

function checkSlope(slope) {
  if (typeof slope !== "number" || !Number.isFinite(slope) || slope < 0) {
    throw new RangeError(`negative_slope must be a finite number >= 0; got ${slope}`);
  }
  return slope;
}

function applyElementwise(name, z, slope) {
  const f = ELEMENTWISE[name];
  const out = tensor(z.dtype, z.shape.slice());
  for (let i = 0; i < z.data.length; i++) out.data[i] = f(z.data[i], slope);
  return rounded(out);
}

// --- the linear layer ---------------------------------------------------------------------

function sameDtype(func, ...tensors) {
  const dtype = tensors[0].dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) throw new TypeError(`${func}: arguments mix ${dtype} and ${t.dtype}`);
  }
  return dtype;
}

function checkLayer(func, W, x, b) {
  if (W.shape.length !== 2) throw new RangeError(`${func}: W must be 2-D (m, n); got [${W.shape}]`);
  const [m, n] = W.shape;
  if (b.shape.length !== 1 || b.shape[0] !== m) {
    throw new RangeError(`${func}: b must have shape [${m}]; got [${b.shape}]`);
  }
  if (!(x.shape.length === 1 || x.shape.length === 2) || x.shape[x.shape.length - 1] !== n) {
    throw new RangeError(`${func}: x must have shape [${n}] or [B, ${n}]; got [${x.shape}]`);
  }
  return { m, n, rows: x.shape.length === 1 ? 1 : x.shape[0] };
}

function linear(W, x, b) {
  const dtype = sameDtype("linear", W, x, b);
  const { m, n, rows } = checkLayer("linear", W, x, b);
  const out = tensor(dtype, x.shape.length === 1 ? [m] : [rows, m]);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += W.data[i * n + j] * x.data[r * n + j];
      out.data[r * m + i] = s + b.data[i];
    }
  }
  return rounded(out);
}

function linearBackward(W, x, b, gz) {
  const dtype = sameDtype("linear_backward", W, x, b, gz);
  const { m, n, rows } = checkLayer("linear_backward", W, x, b);
  const zShape = x.shape.length === 1 ? [m] : [rows, m];
  if (gz.shape.join() !== zShape.join()) {
    throw new RangeError(`linear_backward: grad_z must have shape [${zShape}]; got [${gz.shape}]`);
  }
  const gW = tensor(dtype, [m, n]);
  const gx = tensor(dtype, x.shape.slice());
  const gb = tensor(dtype, [m]);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      const g = gz.data[r * m + i];
      gb.data[i] += g;
      for (let j = 0; j < n; j++) {
        gW.data[i * n + j] += g * x.data[r * n + j];
        gx.data[r * n + j] += g * W.data[i * n + j];
      }
    }
  }
  return [rounded(gW), rounded(gx), rounded(gb)];
}

// --- computation graphs ---------------------------------------------------------------------

class GraphError extends Error {
  constructor(message) {
    super(message);
    this.name = "GraphError";
  }
}

const same = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

function matmulShape(A, B) {
  if (A.length !== 2 || !(B.length === 1 || B.length === 2) || A[1] !== B[0]) {
    throw new GraphError(`matmul needs (m, k) @ (k, n) or (m, k) @ (k,); got [${A}] @ [${B}]`);
  }
  return B.length === 1 ? [A[0]] : [A[0], B[1]];
}

// One entry per op: its arity, its output shape (throws on bad shapes), its value and its
// vector-Jacobian product (one gradient per argument, each of that argument's shape).
const OPS = {
  linear: {
    arity: 3,
    shape: ([W, x, b]) => {
      if (W.length !== 2 || x.length !== 1 || b.length !== 1 || W[1] !== x[0] || W[0] !== b[0]) {
        throw new GraphError(`linear needs W (m, n), x (n,), b (m,); got [${W}], [${x}], [${b}]`);
      }
      return [W[0]];
    },
    forward: ([W, x, b]) => linear(W, x, b),
    vjp: (g, [W, x]) => {
      const [m, n] = W.shape;
      const gW = tensor(g.dtype, [m, n]);
      const gx = tensor(g.dtype, [n]);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          gW.data[i * n + j] = g.data[i] * x.data[j];
          gx.data[j] += g.data[i] * W.data[i * n + j];
        }
      }
      return [gW, gx, tensor(g.dtype, [m], Float64Array.from(g.data))];
    },
  },
  matmul: {
    arity: 2,
    shape: ([A, B]) => matmulShape(A, B),
    forward: ([A, B]) => {
      const [m, k] = A.shape;
      const n = B.shape.length === 1 ? 1 : B.shape[1];
      const out = tensor(A.dtype, matmulShape(A.shape, B.shape));
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A.data[i * k + p] * B.data[p * n + j];
          out.data[i * n + j] = s;
        }
      }
      return out;
    },
    vjp: (g, [A, B]) => {
      const [m, k] = A.shape;
      const n = B.shape.length === 1 ? 1 : B.shape[1];
      const gA = tensor(g.dtype, [m, k]);
      const gB = tensor(g.dtype, B.shape.slice());
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const gij = g.data[i * n + j];
          for (let p = 0; p < k; p++) {
            gA.data[i * k + p] += gij * B.data[p * n + j];
            gB.data[p * n + j] += A.data[i * k + p] * gij;
          }
        }
      }
      return [gA, gB];
    },
  },
  add: {
    arity: 2,
    shape: ([a, b]) => {
      if (!same(a, b)) throw new GraphError(`add needs equal shapes; got [${a}] and [${b}]`);
      return a;
    },
    forward: ([a, b]) => tensor(a.dtype, a.shape, a.data.map((v, i) => v + b.data[i])),
    vjp: (g) => [g, g],
  },
  mul: {
    arity: 2,
    shape: ([a, b]) => {
      if (!same(a, b)) throw new GraphError(`mul needs equal shapes; got [${a}] and [${b}]`);
      return a;
    },
    forward: ([a, b]) => tensor(a.dtype, a.shape, a.data.map((v, i) => v * b.data[i])),
    vjp: (g, [a, b]) => [
      tensor(g.dtype, a.shape, g.data.map((v, i) => v * b.data[i])),
      tensor(g.dtype, b.shape, g.data.map((v, i) => v * a.data[i])),
    ],
  },
  dot: {
    arity: 2,
    shape: ([u, h]) => {
      if (u.length !== 1 || !same(u, h)) {
        throw new GraphError(`dot needs two 1-D arrays of one length; got [${u}] and [${h}]`);
      }
      return [];
    },
    forward: ([u, h]) => {
      let s = 0;
      for (let i = 0; i < u.data.length; i++) s += u.data[i] * h.data[i];
      return tensor(u.dtype, [], Float64Array.of(s));
    },
    vjp: (g, [u, h]) => [
      tensor(g.dtype, u.shape, h.data.map((v) => v * g.data[0])),
      tensor(g.dtype, h.shape, u.data.map((v) => v * g.data[0])),
    ],
  },
  sum: {
    arity: 1,
    shape: () => [],
    forward: ([a]) => tensor(a.dtype, [], Float64Array.of(a.data.reduce((s, v) => s + v, 0))),
    vjp: (g, [a]) => [tensor(g.dtype, a.shape, new Float64Array(a.data.length).fill(g.data[0]))],
  },
};

for (const name of Object.keys(DERIVATIVE)) {
  OPS[name] = {
    arity: 1,
    shape: ([a]) => a,
    forward: ([a], node) => applyElementwise(name, a, node.slope),
    vjp: (g, [a], node) => {
      const d = applyElementwise(DERIVATIVE[name], a, node.slope);
      return [tensor(g.dtype, a.shape, g.data.map((v, i) => v * d.data[i]))];
    },
  };
}

function readGraph(graph, inputs, func) {
  if (!graph || typeof graph !== "object" || !Array.isArray(graph.inputs) || !Array.isArray(graph.nodes)) {
    throw new GraphError(`${func}: a graph is {inputs: [...], nodes: [...], output: name}`);
  }
  const known = new Map(); // name -> "input" or node
  for (const name of graph.inputs) {
    if (typeof name !== "string") throw new GraphError(`${func}: input names must be strings`);
    if (known.has(name)) throw new GraphError(`${func}: the name ${JSON.stringify(name)} is used twice`);
    known.set(name, "input");
  }
  const nodes = [];
  for (const raw of graph.nodes) {
    if (!raw || typeof raw.name !== "string" || !Array.isArray(raw.args)) {
      throw new GraphError(`${func}: a node is {name, op, args}; got ${JSON.stringify(raw)}`);
    }
    if (known.has(raw.name)) throw new GraphError(`${func}: the name ${JSON.stringify(raw.name)} is used twice`);
    const op = OPS[raw.op];
    if (!op) throw new GraphError(`${func}: node ${JSON.stringify(raw.name)} has unknown op ${JSON.stringify(raw.op)}`);
    if (raw.args.length !== op.arity) {
      throw new GraphError(`${func}: node ${JSON.stringify(raw.name)} (${raw.op}) takes ${op.arity} args; got ${raw.args.length}`);
    }
    const slope = raw.op === "leaky_relu" ? checkSlope(raw.negative_slope ?? 0.01) : undefined;
    const node = { name: raw.name, op, opName: raw.op, args: raw.args.slice(), slope };
    known.set(raw.name, node);
    nodes.push(node);
  }
  for (const node of nodes) {
    for (const arg of node.args) {
      if (!known.has(arg)) throw new GraphError(`${func}: node ${JSON.stringify(node.name)} uses ${JSON.stringify(arg)}, which is neither an input nor a node`);
    }
  }
  if (!known.has(graph.output)) throw new GraphError(`${func}: the output ${JSON.stringify(graph.output)} names nothing`);

  // Kahn's algorithm: a node is ready when every node it uses is placed. Iterative, so a
  // deep chain cannot overflow the stack; whatever is never ready lies on or after a cycle.
  const waiting = new Map();
  const users = new Map(nodes.map((n) => [n.name, []]));
  for (const node of nodes) {
    const deps = new Set(node.args.filter((a) => known.get(a) !== "input"));
    waiting.set(node.name, deps.size);
    for (const dep of deps) users.get(dep).push(node);
  }
  const ready = nodes.filter((n) => waiting.get(n.name) === 0);
  const order = [];
  while (ready.length) {
    const node = ready.pop();
    order.push(node);
    for (const user of users.get(node.name)) {
      const left = waiting.get(user.name) - 1;
      waiting.set(user.name, left);
      if (left === 0) ready.push(user);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((n) => waiting.get(n.name) > 0).map((n) => n.name);
    throw new GraphError(`${func}: the graph has a cycle through ${stuck.join(", ")}`);
  }

  // The inputs: exactly the graph's names, one dtype; then every shape, before any value.
  if (!inputs || typeof inputs !== "object") throw new GraphError(`${func}: inputs must be an object of arrays`);
  for (const name of graph.inputs) {
    if (!(name in inputs)) throw new GraphError(`${func}: no array given for the input ${JSON.stringify(name)}`);
  }
  for (const name of Object.keys(inputs)) {
    if (known.get(name) !== "input") throw new GraphError(`${func}: ${JSON.stringify(name)} is not a graph input`);
  }
  const dtype = sameDtype(func, ...graph.inputs.map((n) => inputs[n]));
  const shapes = new Map(graph.inputs.map((n) => [n, inputs[n].shape]));
  for (const node of order) {
    try {
      shapes.set(node.name, node.op.shape(node.args.map((a) => shapes.get(a))));
    } catch (error) {
      throw new GraphError(`${func}: node ${JSON.stringify(node.name)}: ${error.message}`);
    }
  }
  return { order, dtype, shapes, output: graph.output, inputNames: graph.inputs };
}

function forward(plan, inputs) {
  const values = new Map(Object.entries(inputs));
  for (const node of plan.order) {
    values.set(node.name, rounded(node.op.forward(node.args.map((a) => values.get(a)), node)));
  }
  return values;
}

function addInto(grads, name, g) {
  const previous = grads.get(name);
  // A fresh sum: a gradient may be shared with another node (add passes g through).
  grads.set(name, previous ? rounded(tensor(g.dtype, g.shape, g.data.map((v, i) => v + previous.data[i]))) : g);
}

// The chain rule in reverse topological order; fan-out adds up in addInto.
function backward(plan, values, seed) {
  const grads = new Map([[plan.output, seed]]);
  for (let k = plan.order.length - 1; k >= 0; k--) {
    const node = plan.order[k];
    const g = grads.get(node.name);
    if (!g) continue;
    const parts = node.op.vjp(g, node.args.map((a) => values.get(a)), node);
    node.args.forEach((arg, i) => addInto(grads, arg, rounded(parts[i])));
  }
  return grads;
}

function decodeInputs(inputs) {
  if (!inputs || typeof inputs !== "object") throw new GraphError("inputs must be an object of arrays");
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, decodeArray(v, `inputs.${k}`)]));
}

function backprop(graph, inputs) {
  const plan = readGraph(graph, inputs, "backprop");
  if (plan.shapes.get(plan.output).length !== 0) {
    throw new GraphError(`backprop: the output has shape [${plan.shapes.get(plan.output)}]; a scalar is needed`);
  }
  const values = forward(plan, inputs);
  const grads = backward(plan, values, tensor(plan.dtype, [], Float64Array.of(1)));
  const gradients = {};
  for (const name of plan.inputNames) {
    gradients[name] = encodeArray(grads.get(name) || tensor(plan.dtype, inputs[name].shape.slice()));
  }
  return { output: encodeArray(values.get(plan.output)), gradients };
}

function jacobian(graph, inputs, wrt) {
  const plan = readGraph(graph, inputs, "jacobian");
  if (!plan.inputNames.includes(wrt)) throw new GraphError(`jacobian: wrt=${JSON.stringify(wrt)} is not a graph input`);
  const values = forward(plan, inputs);
  const outShape = plan.shapes.get(plan.output);
  const rows = size(outShape);
  const cols = inputs[wrt].data.length;
  const J = tensor(plan.dtype, [rows, cols]);
  for (let r = 0; r < rows; r++) {
    const seed = tensor(plan.dtype, outShape.slice());
    seed.data[r] = 1;
    const g = backward(plan, values, seed).get(wrt);
    if (g) J.data.set(g.data, r * cols);
  }
  return encodeArray(J);
}

// --- the protocol ---------------------------------------------------------------------------

function call(member, args) {
  if (member in ELEMENTWISE) {
    const slope = args.negative_slope === undefined ? 0.01 : checkSlope(parseNumber(args.negative_slope));
    return encodeArray(applyElementwise(member, decodeArray(args.z, "z"), slope));
  }
  const a = (name) => decodeArray(args[name], name);
  switch (member) {
    case "linear":
      return encodeArray(linear(a("W"), a("x"), a("b")));
    case "linear_backward":
      return linearBackward(a("W"), a("x"), a("b"), a("grad_z")).map(encodeArray);
    case "backprop":
      return backprop(args.graph, decodeInputs(args.inputs));
    case "jacobian":
      return jacobian(args.graph, decodeInputs(args.inputs), args.wrt);
    default:
      throw new TypeError(`unknown member ${JSON.stringify(member)}`);
  }
}

const MEMBERS = [...Object.keys(ELEMENTWISE), "linear", "linear_backward", "backprop", "jacobian"];

function answer(request) {
  if (request.member === "hello") {
    return { protocol: 1, name: "gradspec JavaScript example", members: MEMBERS, dtypes: ["float32", "float64"] };
  }
  return call(request.member, request.args || {});
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    process.stdout.write(JSON.stringify({ id: null, error: `request is not JSON: ${error.message}` }) + "\n");
    return;
  }
  let reply;
  try {
    reply = { id: request.id, result: answer(request) };
  } catch (error) {
    reply = { id: request.id, error: { type: error.name || "Error", message: error.message } };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
