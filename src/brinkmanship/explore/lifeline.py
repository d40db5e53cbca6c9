"""Worker processes end when the process that started them dies, even by `kill -9`: no orphan keeps computing.

On Linux the kernel sends the worker SIGKILL when its parent dies (`prctl(PR_SET_PDEATHSIG)`); everywhere a
daemon thread also polls the parent id and exits once the worker has been re-parented.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_SECONDS = 0.5


def _arm_death_signal() -> None:
    """Ask the Linux kernel to SIGKILL this process when its parent dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl (unusual builds): the watchdog thread still applies
        return


def _watch(parent_pid: int, poll: float) -> None:
    while True:
        time.sleep(poll)
        if os.getppid() != parent_pid:
            os._exit(1)


def exit_with_parent(parent_pid: int, poll: float = POLL_SECONDS) -> None:
    """Worker initializer: end this process when `parent_pid` (its parent) is gone.

    The kernel signal reacts at once; the polling thread is the portable fallback (within `poll` seconds).
    """
    _arm_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid, poll), daemon=True, name="brink-parent-watch").start()
