"""The out-of-process adapter: handshake, every member through the pipe, and clear errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradspec import reference
from gradspec.conformance import load_adapter, run_suite
from gradspec.conformance._adapter import AdapterCallError, AdapterLoadError
from gradspec.conformance._pipe import (
    PipeAdapter,
    ProgramCrashed,
    ProgramGarbage,
    ProgramTimedOut,
    RemoteError,
)
from gradspec.conformance._wire import decode_array, encode_array

from ._programs import BEHAVIOURS, program

SERVE = f"{sys.executable} -m gradspec.conformance._pipe_serve"


@pytest.fixture(scope="module")
def served():
    adapter = load_adapter(f"cmd:{SERVE} reference")
    yield adapter
    adapter.obj.close()


@given(
    hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=32),
    )
)
def test_arrays_round_trip_exactly(a):
    back = decode_array(encode_array(a))
    assert back.dtype == a.dtype and back.shape == a.shape
    assert np.array_equal(back, a, equal_nan=True)
    # The sign of zero survives; a NaN's sign and payload are not part of the encoding.
    assert np.array_equal(np.signbit(back) | np.isnan(a), np.signbit(a) | np.isnan(a))


def test_handshake_lists_the_programs_members(served):
    assert set(served.obj.members) >= {"sigmoid", "linear_backward"}
    assert served.name == reference.name
    assert not served.has("no_such_member")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_members_answer_what_the_adapter_computes(served, dtype):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(2, 3)).astype(dtype)
    assert np.array_equal(served.call("swish_derivative", z), reference.swish_derivative(z))
    slope = served.call("leaky_relu", z, negative_slope=0.3)
    assert np.array_equal(slope, reference.leaky_relu(z, negative_slope=0.3))
    W, x, b = (rng.normal(size=s).astype(dtype) for s in ((3, 4), (2, 4), (3,)))
    g = rng.normal(size=(2, 3)).astype(dtype)
    for got, want in zip(
        served.call("linear_backward", W, x, b, g),
        reference.linear_backward(W, x, b, g),
        strict=True,
    ):
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_a_member_error_is_the_members_exception(tmp_path):
    with PipeAdapter(program(tmp_path, "error"), timeout=10) as adapter:
        with pytest.raises(RemoteError, match="ValueError: no thanks"):
            adapter.sigmoid(np.zeros(2))


def test_a_crash_reports_exit_status_and_stderr_then_restarts(tmp_path):
    with PipeAdapter(program(tmp_path, "crash"), timeout=10) as adapter:
        with pytest.raises(ProgramCrashed, match=r"status 3(.|\n)*boom: segfault"):
            adapter.sigmoid(np.zeros(2))
        with pytest.raises(ProgramCrashed):
            adapter.relu(np.zeros(2))
        assert adapter.restarts == 1


def test_a_hang_times_out(tmp_path):
    with PipeAdapter(program(tmp_path, "hang"), timeout=0.5) as adapter:
        with pytest.raises(ProgramTimedOut, match=r"within 0.5 s"):
            adapter.sigmoid(np.zeros(2))


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("garbage", "not JSON"),
        ("wrong-id", "id 999"),
        ("wrong-count", r"shape \[3\] has 3 elements, but 'data' holds 1"),
    ],
)
def test_garbage_is_named(tmp_path, behaviour, message):
    with PipeAdapter(program(tmp_path, behaviour), timeout=10) as adapter:
        with pytest.raises(ProgramGarbage, match=message):
            adapter.sigmoid(np.zeros(2))


def test_through_load_adapter_a_broken_program_fails_the_call_not_the_run(tmp_path):
    loaded = load_adapter(f"cmd:{program(tmp_path, 'garbage')}")
    try:
        assert loaded.has("relu") and not loaded.has("tanh")
        with pytest.raises(AdapterCallError, match="not JSON"):
            loaded.call("relu", np.zeros(2))
    finally:
        loaded.obj.close()


def test_a_missing_program_is_a_load_error():
    with pytest.raises(AdapterLoadError, match=r"no-such-program-xyz.*installed"):
        load_adapter('cmd:"no-such-program-xyz --flag"')


def _backprop_program(folder, reply: str) -> str:
    """A program offering only backprop, answering every call with ``reply`` code."""
    path = folder / "backprop_only.py"
    hello = {"id": 0, "result": {"protocol": 1, "name": "bp", "members": ["backprop"]}}
    path.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    request = json.loads(line)\n"
        "    if request['member'] == 'hello':\n"
        f"        print(json.dumps({hello!r}), flush=True)\n"
        "        continue\n"
        f"    {reply}\n",
        encoding="utf-8",
    )
    return f"cmd:{sys.executable} {path}"


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (BEHAVIOURS["error"], "pass"),  # an error reply is a rejection
        (BEHAVIOURS["crash"], "fail"),  # a crash is not
    ],
    ids=["error-reply", "crash"],
)
def test_only_an_error_reply_counts_as_rejecting_a_bad_graph(tmp_path, reply, outcome):

    adapter = load_adapter(_backprop_program(tmp_path, reply))
    report = run_suite(adapter, profile="quick", select="BP-REJECT-CYCLE")
    assert {r.outcome.value for r in report.results} == {outcome}


EXITS_EVERY_5 = """
import json, os, sys
from gradspec.conformance._pipe_serve import _answer
from gradspec.conformance._adapter import load_adapter

