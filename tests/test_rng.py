import numpy as np

from sim.rng import uniform, uniform_py, uniforms


def test_jitted_and_python_draws_agree_bit_for_bit():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        seed, week, key, stream = (int(x) for x in rng.integers(0, 2**40, 4))
        assert uniform(seed, week, key, stream) == uniform_py(seed, week, key, stream)


def test_draws_are_uniform_and_streams_independent():
    keys = np.arange(200_000, dtype=np.uint64)
    a = uniforms(1, 3, keys, 1)
    b = uniforms(1, 3, keys, 2)
    n = len(keys)
    assert a.min() >= 0.0 and a.max() < 1.0
    # Mean and variance of U(0,1) within 5 standard errors.
    assert abs(a.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    assert abs(a.var() - 1 / 12) < 5 * np.sqrt(1 / 180 / n)
    # Decile counts: chi-square with 9 d.o.f. below its 0.999 quantile (27.9).
    counts = np.bincount((a * 10).astype(int), minlength=10)
    assert ((counts - n / 10) ** 2 / (n / 10)).sum() < 27.9
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(n)
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 5 / np.sqrt(n)


def test_draw_changes_with_each_coordinate():
    base = uniform_py(1, 2, 3, 4)
    assert len({base, uniform_py(2, 2, 3, 4), uniform_py(1, 3, 3, 4),
                uniform_py(1, 2, 4, 4), uniform_py(1, 2, 3, 5)}) == 5
