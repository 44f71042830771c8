"""`add_at`: np.add.at in a compiled loop. The recorders and the model add each week's movers,
leavers and joiners into their tables at repeated indices; np.add.at does that ~50x slower an
element, which at England's size was a second a simulated year (measured). At the default
ICS's size the cost is the call itself (about 30 calls a week): a full index of 1-d arrays
takes a path with one compiled call and no temporary index arithmetic in numpy."""
from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _scatter_add(flat, index, values):
    for k in range(index.shape[0]):
        flat[index[k]] += values[k]


@nb.njit(cache=True)
def _scatter_add_cells(flat, dims, index, values):
    """flat[cell k] += values[k] (or values[0] for every k), cell k = the row-major position of
    index[:, k] in a table of shape `dims`; an index out of range raises, as np.add.at."""
    nd, n = index.shape
    same = values.shape[0] == 1
    for k in range(n):
        pos = 0
        for d in range(nd):
            i = index[d, k]
            if i < 0 or i >= dims[d]:
                raise ValueError("add_at: index out of range")
            pos = pos * dims[d] + i
        flat[pos] += values[0] if same else values[k]


def add_at(target: np.ndarray, index, values=1) -> None:
    """target[index] += values, repeated index entries each adding (as np.add.at). `index` is one
    array or a tuple of arrays for the leading dimensions (the rest are added whole, as rows).
    `target` must be C-contiguous (a whole array, or a leading-index slice of one): it is
    updated in place."""
    if not target.flags.c_contiguous:
        raise ValueError("add_at needs a C-contiguous target")
    index = index if isinstance(index, tuple) else (index,)
    if len(index) == target.ndim and _add_cells(target, index, values):
        return
    lead, tail = target.shape[:len(index)], target.shape[len(index):]
    rows = np.atleast_1d(np.ravel_multi_index(
        tuple(np.asarray(i).astype(np.int64, copy=False) for i in index), lead))
    if not rows.size:
        return
    width = int(np.prod(tail, dtype=np.int64))
    flat = (rows[:, None] * width + np.arange(width, dtype=np.int64)[None, :]).ravel()
    vals = np.broadcast_to(np.asarray(values).astype(target.dtype, copy=False), (rows.size, *tail))
    _scatter_add(target.reshape(-1), flat, np.ascontiguousarray(vals).reshape(-1))


def _add_cells(target: np.ndarray, index: tuple, values) -> bool:
    """The common case, one value per cell given by 1-d index arrays of one length: added here.
    False (nothing done) for anything else (broadcast indices or values)."""
    n = None
    for i in index:
        if not isinstance(i, np.ndarray) or i.ndim != 1 or (n is not None and i.shape[0] != n):
            return False
        n = i.shape[0]
    vals = np.asarray(values)
    if vals.ndim > 1 or (vals.ndim == 1 and vals.shape[0] != n):
        return False
    if n == 0:
        return True
    cells = np.empty((len(index), n), np.int64)
    for d, i in enumerate(index):
        cells[d] = i
    _scatter_add_cells(target.reshape(-1), np.array(target.shape, np.int64), cells,
                       np.ascontiguousarray(vals.reshape(-1).astype(target.dtype, copy=False)))
    return True
