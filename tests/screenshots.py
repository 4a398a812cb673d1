"""Remake the README's screenshots of the step-through page with headless Chromium.

    python tests/screenshots.py

renders `bpdiag render --to-layer 2 --format html` into a temporary folder and photographs step 4
of its page at 1920×1080 (a slide) and 890×900 (a docs page) into out/screenshots/. The same bpdiag,
Chromium and fonts give the same pixels.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"
SHOTS = {"step-through.png": (1920, 1080), "step-through-890.png": (890, 900)}
STEP = 4


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        sys.exit("screenshots.py: needs Chromium (chromium, chromium-browser or google-chrome on PATH)")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "bpdiag", "render", "--to-layer", "2", "--format",
                        "html", "--out", folder], check=True, stdout=subprocess.DEVNULL)
        page = (Path(folder) / "backprop_to_layer_2.html").as_uri() + f"#step-{STEP}"
        for name, (width, height) in SHOTS.items():
            # virtual time: the page's fades have ended when the picture is taken
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", "--no-first-run", "--virtual-time-budget=3000",
                            f"--user-data-dir={folder}/profile", "--proxy-server=http://127.0.0.1:9",
                            f"--window-size={width},{height}", f"--screenshot={SCREENSHOTS / name}", page],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(SCREENSHOTS / name)


if __name__ == "__main__":
    main()
