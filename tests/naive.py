"""Slow, obviously right versions of analytic shortcuts, for tests."""

import numpy as np


def _grid_best(n, c, faces, roof, wall, mobility, xs, ys):
    x, y = np.meshgrid(xs, ys)
    pts = np.stack([x.ravel(), y.ravel()], axis=1)
    dist = np.min(c[faces][None, :] - pts @ n[faces].T, axis=1)
    # the circle's surface within the mobility of the roof-wall corner: (d_roof - r) + (d_wall - r) <= 2 m
    corner = (c[roof] - pts @ n[roof]) + (c[wall] - pts @ n[wall]) - 2.0 * dist
    dist[corner > 2.0 * mobility] = -np.inf
    i = int(np.argmax(dist))
    return float(dist[i]), pts[i]


def brute_force_circle(n, c, faces, roof, wall, mobility):
    """Largest circle near the roof-wall corner by dense grids of centres (radius = distance to the nearest face).

    A 0.2 mm grid over the whole plane, then 1 mm windows at 0.005 mm
    re-centred on the best point until it stops moving (the radius is
    concave in the centre, so this climbs to the global optimum).
    """
    faces = list(faces)
    r, p = _grid_best(n, c, faces, roof, wall, mobility, np.linspace(-40, 40, 401), np.linspace(-20, 40, 301))
    fine = np.linspace(-0.5, 0.5, 201)
    for _ in range(50):
        r2, p2 = _grid_best(n, c, faces, roof, wall, mobility, p[0] + fine, p[1] + fine)
        if r2 <= r + 1e-12:
            break
        r, p = r2, p2
    return r
