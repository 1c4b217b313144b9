"""course_utils.tasks: the temporal-order task of Hochreiter & Schmidhuber (1997), experiment 6a, and the signal echo."""

import numpy as np
import pytest
import torch

from course_utils.tasks import DIFFICULTIES, Difficulty, EchoData, TemporalOrder


@pytest.fixture(scope="module")
def hard():
    return TemporalOrder("hard", batch_size=64, n_batches=3, seed=0)


def test_the_difficulty_table_has_the_papers_setting_and_the_named_levels():
    assert list(DIFFICULTIES) == ["easy", "normal", "moderate", "hard", "nightmare"]
    assert DIFFICULTIES["hard"] == Difficulty(length=(100, 110), t1=(10, 20), t2=(50, 60))
    assert DIFFICULTIES["easy"].length == (7, 8)
    assert DIFFICULTIES["nightmare"].length == (300, 500)
    lengths = [d.length[0] for d in DIFFICULTIES.values()]
    assert lengths == sorted(lengths)


def test_batches_have_the_documented_shapes_and_dtypes(hard):
    x, lengths, y = hard[0]
    assert x.dtype == torch.float32 and lengths.dtype == torch.int64 and y.dtype == torch.int64
    assert x.shape == (64, int(lengths.max()), 8)
    assert lengths.shape == (64,) and y.shape == (64,)
    assert len(hard) == 3 and hard.n_sequences == 192


@pytest.mark.parametrize("name", list(DIFFICULTIES))
def test_every_sequence_follows_the_rules_of_its_level(name):
    task = TemporalOrder(name, batch_size=200, n_batches=1, seed=3)
    level = DIFFICULTIES[name]
    x, lengths, y = task[0]
    # one-hot inside each sequence, all-zero padding after it
    steps = torch.arange(x.shape[1])[None, :] < lengths[:, None]
    assert torch.equal(x.sum(-1), steps.float())
    for sequence, label in zip(task.decode(x, lengths), y.tolist()):
        assert level.length[0] <= len(sequence) <= level.length[1]
        assert sequence[0] == "B" and sequence[-1] == "E"
        marks = [i for i, c in enumerate(sequence) if c in "XY"]
        assert len(marks) == 2
        assert level.t1[0] <= marks[0] <= level.t1[1] and level.t2[0] <= marks[1] <= level.t2[1]
        assert set(sequence[1:-1]) - set("XY") <= set("abcd")
        assert task.classes[label] == {"XX": "Q", "XY": "R", "YX": "S", "YY": "U"}[sequence[marks[0]] + sequence[marks[1]]]
        assert task.label_of(sequence) == task.classes[label]


def test_classes_are_balanced_and_all_positions_are_used():
    task = TemporalOrder("hard", batch_size=500, n_batches=8, seed=1)
    labels = torch.cat([y for _, _, y in task])
    counts = torch.bincount(labels, minlength=4)
    assert counts.sum() == 4000 and (counts > 900).all()
    x, lengths, _ = task[0]
    first_marks = {next(i for i, c in enumerate(s) if c in "XY") for s in task.decode(x, lengths)}
    assert first_marks == set(range(10, 21))


def test_same_seed_same_batches_other_seed_other_batches():
    a, b = TemporalOrder("normal", 16, 4, seed=5), TemporalOrder("normal", 16, 4, seed=5)
    for (xa, la, ya), (xb, lb, yb) in zip(a, b):
        assert torch.equal(xa, xb) and torch.equal(la, lb) and torch.equal(ya, yb)
    c = TemporalOrder("normal", 16, 4, seed=6)
    assert not torch.equal(a[0][0][:, :30], c[0][0][:, :30])


def test_batch_i_does_not_depend_on_how_many_batches_are_asked_for():
    short, long = TemporalOrder("moderate", 8, 2, seed=0), TemporalOrder("moderate", 8, 50, seed=0)
    assert torch.equal(short[1][0], long[1][0])
    assert torch.equal(short[-1][0], short[1][0])


def test_the_test_set_comes_from_another_stream_and_is_reproducible():
    task = TemporalOrder("easy", batch_size=32, n_batches=4, seed=0)
    test = task.test_set(96)
    assert test.is_test_set and not task.is_test_set
    assert test.n_sequences == 96 and len(test) == 3
    assert not torch.equal(task[0][0], test[0][0])
    again = TemporalOrder("easy", batch_size=32, n_batches=999, seed=0).test_set(96)
    assert all(torch.equal(p[0], q[0]) for p, q in zip(test, again))


