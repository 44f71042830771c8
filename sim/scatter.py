"""`add_at`: np.add.at in a compiled loop. The recorders and the model add each week's movers,
leavers and joiners into their tables at repeated indices; np.add.at does that ~50x slower an
element, which at England's size was a second a simulated year (measured)."""
from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _scatter_add(flat, index, values):
    for k in range(index.shape[0]):
        flat[index[k]] += values[k]


def add_at(target: np.ndarray, index, values=1) -> None:
    """target[index] += values, repeated index entries each adding (as np.add.at). `index` is one
    array or a tuple of arrays for the leading dimensions (the rest are added whole, as rows).
    `target` must be C-contiguous (a whole array, or a leading-index slice of one): it is
    updated in place."""
    if not target.flags.c_contiguous:
        raise ValueError("add_at needs a C-contiguous target")
    index = index if isinstance(index, tuple) else (index,)
    lead, tail = target.shape[:len(index)], target.shape[len(index):]
    rows = np.atleast_1d(np.ravel_multi_index(
        tuple(np.asarray(i).astype(np.int64, copy=False) for i in index), lead))
    if not rows.size:
        return
    width = int(np.prod(tail, dtype=np.int64))
    flat = (rows[:, None] * width + np.arange(width, dtype=np.int64)[None, :]).ravel()
    vals = np.broadcast_to(np.asarray(values).astype(target.dtype, copy=False), (rows.size, *tail))
    _scatter_add(target.reshape(-1), flat, np.ascontiguousarray(vals).reshape(-1))
