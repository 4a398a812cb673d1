"""Errors a user can act on: each message names the problem and the fix, in one line."""

STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # the command line stops on these, cleaning up


class BpdiagError(Exception):
    """A failure reported as one line on stderr with exit code `exit_code`, never a traceback."""

    exit_code = 1


class InputError(BpdiagError, ValueError):
    """Bad input: an option, a spec or a file the user gave (exit code 2, like a usage error); to
    Python callers a ValueError."""

    exit_code = 2
