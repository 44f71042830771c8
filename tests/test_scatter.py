"""`sim.scatter.add_at` adds exactly as np.add.at does: repeated indices, partial indexing
(rows), integer and float tables, scalar and array values."""
import numpy as np
import pytest

from sim.scatter import add_at


def test_add_at_matches_numpy():
    rng = np.random.default_rng(0)
    for _ in range(200):
        shape = tuple(int(d) for d in rng.integers(1, 5, size=rng.integers(1, 4)))
        k = int(rng.integers(1, len(shape) + 1))
        n = int(rng.integers(0, 20))
        idx = tuple(rng.integers(0, shape[d], size=n) for d in range(k))
        for dt in (np.int64, np.int32, np.float64):
            want = rng.integers(-5, 5, size=shape).astype(dt)
            got = want.copy()
            vals = rng.normal(size=(n, *shape[k:])).astype(dt) if rng.random() < 0.7 else dt(2)
            np.add.at(want, idx, vals)
            add_at(got, idx, vals)
            assert np.array_equal(want, got)


def test_add_at_broadcasts_indices_and_row_values_as_numpy():
    want = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    got = want.copy()
    for idx, vals in (((1, np.array([0, 2, 2])), np.array([1, 2, 3, 4])),   # a scalar index, one row
                      ((np.array([[0], [1]]), np.array([1, 1, 2])), 5),     # indices that broadcast
                      (np.array([1, 1]), np.arange(12).reshape(3, 4))):    # one row for every entry
        np.add.at(want, idx, vals)
        add_at(got, idx, vals)
        assert np.array_equal(want, got)


def test_add_at_refuses_a_view_it_could_not_update():
    a = np.zeros((4, 4), np.int64)
    with pytest.raises(ValueError, match="C-contiguous"):
        add_at(a[:, 1], (np.array([0, 0]),), 1)
    with pytest.raises(ValueError):
        add_at(a, (np.array([5]), np.array([0])), 1)      # out of range, as np.add.at
