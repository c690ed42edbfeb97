"""Figures of a scenario (posture versus compression) and of a sweep (maps, distributions,
sensitivities), in one style (:mod:`sim.plots.style`).  Used by :mod:`sim.report`.

matplotlib runs on the Agg backend; nothing here needs a display.
"""