def test_the_test_set_can_end_with_a_partial_batch():
    test = TemporalOrder("hard", batch_size=8, n_batches=1, seed=0).test_set(2560, batch_size=1000)
    assert [len(y) for _, _, y in test] == [1000, 1000, 560]


def test_the_generator_is_owned_not_global():
    np.random.seed(123)
    torch.manual_seed(123)
    before = (np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    task = TemporalOrder("hard", 4, 2, seed=np.random.default_rng(7))
    list(task)
    list(task.test_set(8))
    assert np.array_equal(np.random.get_state()[1], before[0])
    assert torch.equal(torch.get_rng_state(), before[1])
    assert torch.equal(task[0][0], TemporalOrder("hard", 4, 2, seed=np.random.default_rng(7))[0][0])


def test_decode_and_encode_are_inverse():
    task = TemporalOrder("easy", seed=0)
    strings = ["BbXcYdE", "BaYabXccE", "BXdYE"]
    x, lengths = task.encode(strings)
    assert x.shape == (3, 9, 8) and lengths.tolist() == [7, 9, 5]
    assert task.decode(x, lengths) == strings
    assert [task.label_of(s) for s in strings] == ["R", "S", "R"]


def test_encode_decode_round_trip_on_random_strings():
    task = TemporalOrder("easy", seed=0)
    rng = np.random.default_rng(0)
    for _ in range(50):
        strings = ["".join(rng.choice(list(task.symbols), size=rng.integers(1, 13))) for _ in range(rng.integers(1, 6))]
        assert task.decode(*task.encode(strings)) == strings


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length": (110, 100), "t1": (10, 20), "t2": (50, 60)}, "length range is inverted"),
        ({"length": (100, 110), "t1": (20, 10), "t2": (50, 60)}, "t1 range is inverted"),
        ({"length": (100, 110), "t1": (10, 50), "t2": (50, 60)}, "overlap"),
        ({"length": (100, 110), "t1": (10, 20), "t2": (50, 99)}, "beyond the shortest length"),
        ({"length": (100, 110), "t1": (0, 20), "t2": (50, 60)}, "t1 must start at position 1"),
        ({"length": (100, 110.0), "t1": (10, 20), "t2": (50, 60)}, "length must be a pair of integers"),
        ({"length": [100, 110], "t1": (10, 20), "t2": (50, 60)}, "length must be a pair of integers"),
    ],
)
def test_bad_ranges_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Difficulty(**kwargs)


