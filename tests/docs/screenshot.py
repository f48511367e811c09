"""Regenerate the README's images from the demo: docs/demo.png and docs/report-spend-by-tier.png.

    python tests/docs/screenshot.py

Needs Chromium (``/usr/bin/chromium``), matplotlib (the ``test`` extra) and, for the emoji of
the severity badges, a colour emoji font (Debian: ``apt-get install fonts-noto-color-emoji``).

docs/demo.png is the demo's PR page with the review's first inline comment only (the others
are hidden), down to the end of the summary comment.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
WIDTH = 1100


def _screenshot(page: Path, out: Path, height: int) -> None:
    profile = tempfile.mkdtemp()
    try:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
             f"--window-size={WIDTH},{height}", f"--screenshot={out}", page.as_uri()],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# Keep the README image short: only the review's first inline comment is shown.
_ONLY_FIRST_COMMENT = "<style>.inline ~ .inline{display:none}</style></head>"


def demo_png(work: Path) -> Path:
    """Run the demo and screenshot its PR page, trimmed to the first inline comment."""
    out = work / "demo"
    subprocess.run([sys.executable, "-m", "pr_router.cli", "demo", "--out", str(out)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    page = work / "page.html"
    html = (out / "conversation.html").read_text(encoding="utf-8")
    page.write_text(html.replace("</head>", _ONLY_FIRST_COMMENT, 1), encoding="utf-8")
    shot = work / "page.png"
    _screenshot(page, shot, 6000)
    image = mpimg.imread(shot)[:, :, :3]
    content = np.where((image < 0.98).any(axis=(1, 2)))[0]
    target = ROOT / "docs" / "demo.png"
    mpimg.imsave(target, image[: int(content.max()) + 24])
    return target


def report_png(work: Path) -> Path:
    """The spend-by-tier chart of ``pr-router report`` on the demo's ledger."""
    ledger = work / "demo" / "ledger.jsonl"
    charts = work / "charts"
    subprocess.run([sys.executable, "-m", "pr_router.cli", "report", str(ledger),
                    "--charts", str(charts)], check=True, capture_output=True, timeout=300)  # fmt: skip
    target = ROOT / "docs" / "report-spend-by-tier.png"
    shutil.copyfile(charts / "spend-by-tier.png", target)
    return target


def main() -> None:
    """Write both images."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for path in (demo_png(work), report_png(work)):
            print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
