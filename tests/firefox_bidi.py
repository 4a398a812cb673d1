"""Headless Firefox driven over WebDriver BiDi, with the standard library only.

Firefox's Remote Agent speaks BiDi itself on a WebSocket (--remote-debugging-port), so no
geckodriver is needed: a minimal WebSocket client (RFC 6455: the upgrade request, masked frames
out, fragments and pings in) carries the JSON commands. BiDi rather than Marionette because BiDi
reports the page's console messages, errors and requests as events (log.entryAdded,
network.beforeRequestSent); Marionette sees none of them. The same methods as
chromium_pipe.Chromium: open a page, press keys, click, drag, turn the wheel, evaluate
JavaScript, and see every request and console message.

Every request outside file:// is refused: a fresh profile's user.js points every proxy at a port
that a socket of this module holds without listening (nothing can connect to it) and lets no host
bypass it, MOZ_DISABLE_NONLOCAL_CONNECTIONS forbids connections beyond this machine, and the
background services (updates, telemetry, safe browsing, remote settings, add-on and plugin
updates, captive-portal and connectivity checks, prefetching) are off, so nothing but the page
asks: with the port listening instead, walking two pages and waiting 30 s brought no
connection to it (Firefox 153 ESR).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")

KEYS = {  # WebDriver's code points for the keys the tests press
    "ArrowRight": "\ue014", "ArrowLeft": "\ue012", "Home": "\ue011", "End": "\ue010",
    "Tab": "\ue004", "Enter": "\ue007", "Escape": "\ue00c", "0": "0",
}

# Background services that would otherwise reach out on their own (remote settings alone tries
# a few times a second); refused, they would only fail, but nothing should ask but the page.
QUIET = {
    "app.update.auto": False, "app.update.disabledForTesting": True, "app.update.enabled": False, "app.update.checkInstallTime": False,
    "app.normandy.enabled": False, "app.normandy.api_url": "", "dom.push.connection.enabled": False, "app.shield.optoutstudies.enabled": False,
    "browser.safebrowsing.malware.enabled": False, "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False, "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "", "browser.safebrowsing.provider.google.updateURL": "",
    "browser.shell.checkDefaultBrowser": False, "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0, "browser.newtabpage.enabled": False,
    "browser.newtabpage.activity-stream.feeds.system.topstories": False,
    "browser.newtabpage.activity-stream.feeds.section.topstories": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.search.update": False, "browser.region.network.url": "", "browser.region.update.enabled": False,
    "browser.topsites.contile.enabled": False, "browser.urlbar.merino.endpointURL": "", "browser.urlbar.suggest.quicksuggest.sponsored": False,
    "browser.ping-centre.telemetry": False, "browser.discovery.enabled": False,
    "captivedetect.canonicalURL": "", "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False, "network.trr.mode": 5,
    "network.dns.disablePrefetch": True, "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0, "network.predictor.enabled": False,
    "datareporting.healthreport.uploadEnabled": False, "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False, "toolkit.telemetry.unified": False,
    "toolkit.telemetry.server": "data:,", "toolkit.telemetry.archive.enabled": False,
    "extensions.update.enabled": False, "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False, "extensions.getAddons.discovery.api_url": "data:, ", "extensions.systemAddon.update.enabled": False,
    "services.settings.server": "data:,#remote-settings-dummy/v1", "messaging-system.rsexperimentloader.enabled": False,
    "geo.provider.network.url": "", "media.gmp-manager.url": "data:,", "media.gmp-manager.chromium-update-url": "data:,", "media.gmp-gmpopenh264.enabled": False,
    "media.gmp-widevinecdm.enabled": False, "identity.fxaccounts.enabled": False,
    "security.OCSP.enabled": 0, "security.remote_settings.crlite_filters.enabled": False,
    "security.remote_settings.intermediates.enabled": False,
}


def _pref(name: str, value) -> str:
    return f"user_pref({json.dumps(name)}, {json.dumps(value)});\n"


class _WebSocket:
    """The client side of one WebSocket connection: text messages in and out."""

    def __init__(self, host: str, port: int, path: str, timeout: float):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode("ascii"))
        self._buffer = b""
        while b"\r\n\r\n" not in self._buffer:
            self._buffer += self._read_some()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"the WebSocket upgrade was refused: {head[:200]!r}")

    def _read_some(self) -> bytes:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise EOFError("Firefox closed the WebSocket")
        return chunk

    def _take(self, count: int) -> bytes:
        while len(self._buffer) < count:
            self._buffer += self._read_some()
        taken, self._buffer = self._buffer[:count], self._buffer[count:]
        return taken

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        mask = os.urandom(4)  # a client masks every frame it sends
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send(self, text: str) -> None:
        self._send_frame(0x1, text.encode("utf-8"))

    def receive(self) -> str:
        """The next text message, its fragments joined; answers pings on the way."""
        parts = []
        while True:
            first, second = self._take(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._take(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._take(8))
            mask = self._take(4) if second & 0x80 else None
            payload = self._take(length)
            if mask:
                payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
            if opcode == 0x8:
                raise EOFError("Firefox closed the WebSocket")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode in (0x0, 0x1):
                parts.append(payload)
                if first & 0x80:
                    return b"".join(parts).decode("utf-8")

    def close(self) -> None:
        self.sock.close()


def _value(remote: dict):
    """A BiDi RemoteValue of a primitive as Python (what the tests evaluate returns)."""
    kind = remote["type"]
    if kind in ("undefined", "null"):
        return None
    if kind in ("string", "boolean"):
        return remote["value"]
    if kind == "number":
        value = remote["value"]
        return float(value) if isinstance(value, str) else value  # "NaN", "-0", "Infinity"
    raise TypeError(f"evaluate returned a {kind}; return a primitive (JSON.stringify it)")


class Firefox:
    """One headless Firefox with one tab; use as a context manager."""

    def __init__(self, profile_dir, width: int = 1920, height: int = 1080, timeout: float = 60):
        self.timeout = timeout
        profile = Path(profile_dir)
        profile.mkdir(parents=True, exist_ok=True)
        # a port nothing listens on while the browser runs: bound, never listening
        self._refused = socket.socket()
        self._refused.bind(("127.0.0.1", 0))
        closed = self._refused.getsockname()[1]
        prefs = {"network.proxy.type": 1, "network.proxy.share_proxy_settings": True,
                 "network.proxy.no_proxies_on": "", "network.proxy.allow_hijacking_localhost": True,
                 "network.proxy.socks_remote_dns": True, **QUIET}
        for scheme in ("http", "ssl", "socks"):
            prefs[f"network.proxy.{scheme}"] = "127.0.0.1"
            prefs[f"network.proxy.{scheme}_port"] = closed
        (profile / "user.js").write_text("".join(_pref(k, v) for k, v in prefs.items()),
                                         encoding="utf-8")
        self._log = open(profile / "firefox.log", "wb")
        self.process = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
             "--remote-debugging-port", "0", "about:blank"],
            start_new_session=True, stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT, env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1",
                 # Firefox's own test switch: no connection beyond this machine, and the
                 # remote-settings server above is taken (a release build ignores it otherwise)
                 "MOZ_DISABLE_NONLOCAL_CONNECTIONS": "1"})
        try:
            port = self._port(profile / "WebDriverBiDiServer.json")
            self._socket = _WebSocket("127.0.0.1", port, "/session", timeout)
            self._last_id = 0
            self.events: list[dict] = []
            self.call("session.new", capabilities={})
            # a tab of its own: the one Firefox starts with never has the focus when headless,
            # and a button takes Enter or Space only in a focused window
            first = self.call("browsingContext.getTree")["contexts"][0]["context"]
            self.context = self.call("browsingContext.create", type="tab")["context"]
            self.call("browsingContext.close", context=first)
            self.call("session.subscribe", events=["log.entryAdded", "network.beforeRequestSent"])
            self.resize(width, height)
        except BaseException:
            self._kill()
            raise

    def _port(self, announced: Path) -> int:
        """The BiDi port Firefox chose (it writes it into the profile once it listens)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Firefox exited with {self.process.returncode} on start")
            try:
                return int(json.loads(announced.read_text(encoding="utf-8"))["ws_port"])
            except (OSError, ValueError, KeyError):
                time.sleep(0.1)
        raise TimeoutError("Firefox did not open its WebDriver BiDi port")

    def __enter__(self) -> Firefox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.call("browser.close")
        except Exception:
            pass
        self._kill()

    def _kill(self) -> None:
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        for closable in (getattr(self, "_socket", None), self._refused, self._log):
            if closable is not None:
                closable.close()

    def call(self, method: str, **params) -> dict:
        self._last_id += 1
        self._socket.send(json.dumps({"id": self._last_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            self._socket.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                message = json.loads(self._socket.receive())
            except socket.timeout:
                raise TimeoutError(f"Firefox did not answer {method}") from None
            if message.get("type") == "event":
                self.events.append(message)
            elif message.get("id") == self._last_id:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message['error']}: {message.get('message')}")
                return message["result"]

    def resize(self, width: int, height: int) -> None:
        """The page's viewport, in CSS pixels (one device pixel each)."""
        self.call("browsingContext.setViewport", context=self.context,
                  viewport={"width": width, "height": height}, devicePixelRatio=1)

    def open(self, url: str) -> None:
        """Load `url` and wait until its load event has fired."""
        self.call("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def evaluate(self, expression: str):
        result = self.call("script.evaluate", expression=expression, awaitPromise=False,
                           target={"context": self.context}, resultOwnership="none")
        if result["type"] == "exception":
            raise RuntimeError(f"{expression}: {result['exceptionDetails']['text']}")
        return _value(result["result"])

    def press(self, key: str) -> None:
        """A real key press (keyDown, keyUp) as the keyboard sends it."""
        code = KEYS[key]
        self.call("input.performActions", context=self.context, actions=[
            {"type": "key", "id": "keyboard",
             "actions": [{"type": "keyDown", "value": code}, {"type": "keyUp", "value": code}]}])

    def click(self, x: float, y: float) -> None:
        self.call("input.performActions", context=self.context, actions=[
            {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
             "actions": [{"type": "pointerMove", "x": round(x), "y": round(y)},
                         {"type": "pointerDown", "button": 0},
                         {"type": "pointerUp", "button": 0}]}])

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 5) -> None:
        """Press the left button at `start`, move to `end` in `steps` moves, release."""
        (x0, y0), (x1, y1) = start, end
        moves = [{"type": "pointerMove", "x": round(x0 + (x1 - x0) * step / steps),
                  "y": round(y0 + (y1 - y0) * step / steps)} for step in range(1, steps + 1)]
        self.call("input.performActions", context=self.context, actions=[
            {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
             "actions": [{"type": "pointerMove", "x": round(x0), "y": round(y0)},
                         {"type": "pointerDown", "button": 0}, *moves,
                         {"type": "pointerUp", "button": 0}]}])

    def wheel(self, x: float, y: float, delta_y: float) -> None:
        """One turn of the mouse wheel over (x, y); a negative delta scrolls up."""
        self.call("input.performActions", context=self.context, actions=[
            {"type": "wheel", "id": "wheel", "actions": [
                {"type": "scroll", "x": round(x), "y": round(y), "deltaX": 0,
                 "deltaY": round(delta_y)}]}])

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("browsingContext.captureScreenshot",
                                          context=self.context)["data"])

    def requests(self) -> list[str]:
        return [event["params"]["request"]["url"] for event in self.events
                if event["method"] == "network.beforeRequestSent"]

    def console_errors(self) -> list[str]:
        """Exceptions, console.error/warn calls and the browser's own error messages about the
        page (a Content-Security-Policy violation among them)."""
        return [event["params"]["text"] for event in self.events
                if event["method"] == "log.entryAdded"
                and event["params"]["level"] in ("error", "warn")]
