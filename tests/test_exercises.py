"""The exercise checks: the reference passes on random shapes, and plausible wrong answers are rejected with the right hint.

Every wrong solution below is written the way a student might write it (not
taken from the checks' own list of variants), and each test asserts both that
the check rejects it and that its feedback names the mistake. Bad input to a
check (not a function, a function that raises, the wrong shape, NaN, an
untouched stub) must give a message, never an exception.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from course_utils.exercises import exercises, passes, reference
from course_utils.exercises.core import NOT_DONE, is_stub
from course_utils.language_model import detach_state

torch.set_num_threads(1)  # as course_utils.setup does in a notebook; the checks' timings assume it

IDS = list(exercises())


def feedback(exercise_id, fn, capsys, seed=0):
    """Run the check quietly except for its printout; return (passed, text)."""
    passed = passes(exercise_id, fn, seed=seed, quiet=False)
    return passed, capsys.readouterr().out


def test_every_notebook_has_two_to_four_exercises():
    per_notebook = Counter(key[:2] for key in IDS)
    assert sorted(per_notebook) == [f"{n:02d}" for n in range(1, 10)]
    assert all(2 <= count <= 4 for count in per_notebook.values()), per_notebook


@pytest.mark.parametrize("exercise_id", IDS)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_the_reference_passes_on_random_cases(exercise_id, seed, capsys):
    passed, text = feedback(exercise_id, reference(exercise_id), capsys, seed)
    assert passed, text
    assert text.startswith(f"✓ {exercise_id}")


# ------------------------------------------------------------------ stubs and bad input

def stub_raise(*args):
    """A stub."""
    raise NotImplementedError


def stub_ellipsis(*args):
    """A stub."""
    ...


class StubClass(nn.Module):
    """A stub."""

    def __init__(self, *args):
        """A stub."""
        raise NotImplementedError

    def forward(self, x, lengths):
        """A stub."""
        raise NotImplementedError


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_untouched_stub_is_not_done_yet(exercise_id, capsys):
    stub = StubClass if exercise_id in ("05.2", "08.3") else stub_raise
    passed, text = feedback(exercise_id, stub, capsys)
    assert not passed and NOT_DONE in text
    if stub is stub_raise:
        assert NOT_DONE in feedback(exercise_id, stub_ellipsis, capsys)[1]


def test_is_stub_tells_stubs_from_code():
    assert is_stub(stub_raise) and is_stub(stub_ellipsis) and is_stub(StubClass)
    assert not is_stub(reference("02.1")) and not is_stub(reference("05.2"))


@pytest.mark.parametrize("bad", [3, "rnn_step", None, np.zeros(3)])
def test_not_a_function(bad, capsys):
    passed, text = feedback("02.1", bad, capsys)
    assert not passed and "needs your function itself" in text


def test_a_call_instead_of_a_class(capsys):
    passed, text = feedback("05.2", reference("05.2")(), capsys)
    assert not passed and "needs the class itself" in text


def test_unknown_exercise(capsys):
    passed, text = feedback("99.1", stub_raise, capsys)
    assert not passed and "There is no exercise '99.1'" in text and "02.1" in text


def test_a_function_that_raises_is_reported_with_its_line(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """Uses a name that does not exist."""
        return np.tanh(h_prev @ W.T + x_t @ U.T + bias)  # noqa: F821

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "raised NameError" in text and "line" in text and "Traceback" not in text


def test_a_matrix_product_of_the_wrong_shapes_gets_a_hint(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """U x_t written as in the equations, with the batch in rows."""
        return np.tanh(h_prev @ W.T + U @ x_t + b)

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "raised ValueError" in text and "hint: a matrix product with the wrong shapes" in text


def test_wrong_shape_is_named(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """Returns the first row only."""
        return np.tanh(h_prev @ W.T + x_t @ U.T + b)[0]

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "has shape" in text and "expected" in text and "(batch, hidden)" in text


def test_nan_is_named(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """NaN everywhere."""
        return np.full((len(x_t), len(b)), np.nan)

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "NaN" in text


def test_none_is_named(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """Forgets the return."""
        np.tanh(h_prev @ W.T + x_t @ U.T + b)

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "forget to `return`" in text


def test_a_torch_tensor_where_numpy_is_expected(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """Right numbers, wrong kind of array."""
        return torch.tanh(torch.from_numpy(h_prev @ W.T + x_t @ U.T + b))

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "should be a numpy array" in text


def test_float32_where_float64_is_needed(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """Computed in float32."""
        return np.tanh(h_prev @ W.T + x_t @ U.T + b).astype(np.float32)

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "float32 where float64 is needed" in text


def test_a_wrong_answer_names_the_largest_difference_and_where(capsys):
    def rnn_step(x_t, h_prev, U, W, b):
        """One entry off."""
        h = np.tanh(h_prev @ W.T + x_t @ U.T + b)
        h[0, 0] += 1.0
        return h

    passed, text = feedback("02.1", rnn_step, capsys)
    assert not passed and "largest difference 1 at index (0, 0)" in text


# ------------------------------------------------------------------ plausible wrong answers, exercise by exercise

def presence_bigrams(words, bigrams):
    pairs = set(zip(words, words[1:]))
    return np.array([int(p in pairs) for p in bigrams])


def short_bigrams(words, bigrams):
    pairs = [(words[i], words[i + 1]) for i in range(len(words) - 2)]
    return np.array([pairs.count(p) for p in bigrams])


def backward_bigrams(words, bigrams):
    counts = Counter(zip(words[1:], words[:-1]))
    return np.array([counts[p] for p in bigrams])


def next_word_counts(words, context):
    n = len(context)
    return dict(Counter(words[i + n] for i in range(len(words) - n) if tuple(words[i : i + n]) == context))


def next_word_off_by_one(words, context):
    n = len(context)
    found = Counter(words[i + n - 1] for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == context)
    return {w: c / sum(found.values()) for w, c in found.items()}


def step_no_tanh(x_t, h_prev, U, W, b):
    return h_prev @ W.T + x_t @ U.T + b


def step_W_transposed(x_t, h_prev, U, W, b):
    return np.tanh(h_prev @ W + x_t @ U.T + b)


def step_no_bias(x_t, h_prev, U, W, b):
    return np.tanh(h_prev @ W.T + x_t @ U.T)


def forward_off_by_one(x, h0, U, W, b, V, c):
    h, outputs, hiddens = h0, [], []
    for x_t in x:
        hiddens.append(h)  # stores h_{t-1}
        outputs.append(h @ V.T + c)
        h = np.tanh(h @ W.T + x_t @ U.T + b)
    return np.stack(outputs), np.stack(hiddens)


def forward_not_carried(x, h0, U, W, b, V, c):
    hiddens = np.stack([np.tanh(h0 @ W.T + x_t @ U.T + b) for x_t in x])
    return hiddens @ V.T + c, hiddens


def forward_with_h0(x, h0, U, W, b, V, c):
    hiddens = [h0]
    for x_t in x:
        hiddens.append(np.tanh(hiddens[-1] @ W.T + x_t @ U.T + b))
    hiddens = np.stack(hiddens)
    return hiddens @ V.T + c, hiddens


def forward_from_zeros(x, h0, U, W, b, V, c):
    return reference("02.2")(x, np.zeros_like(h0), U, W, b, V, c)


def make_grad_W(derivative=lambda h: 1 - h**2, back=lambda g, W: g @ W, every_step=True, previous=True):
    def bptt_grad_W(hiddens, h0, grad_h_direct, W, x):
        grad_W, from_future = np.zeros_like(W), np.zeros_like(h0)
        for t in reversed(range(len(hiddens))):
            grad_a = derivative(hiddens[t]) * (grad_h_direct[t] + from_future)
            h_prev = (hiddens[t - 1] if t > 0 else h0) if previous else hiddens[t]
            if every_step or t == len(hiddens) - 1:
                grad_W += grad_a.T @ h_prev
            from_future = back(grad_a, W)
        return grad_W

    return bptt_grad_W


def grad_W_transposed_product(hiddens, h0, grad_h_direct, W, x):
    return make_grad_W()(hiddens, h0, grad_h_direct, W, x).T


def grad_W_float32(hiddens, h0, grad_h_direct, W, x):
    return make_grad_W()(hiddens.astype(np.float32), h0.astype(np.float32), grad_h_direct.astype(np.float32),
                         W.astype(np.float32), x)


def make_relu_backward(derivative=lambda h: (h > 0).astype(float), back=lambda g, W: g @ W, every_step=True):
    def relu_rnn_backward(x, h0, hiddens, grad_h_direct, U, W):
        gU, gW, gb = np.zeros_like(U), np.zeros_like(W), np.zeros(len(W))
        from_future = np.zeros_like(h0)
        for t in reversed(range(len(x))):
            grad_a = derivative(hiddens[t]) * (grad_h_direct[t] + from_future)
            if every_step or t == len(x) - 1:
                gU += grad_a.T @ x[t]
                gW += grad_a.T @ (hiddens[t - 1] if t > 0 else h0)
                gb += grad_a.sum(0)
            from_future = back(grad_a, W)
        return gU, gW, gb

    return relu_rnn_backward


def clip_each(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}


def clip_entries(grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}


def clip_always(grads, max_norm):
    norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
    return {k: g * max_norm / norm for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    norm = np.sqrt(sum((g**2).sum() for g in grads.values()))
    for g in grads.values():
        g *= min(1.0, max_norm / norm)
    return grads


def sample_times_T(logits, temperature, generator):
    return int(torch.multinomial(torch.softmax(logits * temperature, -1), 1, generator=generator))


def sample_greedy(logits, temperature, generator):
    return int(logits.argmax())


def sample_no_generator(logits, temperature, generator):
    return int(torch.multinomial(torch.softmax(logits / temperature, -1), 1))


def sample_tensor(logits, temperature, generator):
    return torch.multinomial(torch.softmax(logits / temperature, -1), 2, generator=generator)


def make_bigram(log=torch.log2, smooth=True, axis=1, transpose=False, reduce="mean"):
    def bigram_bits_per_char(train_ids, heldout_ids, vocab_size, alpha=1.0):
        counts = torch.zeros(vocab_size, vocab_size, dtype=torch.float64)
        for a, b in zip(train_ids[:-1].tolist(), train_ids[1:].tolist()):
            counts[(b, a) if transpose else (a, b)] += 1
        if smooth:
            counts += alpha
        p = counts / counts.sum(dim=axis, keepdim=True)
        values = -log(p[heldout_ids[:-1], heldout_ids[1:]])
        return float(values.mean() if reduce == "mean" else values.sum())

    return bigram_bits_per_char


def last_padded(output, lengths):
    return output[:, -1]


def last_off_by_one(output, lengths):
    return output[torch.arange(len(lengths)), lengths]


def last_from_h_n(output, lengths):
    return output[torch.arange(len(lengths)), -1]


class OrderClassifierPaddedEnd(nn.Module):
    def __init__(self, hidden_size=16):
        super().__init__()
        self.lstm = nn.LSTM(8, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 4)

    def forward(self, x, lengths):
        output, _ = self.lstm(x)
        return self.head(output[:, -1])


class OrderClassifierNoRecurrence(nn.Module):
    def __init__(self, hidden_size=16):
        super().__init__()
        self.head = nn.Linear(8, 4)

    def forward(self, x, lengths):
        return self.head(x.mean(1))


class OrderClassifierWrongShape(OrderClassifierPaddedEnd):
    def forward(self, x, lengths):
        output, _ = self.lstm(x)
        return self.head(output)  # every step


def make_stateful(detach=True, carry=True, zero_grad=True):
    def stateful_pass(model, chunks, optimizer):
        state, losses = None, []
        for x, y in chunks:
            logits, state = model(x, state if carry else None)
            loss = F.binary_cross_entropy_with_logits(logits, y)
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if detach:
                state = detach_state(state)
            losses.append(loss.item())
        return losses

    return stateful_pass


def stateful_detach_tuple_wrongly(model, chunks, optimizer):
    state, losses = None, []
    for x, y in chunks:
        logits, state = model(x, state)
        loss = F.binary_cross_entropy_with_logits(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = state.detach()  # fails for an LSTM's (h, c)
        losses.append(loss.item())
    return losses


def batchify_interleaved(stream, batch_size):
    steps = len(stream) // batch_size
    return stream[: steps * batch_size].reshape(steps, batch_size).T


def batchify_transposed(stream, batch_size):
    steps = len(stream) // batch_size
    return stream[: steps * batch_size].reshape(batch_size, steps).T


def batchify_keeps_remainder(stream, batch_size):
    return stream.reshape(batch_size, -1)


def coupled_i_equals_f(x_t, h, c, U, W, b):
    a_f, a_g, a_o = (x_t @ U.T + h @ W.T + b).chunk(3, dim=1)
    f, g, o = torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c + f * g
    return o * torch.tanh(c), c


def coupled_no_tanh_on_c(x_t, h, c, U, W, b):
    a_f, a_g, a_o = (x_t @ U.T + h @ W.T + b).chunk(3, dim=1)
    f, g, o = torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c + (1 - f) * g
    return o * c, c


def coupled_gate_order(x_t, h, c, U, W, b):
    a_g, a_f, a_o = (x_t @ U.T + h @ W.T + b).chunk(3, dim=1)
    f, g, o = torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c + (1 - f) * g
    return o * torch.tanh(c), c


def coupled_float32(x_t, h, c, U, W, b):
    h, c = reference("07.1")(x_t.float(), h.float(), c.float(), U.float(), W.float(), b.float())
    return h, c


def make_gru(swap_z=False, reset_before=False, order=("r", "z", "n")):
    def gru_step(x_t, h, gru):
        a = dict(zip(order, (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)))
        w = dict(zip(order, (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)))
        r, z = torch.sigmoid(a["r"] + w["r"]), torch.sigmoid(a["z"] + w["z"])
        if reset_before:
            W_n, b_n = gru.weight_hh_l0.chunk(3)[2], gru.bias_hh_l0.chunk(3)[2]
            n = torch.tanh(a["n"] + (r * h) @ W_n.T + b_n)
        else:
            n = torch.tanh(a["n"] + r * w["n"])
        return z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h

    return gru_step


def summary_last_column(output, lengths):
    return output[:, -1]


def summary_forward_padded(output, lengths):
    forward, backward = output.chunk(2, -1)
    return torch.cat([forward[:, -1], backward[:, 0]], -1)


def summary_backward_at_end(output, lengths):
    forward, backward = output.chunk(2, -1)
    index = torch.arange(len(lengths))
    return torch.cat([forward[index, lengths - 1], backward[index, lengths - 1]], -1)


def pool_with_padding(states, lengths):
    return states.mean(dim=1)


def pool_padded_length(states, lengths):
    real = torch.arange(states.shape[1]) < lengths[:, None]
    return (states * real[:, :, None]).sum(1) / states.shape[1]


def pool_wrong_axis(states, lengths):
    return states.mean(dim=2)


class SpamLastPadded(nn.Module):
    def __init__(self, vocab_size, embedding_dim=16, hidden_size=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = nn.GRU(embedding_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 2)

    def forward(self, x, lengths):
        _, h_n = self.rnn(self.embedding(x))  # the padding reaches h_n
        return self.head(h_n[-1])


class SpamNoEmbedding(nn.Module):
    def __init__(self, vocab_size, embedding_dim=16, hidden_size=16):
        super().__init__()
        self.rnn = nn.GRU(1, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 2)

    def forward(self, x, lengths):
        return self.head(self.rnn(x[..., None].float())[1][-1])



# 09: the masked loss by hand, the weight on the written digit
def _log_p(scores, target):
    return scores.log_softmax(dim=-1).gather(2, target[:, :, None])[:, :, 0]


def _real(target, lengths):
    return (torch.arange(target.shape[1]) < lengths[:, None]).float()


def loss_with_padding(scores, target, lengths):
    return -_log_p(scores, target).mean()


def loss_mean_of_means(scores, target, lengths):
    real = _real(target, lengths)
    return (-(_log_p(scores, target) * real).sum(1) / real.sum(1)).mean()


def loss_divided_by_all(scores, target, lengths):
    return -(_log_p(scores, target) * _real(target, lengths)).sum() / target.numel()


def loss_sum(scores, target, lengths):
    return -(_log_p(scores, target) * _real(target, lengths)).sum()


def loss_wrong_axis(scores, target, lengths):
    real = _real(target, lengths)
    return -(scores.log_softmax(dim=1).gather(2, target[:, :, None])[:, :, 0] * real).sum() / real.sum()


def loss_no_minus(scores, target, lengths):
    real = _real(target, lengths)
    return (_log_p(scores, target) * real).sum() / real.sum()


def loss_per_row(scores, target, lengths):
    real = _real(target, lengths)
    return -(_log_p(scores, target) * real).sum(1) / real.sum(1)


def loss_nan(scores, target, lengths):
    return torch.tensor(float("nan"))


def weight_next_step(alpha, source, written):
    return [float(alpha[t + 1][source == d].sum()) for t, d in enumerate(written)]


def weight_max(alpha, source, written):
    return [float(alpha[t][source == d].max()) for t, d in enumerate(written)]


def weight_every_step(alpha, source, written):
    return [float(alpha[: len(written)][:, source == d].sum()) for d in written]


def weight_diagonal(alpha, source, written):
    return [float(alpha[t, t]) for t in range(len(written))]


def weight_one_short(alpha, source, written):
    return [float(alpha[t][source == d].sum()) for t, d in enumerate(written[:-1])]


def weight_as_tensor_right(alpha, source, written):
    return torch.stack([alpha[t][source == d].sum() for t, d in enumerate(written)])


WRONG = {
    "01.1": [(presence_bigrams, "presence"), (short_bigrams, "last pair of words is missing"),
             (backward_bigrams, "read backwards")],
    "01.2": [(next_word_counts, "counts, not probabilities"), (next_word_off_by_one, "off by one")],
    "02.1": [(step_no_tanh, "tanh is missing"), (step_W_transposed, "W is transposed"),
             (step_no_bias, "bias b is missing")],
    "02.2": [(forward_off_by_one, "off by one in time"), (forward_not_carried, "state is not carried"),
             (forward_with_h0, "off-by-one"), (forward_from_zeros, "h0 is ignored")],
    "03.1": [(make_grad_W(derivative=lambda h: np.ones_like(h)), "local derivative is missing"),
             (make_grad_W(back=lambda g, W: g @ W.T), "W is transposed"),
             (make_grad_W(every_step=False), "sum over time is forgotten"),
             (make_grad_W(previous=False), "off by one in time"),
             (make_grad_W(back=lambda g, W: 0 * g), "path back in time is missing"),
             (make_grad_W(derivative=lambda h: 1 - np.tanh(h) ** 2), "1 - h_t**2"),
             (grad_W_transposed_product, "transposed"),
             (grad_W_float32, "float32 where float64 is needed")],
    "03.2": [(make_relu_backward(derivative=lambda h: 1 - h**2), "tanh'"),
             (make_relu_backward(back=lambda g, W: g @ W.T), "W is transposed"),
             (make_relu_backward(every_step=False), "sum over time is forgotten"),
             (make_relu_backward(derivative=lambda h: np.ones_like(h)), "local derivative is missing")],
    "03.3": [(clip_each, "clipped by its own norm"), (clip_entries, "clips every entry"),
             (clip_always, "even when their norm is below"), (clip_in_place, "in place")],
    "04.1": [(sample_times_T, "multiplied by T"), (sample_greedy, "greedy"),
             (sample_no_generator, "generator is not used"), (sample_tensor, "one index")],
    "04.2": [(make_bigram(log=torch.log), "nats"), (make_bigram(smooth=False), "smoothing"),
             (make_bigram(axis=0), "wrong axis"), (make_bigram(transpose=True), "predicts the previous"),
             (make_bigram(reduce="sum"), "not a mean")],
    "05.1": [(last_padded, "last *padded* step"), (last_off_by_one, "off by one"),
             (last_from_h_n, "last *padded* step")],
    "05.2": [(OrderClassifierPaddedEnd, "padding reaches"), (OrderClassifierNoRecurrence, "no recurrent layer"),
             (OrderClassifierWrongShape, "shape")],
    "06.1": [(make_stateful(detach=False), "detach"), (make_stateful(carry=False), "state is not carried"),
             (make_stateful(zero_grad=False), "zero_grad"), (stateful_detach_tuple_wrongly, "detach h and c")],
    "06.2": [(batchify_interleaved, "rows interleave"), (batchify_transposed, "axes are in another order|rows interleave"),
             (batchify_keeps_remainder, "raised ValueError")],
    "07.1": [(coupled_i_equals_f, "input gate is 1 - f"), (coupled_no_tanh_on_c, "tanh of the cell is missing"),
             (coupled_gate_order, "another order"), (coupled_float32, "float32 where float64 is needed")],
    "07.2": [(make_gru(swap_z=True), "z and 1 - z are swapped"), (make_gru(reset_before=True), "after the product"),
             (make_gru(order=("z", "r", "n")), "another order")],
    "08.1": [(summary_last_column, "output[:, -1]"), (summary_forward_padded, "last real step"),
             (summary_backward_at_end, "backward direction ends at t = 0")],
    "08.2": [(pool_with_padding, "padding is averaged in"), (pool_padded_length, "padded length"),
             (pool_wrong_axis, "has shape")],
    "08.3": [(SpamLastPadded, "padding reaches the state"), (SpamNoEmbedding, "no nn.Embedding")],
    "09.1": [(loss_with_padding, "the padding is counted"), (loss_mean_of_means, "short sequences more weight"),
             (loss_divided_by_all, "divided by every position"), (loss_sum, "a sum, not a mean"),
             (loss_wrong_axis, "wrong axis"), (loss_no_minus, "sign is flipped"), (loss_per_row, "an axis too many"),
             (loss_nan, "NaN")],
    "09.2": [(weight_next_step, "not alpha[t + 1]"), (weight_max, "not the largest weight"),
             (weight_every_step, "not over every step"), (weight_diagonal, "not of the position t"),
             (weight_one_short, "off-by-one")],
}
CASES = [(key, wrong, hint) for key, items in WRONG.items() for wrong, hint in items]


def test_every_exercise_has_wrong_answers():
    assert sorted(WRONG) == sorted(IDS)


@pytest.mark.parametrize("exercise_id, wrong, hint", CASES,
                         ids=[f"{key}-{getattr(wrong, '__name__', 'fn')}-{hint[:20]}" for key, wrong, hint in CASES])
def test_a_wrong_answer_is_rejected_with_its_hint(exercise_id, wrong, hint, capsys):
    for seed in (0, 1, 2):
        passed, text = feedback(exercise_id, wrong, capsys, seed)
        assert not passed, f"seed {seed}: the check accepted a wrong answer:\n{text}"
        assert text.startswith(f"✗ {exercise_id}") and "Traceback" not in text, text
        assert any(h in text for h in hint.split("|")), f"seed {seed}: expected the hint {hint!r} in:\n{text}"


def test_a_check_leaves_the_global_generators_as_it_found_them():
    torch.manual_seed(123)
    np.random.seed(123)
    expected_torch, expected_numpy = torch.rand(3), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    for key in ("05.2", "07.2", "08.3"):  # their checks build torch layers from the global generator
        assert passes(key, reference(key), seed=0)
    assert torch.equal(torch.rand(3), expected_torch) and np.array_equal(np.random.rand(3), expected_numpy)


def masked_loss_that_draws_from_python_random(scores, target, lengths):
    """The right masked loss, from a student who also drew a number from Python's own generator on the way."""
    random.random()
    return reference("09.1")(scores, target, lengths)


def test_a_check_leaves_pythons_generator_as_it_found_it():
    random.seed(7)
    expected = random.random()
    random.seed(7)
    assert passes("09.1", masked_loss_that_draws_from_python_random, seed=0)
    assert random.random() == expected


def test_09_2_accepts_a_tensor_of_the_right_weights(capsys):
    passed, text = feedback("09.2", weight_as_tensor_right, capsys)
    assert passed, text
