"""Production: same as base; secrets and database must come from the environment."""

from .base import *  # noqa: F401,F403
