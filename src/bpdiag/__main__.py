"""The `bpdiag` command (the console script, and `python -m bpdiag`).

Importing the command line takes a moment. A stop signal (Ctrl-C, SIGTERM, SIGHUP) that comes
meanwhile is only recorded, so that no import is cut in half and no traceback is printed; the
command line then stops at once with its one line and exit code 128 + N, as it would later.
"""

import sys

INTERRUPTED = "bpdiag: error: interrupted (SIGINT) while starting; nothing was written"


def main() -> None:
    received: list[int] = []
    try:
        import signal

        from .errors import STOP_SIGNALS

        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), lambda signum, frame: received.append(signum))
        from .cli import main as run
    except KeyboardInterrupt:  # before the handlers above were installed
        try:
            print(INTERRUPTED, file=sys.stderr)
        except OSError:
            pass
        sys.exit(130)
    run(pending=lambda: received[0] if received else None)


if __name__ == "__main__":
    main()
