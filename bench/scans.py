"""The cost of checking one uploaded image (issue #23): peak memory and time of filings.rules.scans.inspect_upload
on the largest images a principal can send under the upload cap.  Goal: < 150 MB of peak memory above
what the process held before the check.  Each image is checked in a fresh process, whose peak resident
size (VmHWM, reset just before) is compared with its size just before the check; no database is used.

    python bench/run.py scans
"""

import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_MB = 150
HERE = Path(__file__).resolve().parent


def _page(size: tuple[int, int]):
    """Return an RGB page of the given pixel size: the synthetic licence scan of the tests, stretched."""
    from PIL import Image

    from tests.scan_samples import render_scan

    return render_scan(dpi=300).resize(size, Image.Resampling.BILINEAR)


def _encoded(image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _cases() -> dict[str, bytes]:
    """Encode each image once (in this process, which is not measured)."""
    square = _page((7000, 7000))
    grey = square.convert("L")
    cases = {
        "7000x7000 RGBA PNG": _encoded(square.convert("RGBA"), "PNG", compress_level=6),
        "7000x7000 16-bit grey PNG": _encoded(
            grey.convert("I").point(lambda value: value * 257).convert("I;16"), "PNG", compress_level=6
        ),
        "7000x7000 RGB JPEG": _encoded(square, "JPEG", quality=85),
        "7000x7000 RGB progressive JPEG": _encoded(square, "JPEG", quality=85, progressive=True),
    }
    del square, grey
    # At the bounds: an A3 bed at 600 dpi in grey (the pixel bound), a licence at 400 dpi in colour,
    # and the largest colour, transparent and progressive images within the decoded-size bound.
    cases["9921x7016 grey PNG (A3, 600 dpi)"] = _encoded(
        _page((9921, 7016)).convert("L"), "PNG", compress_level=6
    )
    cases["5144x3780 RGB PNG (A4, 400 dpi)"] = _encoded(_page((5144, 3780)), "PNG", compress_level=6)
    cases["5900x4400 RGB PNG"] = _encoded(_page((5900, 4400)), "PNG", compress_level=6)
    cases["5000x4000 RGBA PNG"] = _encoded(_page((5000, 4000)).convert("RGBA"), "PNG", compress_level=6)
    cases["6000x5500 RGB progressive JPEG"] = _encoded(
        _page((6000, 5500)), "JPEG", quality=85, progressive=True
    )
    return cases


def _status_mb(field: str) -> float:
    """Return a memory figure of this process from /proc/self/status (VmRSS now, VmHWM its peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def _reset_peak() -> None:
    # getrusage's peak survives exec, so a child would report its parent's; Linux resets VmHWM on this.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _check_one(path: str) -> dict:
    """Run one upload check in this (fresh) process and report its outcome, time and peak memory."""
    from bench._common import setup_django

    setup_django()
    from django.conf import settings

    from filings.rules.scans import UploadRejected, inspect_upload

    upload = io.BytesIO(Path(path).read_bytes())
    _reset_peak()
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    try:
        result = inspect_upload(
            upload, material_kind="business_licence", max_bytes=settings.MATERIAL_MAX_BYTES
        )
        outcome = f"checked: {result.status} ({result.width}x{result.height})"
    except UploadRejected as error:
        outcome = f"refused: {error.code}"
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    return {"outcome": outcome, "seconds": seconds, "peak_mb": max(0.0, peak - before)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(_check_one(argv[1])))
        return 0
    sys.path.insert(0, str(HERE.parent))
    from bench._common import setup_django

    setup_django()
    print(f"goal: one check < {GOAL_MB} MB of peak memory", flush=True)
    missed = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, data in _cases().items():
            path = Path(folder) / "upload"
            path.write_bytes(data)
            child = subprocess.run(
                [sys.executable, str(HERE / "run.py"), "scans", "--", "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            report = json.loads(child.stdout.strip().splitlines()[-1])
            met = report["peak_mb"] < GOAL_MB
            missed += not met
            print(
                f"{name:34} {len(data) / 2**20:5.1f} MB file  {report['outcome']:40} "
                f"{report['seconds']:5.2f} s  peak {report['peak_mb']:6.1f} MB  {'met' if met else 'MISSED'}",
                flush=True,
            )
    print(f"\n{'all goals met' if not missed else f'{missed} goal(s) MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
