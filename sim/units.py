"""Physical constants and unit conversions, one home each.

A leaf module: the physics layer and the figures read their conversions here.

References
----------
BIPM, *The International System of Units (SI)*, 9th ed. (2019): standard
acceleration of gravity 9.80665 m/s^2 (rounded here to 9.81, as in the trunk
models of Waters et al. 1993) and 1 mmHg = 133.322 Pa.
Wilke H-J et al. (1999) Spine 24(8):755-762: the 70 kg subject whose
intradiscal pressures scale the posture loads.
"""

#: 1 mmHg = 0.133322 kPa.
KPA_PER_MMHG = 0.133322
MMHG_PER_KPA = 1.0 / KPA_PER_MMHG
#: Acceleration of gravity used by the static trunk model [m/s^2].
GRAVITY_M_S2 = 9.81
#: Body mass of the subject of the in vivo pressure data the posture loads come from [kg].
REFERENCE_BODY_MASS_KG = 70.0
