"""Settings for publishing: the development settings plus the public address.

SITEURL is only used for canonical links and feeds; every page link stays relative,
so the output also works inside a sub-folder of a county portal.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("GONGKAI_SITEURL", "")
RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = False
