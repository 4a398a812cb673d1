"""Opening a file the user names (--spec, --notation, --data, --compare): a regular file only,
and every way it can fail one line naming the option, the path and what to give instead."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import InputError


def open_regular(path: Path, *, option: str, wanted: str, readable: str,
                 error: type[InputError] = InputError) -> BinaryIO:
    """A binary file object for the regular file at `path`. A missing file, a folder, one that
    cannot be read (`readable` names what to give then) and anything not a regular file (a FIFO,
    a device: refused without reading) raise `error`.

    O_NONBLOCK lets a FIFO open without a writer, so that fstat can refuse it instead of
    hanging; a regular file reads the same with or without it.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"{option} {path}: no such file; give {wanted}") from None
    except IsADirectoryError:
        raise error(f"{option} {path} is a folder; give {wanted}") from None
    except OSError as exc:
        raise error(f"{option} {path}: cannot read it ({exc.strerror}); give {readable}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{option} {path} is a folder; give {wanted}")
        if not stat.S_ISREG(mode):
            raise error(f"{option} {path} is {_file_kind(mode)}, not a regular file; give {wanted}")
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"
