"""Adds the project tables' schemas to a pact package.

Usage: `PYTHONPATH=src python scripts/add_project_resources.py packages/NAME`.
"""

import json
import sys
from pathlib import Path

from patto.projects.schema import RESOURCES

if __name__ == "__main__":
    path = Path(sys.argv[1]) / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    names = {r["name"] for r in RESOURCES}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in names]
    descriptor["resources"].extend(RESOURCES)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
