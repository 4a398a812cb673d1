"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe).

The pipe needs no WebSocket client: Chromium reads JSON messages, each ended by a NUL byte, on
file descriptor 3 and writes its answers and events on descriptor 4. Enough of the protocol to
open a page, press keys, click, evaluate JavaScript and see every request and console message.

Every request outside file:// is refused twice over: the proxy is a closed port and no host name
resolves; the test still sees each attempt (Network.requestWillBeSent).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

KEYS = {  # key -> (code, Windows virtual key code), as Input.dispatchKeyEvent wants them
    "ArrowRight": ("ArrowRight", 39), "ArrowLeft": ("ArrowLeft", 37), "Home": ("Home", 36),
    "End": ("End", 35), "Tab": ("Tab", 9), "Enter": ("Enter", 13),
    "Escape": ("Escape", 27), "0": ("Digit0", 48),
}


class Chromium:
    """One headless browser with one page; use as a context manager."""

    def __init__(self, profile_dir, width: int = 1920, height: int = 1080, timeout: float = 60):
        self.timeout = timeout
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def descriptors():  # in the child: the pipe ends at 3 and 4
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--proxy-server=http://127.0.0.1:9",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe",
             f"--user-data-dir={profile_dir}", f"--window-size={width},{height}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=descriptors, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict] = []
        self.session = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")
        self.resize(width, height)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.session = None
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass

    def call(self, method: str, **params) -> dict:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params}
        if self.session is not None:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def _receive(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [],
                                        max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def resize(self, width: int, height: int) -> None:
        """The page's viewport, in CSS pixels (one device pixel each)."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def open(self, url: str) -> None:
        """Load `url` and wait until its load event has fired."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            time.sleep(0.05)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, key: str) -> None:
        """A real key press (keyDown, keyUp) as the keyboard sends it."""
        code, virtual = KEYS[key]
        typed = {"text": "\r"} if key == "Enter" else {}  # a key that types activates buttons
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=virtual, nativeVirtualKeyCode=virtual,
                      **(typed if kind == "keyDown" else {}))

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 5) -> None:
        """Press the left button at `start`, move to `end` in `steps` moves, release."""
        (x0, y0), (x1, y1) = start, end
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x0, y=y0, button="left",
                  buttons=1, clickCount=1)
        for step in range(1, steps + 1):
            self.call("Input.dispatchMouseEvent", type="mouseMoved", button="left", buttons=1,
                      x=x0 + (x1 - x0) * step / steps, y=y0 + (y1 - y0) * step / steps)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=x1, y=y1, button="left",
                  buttons=0, clickCount=1)

    def wheel(self, x: float, y: float, delta_y: float) -> None:
        """One turn of the mouse wheel over (x, y); a negative delta scrolls up."""
        self.call("Input.dispatchMouseEvent", type="mouseWheel", x=x, y=y, deltaX=0,
                  deltaY=delta_y)

    def screenshot(self) -> bytes:
        import base64
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def requests(self) -> list[str]:
        return [event["params"]["request"]["url"] for event in self.events
                if event["method"] == "Network.requestWillBeSent"]

    def console_errors(self) -> list[str]:
        """Exceptions, console.error/warn calls and the browser's own error messages (a
        refused request or a Content-Security-Policy violation among them)."""
        errors = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]  # its text is only "Uncaught"
                errors.append(details.get("exception", {}).get("description")
                              or details.get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning",
                                                                               "assert"):
                errors.append(" ".join(str(arg.get("value", arg.get("description")))
                                       for arg in params["args"]))
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                errors.append(params["entry"]["text"])
        return errors
