"""Fixtures for every test: defined in kbtest.py so tests can import its helpers by a unique name."""

from kbtest import *  # noqa: F401,F403  (fixtures must be visible here)
