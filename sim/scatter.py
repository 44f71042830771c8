"""`add_at`: np.add.at in a compiled loop. The recorders and the model add each week's movers,
leavers and joiners into their tables at repeated indices; np.add.at does that ~50x slower an
element, which at England's size was a second a simulated year (measured). At the default
ICS's size the cost is the call itself (about 30 calls a week), so the common cases (1-d index
arrays of one length, a scalar or one value per entry or per row) go to one compiled call with
no temporary index arithmetic in numpy."""
from __future__ import annotations

import math

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _scatter_add(flat, dims, index, width, values, per_entry):
    """flat[row k's cells] += values: row k = the row-major position of index[:, k] in a table
    whose leading dimensions are `dims`, each row `width` cells long; `values` holds one row
    (added for every k) or, with `per_entry`, one row for each k. An index out of range raises,
    as np.add.at."""
    nd, n = index.shape
    for k in range(n):
        pos = 0
        for d in range(nd):
            i = index[d, k]
            if i < 0 or i >= dims[d]:
                raise ValueError("add_at: index out of range")
            pos = pos * dims[d] + i
        v = k * width if per_entry else 0
        base = pos * width
        for w in range(width):
            flat[base + w] += values[v + w]


def add_at(target: np.ndarray, index, values=1) -> None:
    """target[index] += values, repeated index entries each adding (as np.add.at). `index` is one
    array or a tuple of arrays for the leading dimensions (the rest are added whole, as rows).
    `target` must be C-contiguous (a whole array, or a leading-index slice of one): it is
    updated in place."""
    if not target.flags.c_contiguous:
        raise ValueError("add_at needs a C-contiguous target")
    index = index if isinstance(index, tuple) else (index,)
    lead, tail = target.shape[:len(index)], target.shape[len(index):]
    width = math.prod(tail)
    for i in index:
        if not isinstance(i, np.ndarray) or i.ndim != 1:   # scalars, or arrays that broadcast
            index = [a.ravel() for a in np.broadcast_arrays(*index)]
            break
    n = index[0].shape[0]
    if n == 0:
        return
    cells = np.empty((len(index), n), np.int64)
    for d, i in enumerate(index):
        cells[d] = i                # arrays of other lengths raise here, as np.add.at
    vals = values if isinstance(values, np.ndarray) else np.asarray(values)
    vals = vals.astype(target.dtype, copy=False)
    if vals.ndim == 0 and not tail:                           # one number for every entry
        vals, per_entry = vals.reshape(1), False
    elif vals.shape == (n,) and not tail:                     # one number an entry
        vals, per_entry = np.ascontiguousarray(vals), True
    elif vals.ndim == 0 or vals.shape == tail:                # one row for every entry
        vals, per_entry = np.ascontiguousarray(np.broadcast_to(vals, tail)).reshape(-1), False
    else:                                                     # one row an entry
        vals, per_entry = np.ascontiguousarray(np.broadcast_to(vals, (n, *tail))).reshape(-1), True
    _scatter_add(target.reshape(-1), np.array(lead, np.int64), cells, width, vals, per_entry)