def test_custom_ranges_work():
    task = TemporalOrder(Difficulty(length=(12, 12), t1=(2, 2), t2=(9, 9)), batch_size=5, n_batches=1, seed=0)
    x, lengths, y = task[0]
    assert x.shape == (5, 12, 8) and lengths.tolist() == [12] * 5
    assert all(s[2] in "XY" and s[9] in "XY" for s in task.decode(x, lengths))
    assert "custom" in repr(task)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"difficulty": "impossible"}, "difficulty must be one of"),
        ({"difficulty": 3}, "difficulty must be one of"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"batch_size": -4}, "batch_size must be a positive integer"),
        ({"batch_size": 2.0}, "batch_size must be a positive integer"),
        ({"n_batches": 0}, "n_batches must be a positive integer"),
        ({"seed": -1}, "seed"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TemporalOrder(**kwargs)


def test_bad_test_set_sizes_and_indices_are_rejected(hard):
    with pytest.raises(ValueError, match="n_sequences"):
        hard.test_set(0)
    with pytest.raises(ValueError, match="batch_size"):
        hard.test_set(10, batch_size=0)
    with pytest.raises(IndexError, match="index"):
        hard[3]
    with pytest.raises(TypeError, match="index"):
        hard[1.0]


def test_bad_decode_and_encode_inputs_are_rejected(hard):
    x, lengths, _ = hard[0]
    with pytest.raises(ValueError, match="x must be"):
        hard.decode(x[..., :4], lengths)
    with pytest.raises(ValueError, match="lengths must be"):
        hard.decode(x, lengths[:3])
    with pytest.raises(ValueError, match="lengths must lie"):
        hard.decode(x, lengths + 200)
    with pytest.raises(ValueError, match="strings"):
        hard.encode("BXYE")
    with pytest.raises(ValueError, match="symbols"):
        hard.encode(["BXZE"])
    with pytest.raises(ValueError, match="exactly two"):
        hard.label_of("BXE")


# -- EchoData: the signal-echo task ----------------------------------------------------------


def test_echo_chunks_have_the_documented_shape_and_come_in_stream_order():
    data = EchoData(echo_step=3, chunk_length=5, batch_size=4, stream_length=20, seed=0)
    assert len(data) == data.n_chunks == 4
    assert "in stream order" in EchoData.__doc__ and "not** independent" in EchoData.__doc__
    x, y = data.stream(0)
    assert x.shape == y.shape == (4, 20, 1) and x.dtype == y.dtype == torch.float32
    chunks = list(data)  # pass 0
    assert [tuple(cx.shape) for cx, _ in chunks] == [(4, 5, 1)] * 4
    assert torch.equal(torch.cat([cx for cx, _ in chunks], dim=1), x)
    assert torch.equal(torch.cat([cy for _, cy in chunks], dim=1), y)


@pytest.mark.parametrize("echo_step", [1, 3, 7])
def test_the_target_is_the_input_delayed_with_zeros_first(echo_step):
    x, y = EchoData(echo_step, chunk_length=10, batch_size=3, stream_length=40, seed=1).stream()
    assert torch.equal(y[:, echo_step:], x[:, :-echo_step])
    assert not y[:, :echo_step].any()
    assert set(x.unique().tolist()) == {0.0, 1.0}


def test_the_bits_are_fair_coins():
    x, _ = EchoData(2, chunk_length=100, batch_size=50, stream_length=1000, seed=2).stream()
    assert abs(float(x.mean()) - 0.5) < 0.01


def test_every_pass_draws_a_fresh_stream_and_the_sequence_of_passes_is_reproducible():
    a, b = EchoData(3, 10, 8, 50, seed=5), EchoData(3, 10, 8, 50, seed=5)
    passes_a = [torch.cat([cx for cx, _ in a], dim=1) for _ in range(3)]
    passes_b = [torch.cat([cx for cx, _ in b], dim=1) for _ in range(3)]
    assert a.passes == b.passes == 3
    assert all(torch.equal(p, q) for p, q in zip(passes_a, passes_b))
    assert not torch.equal(passes_a[0], passes_a[1]) and not torch.equal(passes_a[1], passes_a[2])
    assert torch.equal(passes_a[2], a.stream(2)[0])  # pass i is stream(i)
    other = EchoData(3, 10, 8, 50, seed=6)
    assert not torch.equal(next(iter(other))[0], passes_a[0][:, :10])


def test_the_held_out_stream_is_fixed_and_never_one_of_the_training_passes():
    train = EchoData(3, 10, 8, 50, seed=0)
    test = train.test_set()
    assert test.is_test_set and not train.is_test_set
    first = [torch.cat([cx for cx, _ in test], dim=1) for _ in range(3)]
    assert all(torch.equal(first[0], again) for again in first[1:])
    assert all(not torch.equal(first[0], train.stream(epoch)[0]) for epoch in range(50))
    bigger = train.test_set(batch_size=16, stream_length=100)
    assert bigger.stream()[0].shape == (16, 100, 1) and bigger.echo_step == 3 and bigger.chunk_length == 10
    with pytest.raises(ValueError, match="a test set holds one stream"):
        test.stream(1)


def test_echo_data_owns_its_randomness():
    np.random.seed(123)
    torch.manual_seed(123)
    before = (np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    data = EchoData(4, 10, 4, 30, seed=np.random.default_rng(7))
    list(data)
    list(data.test_set())
    assert np.array_equal(np.random.get_state()[1], before[0])
    assert torch.equal(torch.get_rng_state(), before[1])
    assert torch.equal(EchoData(4, 10, 4, 30, seed=np.random.default_rng(7)).stream()[0], data.stream()[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"echo_step": 0}, "echo_step must be a positive integer"),
        ({"echo_step": 2.0}, "echo_step must be a positive integer"),
        ({"chunk_length": 0}, "chunk_length must be a positive integer"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"stream_length": 0}, "stream_length must be a positive integer"),
        ({"stream_length": 105, "chunk_length": 10}, "stream_length must be a multiple of chunk_length=10"),
        ({"echo_step": 40, "stream_length": 40, "chunk_length": 10}, "echo_step must be smaller than stream_length"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_echo_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EchoData(**kwargs)


def test_bad_echo_arguments_are_rejected():
    data = EchoData(3, 10, 4, 30, seed=0)
    with pytest.raises(ValueError, match="epoch must be a non-negative integer"):
        data.stream(-1)
    with pytest.raises(ValueError, match="stream_length must be a multiple"):
        data.test_set(stream_length=35)
    assert "echo_step=3" in repr(data) and "test set" in repr(data.test_set())
