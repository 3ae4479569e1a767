"""Run every benchmark module in bench/ (each has a ``main()``) in turn."""
import importlib
import pkgutil
import sys

import bench


def main() -> int:
    wanted = set(sys.argv[1:])
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")):
        if wanted and module not in wanted:
            continue
        print(f"== bench/{module}.py")
        importlib.import_module(f"bench.{module}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
