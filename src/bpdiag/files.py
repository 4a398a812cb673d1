"""Writing a run's output files as one set: all of them new, or none of them changed.

The guarantee, for every set of files `write_files` writes:

* First every file is written in full to a hidden temporary file beside its final name,
  `.NAME.PID.XXXXXXXX.bpdiag-tmp`. Nothing under a final name changes in this step, so an
  error (disk full, a folder where a file must go), Ctrl-C, SIGTERM or SIGHUP (the command line
  turns them into an exception) removes the temporary files and leaves every old file as it was.
* On Linux (`O_TMPFILE`) each temporary file has no name while it is written and is named only
  once complete, so a hidden file is never a part; elsewhere it is written under its name.
* Then each temporary file is renamed over its final name, one rename per file, with SIGINT,
  SIGTERM and SIGHUP held back until the last, so that a stop signal cannot split the set. Each
  rename is atomic: a file at its final name is always complete, the old version or the new one.
  The renames of several files are not atomic as a group: SIGKILL (or a power cut) during them
  leaves some files new and some old, each complete.
* Only SIGKILL or a power cut can leave hidden `.bpdiag-tmp` files. `prepare_out_dir` removes
  those of processes that no longer run, so the next run into the same folder cleans up.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
from pathlib import Path

from .errors import STOP_SIGNALS, BpdiagError, InputError

TEMP_SUFFIX = ".bpdiag-tmp"
_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + "$")
_O_TMPFILE = getattr(os, "O_TMPFILE", None)


class WriteError(BpdiagError):
    """An output file could not be written (disk full, permissions changed mid-run, ...)."""


def check_out_dir(out_dir: Path) -> None:
    """A clear error when `out_dir` cannot be the output folder; creates nothing."""
    try:
        info = os.stat(out_dir)
    except FileNotFoundError:
        return  # created when the files are written
    except OSError as exc:  # a part of the path is a file, the name is too long, ...
        raise InputError(f"cannot create the output folder {out_dir} ({exc.strerror}); "
                         "choose another --out") from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(f"--out {out_dir} is a file, not a folder; name a folder (it is created "
                         "if missing)")


def check_targets(paths) -> None:
    """A clear error when a file cannot go where it must (a folder stands there, ...)."""
    for path in paths:
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write {path} ({exc.strerror}); choose another --out") from None
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path} is a folder where bpdiag writes a file; move or rename the "
                             "folder, or choose another --out")


def prepare_out_dir(out_dir: Path) -> Path:
    """Create `out_dir` if needed; a clear error when it is a file or cannot be written.

    Also removes hidden temporary files left by runs that were killed (see the module docstring).
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out_dir} ({exc.strerror}); "
                         "choose another --out") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise InputError(f"cannot write into the output folder {out_dir}; choose another --out")
    remove_stale_temps(out_dir)
    return out_dir


def is_temp_name(name: str) -> bool:
    """Whether `name` is one of atomic_write's hidden temporary names."""
    return _TEMP_NAME.match(name) is not None


def remove_stale_temps(folder: Path) -> list[str]:
    """Delete the temporary files of bpdiag runs that no longer run; returns their names.

    Only what bpdiag can tell it created goes: a regular file (not a folder or a link) owned by
    this user, named `.NAME.PID.XXXXXXXX.bpdiag-tmp`, whose process PID no longer runs.
    """
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None or process_alive(int(match.group(1))):
            continue
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            if _is_own_regular_file(os.lstat(path)):
                os.unlink(path)
                removed.append(name)
    return removed


def _is_own_regular_file(info: os.stat_result) -> bool:
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid  # Windows has no owner uid
    return stat.S_ISREG(info.st_mode) and info.st_uid == owner


def process_alive(pid: int) -> bool:
    """Whether process `pid` may still run (True when that cannot be known)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or unknowable: leave its file alone
    return True


def _temp_path(path: Path) -> Path:
    return path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


@contextlib.contextmanager
def _signals_held():
    """Hold the signals the command line stops on until the block ends, so that a step of
    several calls is not split; they are then delivered to their handlers as usual.

    Python runs signal handlers in the main thread only, whichever thread the signal reached, so
    swapping the handlers there (rather than masking, which holds a signal back from one thread
    only) holds them for the whole process.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            signum = getattr(signal, name)
            previous[signum] = signal.signal(signum, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask  # what open() would give a new file


_FILE_MODE = _file_mode()


def atomic_write(path: Path, data: bytes) -> Path:
    """Write `data` to `path` so that the file is complete or absent (see the module docstring)."""
    return write_files([(path, data)])[0]


def write_files(items) -> list[Path]:
    """Write each (path, bytes) of `items`: every file new, or none changed (module docstring)."""
    items = [(Path(path), data) for path, data in items]
    check_targets(path for path, _ in items)
    staged: list[Path] = []  # complete temporary files not yet renamed into place
    try:
        for path, data in items:
            staged.append(_stage(path, data))
        renamed = 0
        with _signals_held():
            for (path, _), temp in zip(items, staged):
                try:
                    os.replace(temp, path)
                except OSError as exc:
                    raise WriteError(
                        f"could not put {path} in place ({exc.strerror or exc}); {renamed} of "
                        f"{len(items)} files were replaced, each complete, the others kept; check "
                        "the folder and run again") from None
                renamed += 1
            staged.clear()  # inside: a signal held back until now must not find them listed
    finally:
        with _signals_held():
            for temp in staged:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
    return [path for path, _ in items]


def _stage(path: Path, data: bytes) -> Path:
    """`data` complete in a new hidden temporary file beside `path`; its name."""
    temp = _temp_path(path)  # pid and random: no other process uses this name
    try:
        if not _write_unnamed(temp, data):
            _write_named(temp, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "check the folder"
        raise WriteError(f"could not write {path} ({reason}); {hint} and run again (no file was "
                         "changed)") from None
    return temp


_unnamed_works: bool | None = None  # None until the first try; False after O_TMPFILE or linking fails

_NO_UNNAMED = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.EPERM, errno.EXDEV,
               errno.EACCES)


def _write_unnamed(temp: Path, data: bytes) -> bool:
    """Linux: write into an O_TMPFILE, then name it `temp`; False when that is not available.

    The name comes from linking /proc/self/fd/N; kernels or sandboxes that refuse it (EXDEV,
    EPERM, no /proc) make bpdiag write named temporary files from then on.
    """
    global _unnamed_works
    if _O_TMPFILE is None or _unnamed_works is False:
        return False
    try:
        fd = os.open(temp.parent, _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, _FILE_MODE)
    except OSError as exc:
        if exc.errno in _NO_UNNAMED:
            _unnamed_works = False
            return False
        raise
    try:
        _write_all(fd, data)
        try:
            os.link(f"/proc/self/fd/{fd}", temp, follow_symlinks=True)  # named once complete
        except OSError as exc:
            if exc.errno in _NO_UNNAMED and not _unnamed_works:
                _unnamed_works = False
                return False
            raise
        _unnamed_works = True
        return True
    finally:
        os.close(fd)


def unnamed_temp_files() -> bool | None:
    """Whether atomic_write has been able to use unnamed (O_TMPFILE) files; None before a write."""
    return _unnamed_works


def _write_named(temp: Path, data: bytes) -> None:
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_BINARY", 0), _FILE_MODE)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


__all__ = ["atomic_write", "write_files", "check_out_dir", "check_targets", "prepare_out_dir",
           "remove_stale_temps", "is_temp_name", "WriteError", "TEMP_SUFFIX"]