adapter = load_adapter("reference")
calls = int(os.environ.get("CALLS_SO_FAR", "0"))
state = os.path.join(os.path.dirname(__file__), "calls")
for line in sys.stdin:
    request = json.loads(line)
    if request["member"] != "hello":
        done = int(open(state).read()) if os.path.exists(state) else 0
        open(state, "w").write(str(done + 1))
        if (done + 1) % 5 == 0:
            sys.stderr.write("tired after 5 calls\\n")
            sys.exit(7)
    print(json.dumps(_answer(adapter, request)), flush=True)
"""


def test_a_program_that_exits_every_5_calls_is_reported_as_its_own_error(tmp_path):
    path = tmp_path / "tired.py"
    path.write_text(EXITS_EVERY_5, encoding="utf-8")
    adapter = load_adapter(f"cmd:{sys.executable} {path}")
    try:
        report = run_suite(adapter, profile="quick", select="ACT-SIGMOID-VALUE,ACT-TANH-VALUE")
    finally:
        adapter.obj.close()
    failures = [r.failure.summary for r in report.results if r.failure is not None]
    assert failures, "a program that dies every 5 calls must fail something"
    for summary in failures:
        assert "exited with status 7" in summary and "tired after 5 calls" in summary
        assert "Flaky" not in summary and "bug in gradspec" not in summary


@pytest.mark.parametrize(
    "reply",
    [
        '{"id": 1, "result": {"dtype": "float64", "shape": [1], "data": [1' + "0" * 400 + "]}}",
        '{"id": 1, "result": ' + "[" * 100000 + "]" * 100000 + "}",
    ],
    ids=["400-digit-integer", "deeply-nested"],
)
def test_a_reply_python_cannot_read_is_garbage_not_a_rejection(tmp_path, reply):
    path = tmp_path / "odd.py"
    path.write_text(
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    request = json.loads(line)\n"
        "    if request['member'] == 'hello':\n"
        f"        print({HELLO_BACKPROP!r}, flush=True)\n"
        "        continue\n"
        f"    print({reply!r}.replace('\"id\": 1', '\"id\": ' + str(request['id'])), "
        "flush=True)\n",
        encoding="utf-8",
    )
    adapter = load_adapter(f"cmd:{sys.executable} {path}")
    try:
        with pytest.raises(AdapterCallError) as caught:
            adapter.call("sigmoid", np.zeros(1))
    finally:
        adapter.obj.close()
    # A PipeError is never read as the member rejecting its input.
    assert isinstance(caught.value.original, ProgramGarbage), caught.value


HELLO_BACKPROP = '{"id": 0, "result": {"protocol": 1, "name": "odd", "members": ["sigmoid"]}}'
