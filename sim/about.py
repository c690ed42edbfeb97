"""What this package is: its version and the disclaimer every output carries.

A leaf module: every other module may import it, it imports nothing of sim.
"""

__version__ = "0.1.0"
DISCLAIMER = "Research and teaching model of L4-L5 root compression; not a diagnostic device."
