"""Open data: the model published as datasets, a data package, feeds and sitemaps.

Every file here is written from the validated model (never from the input files),
with deterministic bytes, and only when its bytes differ from what is on disk, so
an unchanged rebuild touches nothing and a mirror sees no change.

Corrections and withdrawals of published results reach the feeds as a registered source
of entries (:mod:`.corrections`), registered here so that every build of the feeds has it.
"""

from . import corrections  # noqa: F401  (registers its feed entries)
