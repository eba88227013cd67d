#!/usr/bin/env python3
"""Copy the front-end files (query workbench, API docs) from node_modules (`npm ci`) into api/static/vendor/.

Run by `make assets` after `npm ci`. Nothing is fetched here and nothing is vendored by hand:
api/static/vendor/ is gitignored and rebuilt from the locked npm packages.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "api" / "static" / "vendor"

# package -> files to copy (relative to the package) and the folder they go to under vendor/
FILES: dict[str, tuple[str, list[str]]] = {
    "@zazuko/yasgui": (
        "yasgui",
        ["build/yasgui.min.js", "build/yasgui.min.css", "build/yasgui.min.js.map", "LICENSE", "package.json"],
    ),
    # the API documentation pages (/docs, /redoc), served from here rather than a CDN
    "swagger-ui-dist": (
        "swagger-ui",
        ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE", "package.json"],
    ),
    "redoc": ("redoc", ["bundles/redoc.standalone.js", "LICENSE", "package.json"]),
}
REQUIRED = {"build/yasgui.min.js", "build/yasgui.min.css", "package.json",
            "swagger-ui-bundle.js", "swagger-ui.css", "bundles/redoc.standalone.js"}


def main() -> int:
    if not MODULES.is_dir():
        print(f"build_assets: {MODULES} is missing; run `npm ci` first", file=sys.stderr)
        return 1
    copied = 0
    for package, (target, files) in FILES.items():
        src_root = MODULES / package
        dest = VENDOR / target
        dest.mkdir(parents=True, exist_ok=True)
        for rel in files:
            src = src_root / rel
            if not src.is_file():
                if rel in REQUIRED:
                    print(f"build_assets: {src} is missing (is {package} installed?)", file=sys.stderr)
                    return 1
                continue
            shutil.copy2(src, dest / Path(rel).name)
            copied += 1
    print(f"build_assets: {copied} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
