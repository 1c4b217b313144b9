"""course_utils.training: fit, measure, evaluate, the step functions (fast: tiny models, easy tasks)."""

import pytest
import torch
from torch import nn

from course_utils.models import SequenceClassifier, SequenceTagger
from course_utils.tasks import EchoData, TemporalOrder
from course_utils.training import (
    Evaluation,
    History,
    binary_tagging_step,
    classification_step,
    evaluate,
    fit,
    measure,
    plot_histories,
    train_on_batch,
)


@pytest.fixture
def easy():
    task = TemporalOrder("easy", batch_size=32, n_batches=20, seed=0)
    return task, task.test_set(256, batch_size=128)


def trained_lstm(task, test, epochs=6):
    model = SequenceClassifier(8, 12, 4, cell="lstm", seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    history = fit(model, task, optimizer, epochs=epochs, eval_data=test, print_every=0)
    return model, history


def test_fit_learns_easy_and_records_every_epoch(easy, capsys):
    task, test = easy
    model, history = trained_lstm(task, test)
    assert capsys.readouterr().out == ""
    assert history.epoch == list(range(1, 7))
    assert history.examples_seen == [640 * e for e in range(1, 7)]
    assert len(history.train_loss) == len(history.eval_accuracy) == 6
    assert history.eval_accuracy[-1] > 0.95
    assert history.train_loss[-1] < history.train_loss[0]


def test_fit_prints_one_deterministic_line_per_epoch(easy, capsys):
    task, test = easy
    trained_lstm(task, test, epochs=2)
    first = capsys.readouterr().out
    assert first == ""
    model = SequenceClassifier(8, 4, 4, cell="rnn", seed=0)
    fit(model, task, torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, eval_data=test, name="rnn")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("rnn  epoch 1/2  seen     640  train loss ")
    assert "held-out loss" in lines[0] and lines[1].startswith("rnn  epoch 2/2")
    model = SequenceClassifier(8, 4, 4, cell="rnn", seed=0)
    fit(model, task, torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, eval_data=test, name="rnn")
    assert capsys.readouterr().out.splitlines() == lines
    fit(model, task, torch.optim.SGD(model.parameters(), lr=0.1), epochs=4, print_every=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["2/4", "4/4"] and "held-out" not in lines[0]


def test_fit_can_report_within_an_epoch(easy, capsys):
    task, test = easy  # 20 batches of 32 per epoch
    model = SequenceClassifier(8, 4, 4, cell="rnn", seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, task, optimizer, epochs=2, eval_data=test, report_every=8, print_every=2)
    # reports after batches 8, 16, 20 (end of epoch 1), 24, 32, 40 (end of epoch 2)
    assert history.examples_seen == [256, 512, 640, 768, 1024, 1280]
    assert history.epoch == [1, 1, 1, 2, 2, 2]
    assert len(history.eval_accuracy) == 6
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[3] for line in lines] == ["512", "768", "1,280"]
    fit(model, task, optimizer, report_every=10)  # one epoch: the lines say how much was seen, not the epoch
    assert [line.split()[:2] for line in capsys.readouterr().out.splitlines()] == [["seen", "320"], ["seen", "640"]]
    with pytest.raises(ValueError, match="report_every must be a positive integer"):
        fit(model, task, optimizer, report_every=0)


def test_evaluate_uses_only_its_arguments(easy):
    task, test = easy
    model, _ = trained_lstm(task, test)
    other = TemporalOrder("normal", batch_size=64, n_batches=1, seed=9).test_set(128)
    on_test, on_other = evaluate(model, test), evaluate(model, other)
    assert on_test.n_total == 256 and on_other.n_total == 128
    assert on_test.confusion.sum() == 256 and on_other.confusion.sum() == 128
    assert on_test.accuracy == pytest.approx(measure(model, test)[1])
    assert on_other.accuracy == pytest.approx(measure(model, other)[1])


def test_evaluate_returns_the_confusion_matrix_and_decoded_mistakes(easy):
    task, test = easy
    model = SequenceClassifier(8, 4, 4, cell="rnn", seed=0)  # untrained: many mistakes
    result = evaluate(model, test, max_examples=5)
    assert isinstance(result, Evaluation)
    assert result.confusion.shape == (4, 4) and result.confusion.dtype == torch.int64
    assert result.confusion.sum(dim=1).tolist() == torch.bincount(torch.cat([y for *_, y in test]), minlength=4).tolist()
    assert result.accuracy == pytest.approx(result.confusion.trace().item() / 256)
    assert result.n_wrong == 256 - result.confusion.trace().item()
    assert len(result.misclassified) == min(5, result.n_wrong)
    for example in result.misclassified:
        assert example.sequence[0] == "B" and example.sequence[-1] == "E"
        assert test.label_of(example.sequence) == example.true != example.predicted
        assert 0.25 <= example.probability <= 1.0
    assert evaluate(model, test, max_examples=0).misclassified == []


def test_a_stateful_step_gets_the_carried_state_reset_at_each_epoch_and_evaluation():
    """fit hands each batch the state the previous one returned, starting every epoch and every evaluation from None."""
    seen_states = []

    def recording_step(model, batch, state):
        seen_states.append(state)
        return binary_tagging_step(model, batch, state)

    data = EchoData(echo_step=2, chunk_length=10, batch_size=4, stream_length=30, seed=0)
    model = SequenceTagger(1, 3, 1, cell="rnn", seed=0)
    history = fit(model, data, torch.optim.Adam(model.parameters()), epochs=2, eval_data=data.test_set(),
                  step=recording_step, print_every=0)
    assert history.examples_seen == [120, 240]
    # per epoch: None then the carried state twice, for training and for evaluation alike
    assert [s is None for s in seen_states] == [True, False, False] * 4
    assert all(s is None or not s.requires_grad for s in seen_states)


def test_binary_tagging_step_is_bce_with_logits_and_counts_probabilities_above_one_half():
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 2, (3, 6, 1), generator=generator).float()
    y = torch.randint(0, 2, (3, 6, 1), generator=generator).float()
    for cell in ("rnn", "lstm"):
        model = SequenceTagger(1, 4, 1, cell=cell, seed=1)
        result = binary_tagging_step(model, (x, y))
        logits, state = model(x)
        torch.testing.assert_close(result.loss, nn.BCEWithLogitsLoss()(logits, y))
        assert result.count == 18 and result.correct == int(((torch.sigmoid(logits) > 0.5) == (y == 1)).sum())
        carried = result.state if cell == "lstm" else (result.state,)
        expected = state if cell == "lstm" else (state,)
        assert all(not s.requires_grad for s in carried)
        assert all(torch.equal(s, e) for s, e in zip(carried, expected))
        again = binary_tagging_step(model, (x, y), result.state)  # starts from the carried state
        torch.testing.assert_close(again.loss, nn.BCEWithLogitsLoss()(model(x, result.state)[0], y))


