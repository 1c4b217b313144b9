"""Exercises of notebook 02 (the forward pass): one step of the vanilla RNN, and the loop over time."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import Incorrect, call, compare, exercise


def rnn_step(x_t: np.ndarray, h_prev: np.ndarray, U: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One step h_t = tanh(W h_{t-1} + U x_t + b) for a batch: x_t (batch, input), h_prev (batch, hidden) -> (batch, hidden)."""
    return np.tanh(h_prev @ W.T + x_t @ U.T + b)


def rnn_forward(x: np.ndarray, h0: np.ndarray, U: np.ndarray, W: np.ndarray, b: np.ndarray, V: np.ndarray,
                c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the RNN over x (seq_len, batch, input) from h0 (batch, hidden): outputs o_t (seq_len, batch, output), states h_t (seq_len, batch, hidden)."""
    h, outputs, hiddens = h0, [], []
    for x_t in x:
        h = rnn_step(x_t, h, U, W, b)
        hiddens.append(h)
        outputs.append(h @ V.T + c)
    return np.stack(outputs), np.stack(hiddens)


def random_rnn(rng: np.random.Generator, square: bool = False) -> dict[str, np.ndarray]:
    """Random sizes and weights of a small RNN (input size never equal to hidden size unless `square`)."""
    hidden = int(rng.integers(2, 7))
    inputs = hidden if square else int(rng.choice([n for n in range(1, 9) if n != hidden]))
    outputs = int(rng.choice([n for n in range(1, 7) if n != hidden]))
    return {"U": rng.normal(0, 0.8, (hidden, inputs)), "W": rng.normal(0, 0.8, (hidden, hidden)),
            "b": rng.normal(0, 0.5, hidden), "V": rng.normal(0, 0.8, (outputs, hidden)), "c": rng.normal(0, 0.5, outputs)}


@exercise("02.1", "rnn_step", rnn_step)
def check_rnn_step(fn, rng):
    """Compare with the reference on random batches; name the usual slips (tanh, W transposed, U and W swapped, b)."""
    for case in range(8):
        p = random_rnn(rng, square=case % 2 == 1)  # square cases: a transposed or swapped matrix still runs
        batch = int(rng.integers(1, 5))
        x_t = rng.normal(size=(batch, p["U"].shape[1]))
        h_prev = rng.normal(size=(batch, p["W"].shape[0]))
        got = call(fn, x_t.copy(), h_prev.copy(), p["U"].copy(), p["W"].copy(), p["b"].copy())
        U, W, b = p["U"], p["W"], p["b"]
        variants = {
            "tanh is missing: h_t = tanh(a_t)": h_prev @ W.T + x_t @ U.T + b,
            "W is transposed: with the batch in rows, W h_{t-1} is h_prev @ W.T": np.tanh(h_prev @ W + x_t @ U.T + b),
            "U is transposed: with the batch in rows, U x_t is x_t @ U.T":
                np.tanh(h_prev @ W.T + x_t @ U + b) if U.shape[0] == U.shape[1] else None,
            "U and W are swapped: U multiplies the input x_t, W the previous state":
                np.tanh(h_prev @ U.T + x_t @ W.T + b) if U.shape[0] == U.shape[1] else None,
            "the bias b is missing": np.tanh(h_prev @ W.T + x_t @ U.T),
            "the previous state is ignored": np.tanh(x_t @ U.T + b),
        }
        compare("h_t", got, rnn_step(x_t, h_prev, U, W, b), variants={k: v for k, v in variants.items() if v is not None},
                axes="(batch, hidden)")
    return "8 random batches"


@exercise("02.2", "the forward loop", rnn_forward)
def check_rnn_forward(fn, rng):
    """Compare outputs and states with the reference over random sequences; spot off-by-one and state-reset slips."""
    for case in range(6):
        p = random_rnn(rng, square=case % 3 == 2)
        seq_len, batch = int(rng.integers(2, 8)), int(rng.integers(1, 4))
        x = rng.normal(size=(seq_len, batch, p["U"].shape[1]))
        h0 = rng.normal(0, 0.5, size=(batch, p["W"].shape[0]))
        got = call(fn, x.copy(), h0.copy(), *(p[k].copy() for k in "UWbVc"))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Incorrect(f"rnn_forward should return two arrays (outputs, hiddens), got {type(got).__name__}"
                            + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
        outputs, hiddens = rnn_forward(x, h0, *(p[k] for k in "UWbVc"))
        states = [h0]
        for x_t in x:
            states.append(rnn_step(x_t, states[-1], p["U"], p["W"], p["b"]))
        with_h0 = np.stack(states[:-1])
        reset = np.stack([rnn_step(x_t, h0, p["U"], p["W"], p["b"]) for x_t in x])
        zeros = np.zeros_like(h0)
        from_zero = [zeros]
        for x_t in x:
            from_zero.append(rnn_step(x_t, from_zero[-1], p["U"], p["W"], p["b"]))
        state_variants = {
            "off by one in time: hiddens[t] must be h_{t+1}, the state after reading x[t] (h_0 is not stored)": with_h0,
            "the state is not carried: every step must start from the h of the step before, not from h0": reset,
            "h0 is ignored: the loop must start from the given h0, not from zeros": np.stack(from_zero[1:]),
        }
        compare("hiddens", got[1], hiddens, variants=state_variants, axes="(time, batch, hidden)")
        V, c = p["V"], p["c"]
        output_variants = {
            "off by one in time: o_t = V h_t + c uses the new state h_t, not h_{t-1}": with_h0 @ V.T + c,
            "V is transposed: with the batch in rows, V h_t is h @ V.T": hiddens @ V + c if V.shape[0] == V.shape[1] else None,
            "the bias c is missing": hiddens @ V.T,
            "there is no tanh on the output: o_t = V h_t + c is a linear read-out": np.tanh(hiddens @ V.T + c),
        }
        compare("outputs", got[0], outputs, variants={k: v for k, v in output_variants.items() if v is not None},
                axes="(time, batch, output)")
    return "6 random sequences"
