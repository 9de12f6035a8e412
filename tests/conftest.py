"""Fixtures for every test: defined in kbtest.py so tests can import its helpers by a unique name."""

import atexit
import os
import shutil
import tempfile

# kb's caches go to a throwaway folder, never into claims/ or the test corpora (subprocesses inherit it).
os.environ.setdefault("KB_CACHE_DIR", tempfile.mkdtemp(prefix="kb-test-cache-"))
atexit.register(shutil.rmtree, os.environ["KB_CACHE_DIR"], True)

from kbtest import *  # noqa: E402,F401,F403  (fixtures must be visible here)