def test_a_stateful_tagger_learns_a_short_echo():
    data = EchoData(echo_step=2, chunk_length=10, batch_size=16, stream_length=200, seed=0)
    model = SequenceTagger(1, 8, 1, cell="rnn", seed=0)
    fit(model, data, torch.optim.Adam(model.parameters(), lr=0.02), epochs=8, step=binary_tagging_step, print_every=0)
    _, accuracy = measure(model, data.test_set(), step=binary_tagging_step)
    assert accuracy > 0.99


def test_binary_tagging_step_rejects_bad_batches():
    model = SequenceTagger(1, 3, 1, seed=0)
    with pytest.raises(ValueError, match=r"batch must be a tuple \(x, y\)"):
        binary_tagging_step(model, (torch.zeros(2, 5, 1),))
    with pytest.raises(ValueError, match="logits of the shape of y"):
        binary_tagging_step(model, (torch.zeros(2, 5, 1), torch.zeros(2, 5)))


def test_train_on_batch_does_one_update(easy):
    task, _ = easy
    model = SequenceClassifier(8, 4, 4, cell="gru", seed=0)
    before = [p.clone() for p in model.parameters()]
    result = train_on_batch(model, task[0], torch.optim.SGD(model.parameters(), lr=0.5), clip_grad_norm=1.0)
    assert result.count == 32 and 0 <= result.correct <= 32 and not result.loss.requires_grad
    assert any(not torch.equal(p, q) for p, q in zip(before, model.parameters()))


def test_bad_arguments_are_rejected(easy):
    task, test = easy
    model = SequenceClassifier(8, 4, 4, seed=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(model, task, optimizer, epochs=0)
    with pytest.raises(ValueError, match="print_every"):
        fit(model, task, optimizer, epochs=1, print_every=-1)
    with pytest.raises(TypeError, match="model must be"):
        fit("model", task, optimizer, epochs=1)
    with pytest.raises(TypeError, match="train_batches must be an iterable"):
        fit(model, 3, optimizer, epochs=1)
    with pytest.raises(ValueError, match="train_batches must hold at least one batch"):
        fit(model, [], optimizer, epochs=1)
    with pytest.raises(TypeError, match="optimizer must be"):
        train_on_batch(model, task[0], "adam")
    with pytest.raises(ValueError, match="clip_grad_norm"):
        train_on_batch(model, task[0], optimizer, clip_grad_norm=0)
    with pytest.raises(ValueError, match="batch must be a tuple"):
        classification_step(model, task[0][:2])
    with pytest.raises(ValueError, match="data must hold at least one batch"):
        measure(model, [])
    with pytest.raises(TypeError, match="data must provide .classes"):
        evaluate(model, list(test))
    with pytest.raises(ValueError, match="max_examples"):
        evaluate(model, test, max_examples=-1)
    with pytest.raises(TypeError, match="step must return a StepResult with a tensor loss, got float"):
        measure(model, test, step=lambda model, batch, state: 0.5)


def test_plot_histories_draws_train_and_held_out_curves(easy):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = History(epoch=[1, 2], examples_seen=[10, 20], train_loss=[1.0, 0.5], train_accuracy=[0.3, 0.6],
                      eval_loss=[1.1, 0.6], eval_accuracy=[0.25, 0.5])
    ax = plot_histories({"a": history, "b": history}, metric="loss", x="examples_seen")
    assert len(ax.lines) == 4 and ax.get_xlabel() == "training examples seen"
    with pytest.raises(ValueError, match="metric"):
        plot_histories({"a": history}, metric="f1")
    with pytest.raises(ValueError, match="histories"):
        plot_histories({})
    plt.close("all")
