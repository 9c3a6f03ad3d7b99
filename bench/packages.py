"""The cost of one bureau package (issue #26): time and peak memory of fitting a filing's materials into
each bureau's rules, the cover sheet and the zip, for a large filing's materials (a 400 dpi colour
licence, four ID sides at 600 dpi, three A4 pages at 300 dpi, one of them PNG).  Goal: under 60 s per
package, far inside the task's soft limit (600 s), and under 300 MB of peak memory.  Each province runs
in a fresh process (peak resident size, VmHWM, compared with its size before); no database is used:
loading one filing and its checklist is a few queries (tests/test_packages.py covers them).

    python bench/run.py packages
"""

import json
import subprocess
import sys
import time
from pathlib import Path

GOAL_S = 60.0
GOAL_MB = 300
HERE = Path(__file__).resolve().parent
PROVINCES = ("44", "11", "31", "default")
MATERIALS = (
    ("business_licence", 400, "JPEG"),
    ("id_front", 600, "JPEG"),
    ("id_back", 600, "JPEG"),
    ("id_front", 600, "JPEG"),
    ("id_back", 600, "JPEG"),
    ("pledge", 300, "JPEG"),
    ("construction_plan", 300, "PNG"),
    ("authorisation", 300, "JPEG"),
)


def _vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return 0


def _one(province: str) -> dict:
    """Build one package's files in this process and return its figures."""
    import hashlib
    import io
    import zipfile

    from bench._common import setup_django

    setup_django()
    from django.utils import translation

    from filings.rules.packaging import bureaus, cover, fit
    from tests.scan_samples import encode, render_scan

    scans = [
        (kind, dpi, encode(render_scan(dpi=dpi, kind=kind), fmt=fmt, dpi=dpi), fmt)
        for kind, dpi, fmt in MATERIALS
    ]
    rules = bureaus.DEFAULT if province == "default" else bureaus.BUREAUS[province]
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current size
    before = _vm("VmRSS")
    started = time.perf_counter()
    items = []
    with translation.override("zh-hans"):
        for position, (kind, dpi, data, fmt) in enumerate(scans, start=1):
            (fitted,) = fit.fit(
                data, content_type=f"image/{fmt.lower()}", dpi=dpi, rule=rules.items[kind], label=kind
            )
            items.append((f"{position:02d}-{kind}.{fitted.ext}", fitted.data))
        sheet = cover.cover_sheet(
            title="ICP备案材料包",
            facts=[("主体名称", "深圳市星河云帆科技有限公司")],
            items=[
                cover.CoverItem(i, name, name, f"{len(data)} B", hashlib.sha256(data).hexdigest())
                for i, (name, data) in enumerate(items, start=1)
            ],
            footer="bench",
        )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("00-cover.pdf", sheet)
            for name, data in items:
                archive.writestr(name, data)
    elapsed = time.perf_counter() - started
    return {
        "province": province,
        "seconds": round(elapsed, 2),
        "peak_mb": _vm("VmHWM") - before,
        "zip_kb": out.tell() // 1024,
        "input_kb": sum(len(s[2]) for s in scans) // 1024,
    }


def main(args: list[str]) -> int:
    if args and args[0] == "--one":
        print(json.dumps(_one(args[1])))
        return 0
    status = 0
    for province in PROVINCES:
        run = subprocess.run(
            [sys.executable, str(HERE / "run.py"), "packages", "--", "--one", province],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        ok = figures["seconds"] < GOAL_S and figures["peak_mb"] < GOAL_MB
        status |= 0 if ok else 1
        print(
            f"{province:>7}: {figures['seconds']:6.2f} s, peak +{figures['peak_mb']} MB, "
            f"{figures['input_kb']} KB of scans -> {figures['zip_kb']} KB zip "
            f"(goal < {GOAL_S:.0f} s, < {GOAL_MB} MB: {'met' if ok else 'MISSED'})"
        )
    return status
