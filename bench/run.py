"""Run the benchmarks: `python bench/run.py [name ...] [-- args]` imports bench/<name>.py and calls main(args).

With no names every bench/*.py module (except this one) runs in turn."""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str]) -> int:
    names, args = argv, []
    if "--" in argv:
        split = argv.index("--")
        names, args = argv[:split], argv[split + 1 :]
    if not names:
        names = sorted(
            p.stem
            for p in HERE.glob("*.py")
            if p.stem not in {"run", "__init__"} and not p.stem.startswith("_")
        )
    status = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name} ==", flush=True)
        status |= module.main(args) or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
