#!/usr/bin/env python3
"""bench/settle.py FILE... -- put each file in the page cache in one known state.

The benchmarks time tools reading a file from memory (warm cache), the way a
second look at evidence runs.  On the machines this project runs on, the host
takes cached pages back over minutes, and pages read back one by one into
those holes stay in small (4 KiB) folios: reading the 64 MB bench file then
costs the kernel about 9 ms instead of 3 ms, for every tool alike, and the
figures drift from run to run.  So before a group of timed runs each file is
dropped from the page cache (POSIX_FADV_DONTNEED) and read back in one
sequential pass: the kernel's read-ahead fills it with large folios, the same
state a freshly written file is in.
"""
import os
import sys


def settle(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while os.read(fd, 1 << 20):
            pass
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_NORMAL)
    finally:
        os.close(fd)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        settle(p)
