"""Time source of the tap, injectable so tests never really sleep."""

from __future__ import annotations

import time


class Clock:
    """Wall-clock time and sleeping."""

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
