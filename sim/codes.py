"""Labels to the kernel's float codes in one compiled pass (``sim.engine.pack``).

Kept out of ``sim.engine`` so that ``import sim`` does not load numba (start-up time).
"""

from __future__ import annotations

import numpy as np

from .jit import njit, prange


@njit(cache=True, nogil=True, parallel=True, _nrt=True)
def label_codes(labels, choices, fits):
    """Row ``i`` of ``labels`` (n, width) code points -> index of the equal row of ``choices``, or -1.

    A choice longer than the labels' width (``fits`` False) equals none of them.
    """
    out = np.empty(labels.shape[0])
    for i in prange(labels.shape[0]):
        code = -1.0
        for k in range(choices.shape[0]):
            if not fits[k]:
                continue
            same = True
            for j in range(labels.shape[1]):
                if labels[i, j] != choices[k, j]:
                    same = False
                    break
            if same:
                code = float(k)
                break
        out[i] = code
    return out


@njit(cache=True, nogil=True, parallel=True, _nrt=True)
def code_labels(codes, choices, out):
    """The inverse of :func:`label_codes`: row ``i`` of ``out`` (n, width) gets the code points of
    ``choices[codes[i]]`` (``choices`` (k, width), zero-padded).  Returns how many codes are not an
    index of ``choices`` (their rows are left zero); the caller raises if any."""
    n_bad = 0
    for i in prange(codes.shape[0]):
        c = codes[i]
        if not (0.0 <= c < choices.shape[0]):  # NaN included
            n_bad += 1
            for j in range(out.shape[1]):
                out[i, j] = 0
            continue
        k = int(c)
        for j in range(out.shape[1]):
            out[i, j] = choices[k, j]
    return n_bad
