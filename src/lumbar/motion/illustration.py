"""The `[motion.illustration]` section of an exercise file: keyframes and props for the figure.

Placeholder model until the illustration work lands (issue 7).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Illustration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
