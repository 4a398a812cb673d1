"""Writing output files so that each appears complete or not at all.

The guarantee, for every file `atomic_write` writes:

* The file at its final name is always complete: the old version or the new one, never a part.
  The bytes go to a temporary file in the same folder, which is then renamed (or linked) into
  place in one step.
* On Linux (`O_TMPFILE`), the temporary file has no name while it is written, so a run killed
  at any moment, even by SIGKILL, leaves nothing behind. A new file is linked straight to its
  final name; replacing an existing file links the complete data to a hidden name
  `.NAME.PID.XXXXXXXX.bpdiag-tmp` and renames it over NAME, two system calls during which SIGINT,
  SIGTERM and SIGHUP are held back.
* Elsewhere (or where the file system lacks O_TMPFILE) the data is written under that hidden
  name; an error, Ctrl-C, SIGTERM or SIGHUP (the command line turns them into an exception)
  removes it.
* Only SIGKILL or a power cut can leave a hidden `.bpdiag-tmp` file (on Linux only in the short
  window between link and rename). `prepare_out_dir` removes those of processes that no longer
  run, so the next run into the same folder cleans up.
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


def prepare_out_dir(out_dir: Path) -> Path:
    """Create `out_dir` if needed; a clear error when it is a file or cannot be written.

    Also removes hidden temporary files left by runs that were killed (see the module docstring).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is a file, not a folder; name a folder (it is created if missing)")
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
    """Hold the signals the command line stops on back (main thread, POSIX), so that a step of
    several calls is not split."""
    can_mask = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if not can_mask:
        yield
        return
    held = {getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


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
    path = Path(path)
    try:
        if not _write_unnamed(path, data):
            _write_named(path, data)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "check the folder"
        raise WriteError(f"could not write {path} ({reason}); {hint} and run again") from None
    return path


_unnamed_works: bool | None = None  # None until the first try; False after O_TMPFILE or linking fails

_NO_UNNAMED = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.EPERM, errno.EXDEV,
               errno.EACCES)


def _write_unnamed(path: Path, data: bytes) -> bool:
    """Linux: write into an O_TMPFILE, then give it a name; False when that is not available.

    The name comes from linking /proc/self/fd/N; kernels or sandboxes that refuse it (EXDEV,
    EPERM, no /proc) make bpdiag write named temporary files from then on.
    """
    global _unnamed_works
    if _O_TMPFILE is None or _unnamed_works is False:
        return False
    try:
        fd = os.open(path.parent, _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, _FILE_MODE)
    except OSError as exc:
        if exc.errno in _NO_UNNAMED:
            _unnamed_works = False
            return False
        raise
    try:
        _write_all(fd, data)
        source = f"/proc/self/fd/{fd}"
        try:
            try:
                os.link(source, path, follow_symlinks=True)  # a new file: whole at its first name
                _unnamed_works = True
                return True
            except FileExistsError:
                pass
            temp = _temp_path(path)
            with _signals_held():
                os.link(source, temp, follow_symlinks=True)
                try:
                    os.replace(temp, path)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temp)
                    raise
            _unnamed_works = True
            return True
        except OSError as exc:
            if exc.errno in _NO_UNNAMED and not _unnamed_works:
                _unnamed_works = False
                return False
            raise
    finally:
        os.close(fd)


def unnamed_temp_files() -> bool | None:
    """Whether atomic_write has been able to use unnamed (O_TMPFILE) files; None before a write."""
    return _unnamed_works


def _write_named(path: Path, data: bytes) -> None:
    temp = _temp_path(path)  # pid and random: no other process uses this name
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_BINARY", 0), _FILE_MODE)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        with _signals_held():
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


__all__ = ["atomic_write", "prepare_out_dir", "remove_stale_temps", "is_temp_name", "WriteError",
           "TEMP_SUFFIX", "tempfile"]
