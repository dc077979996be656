"""`make report`: print the path of the report's overview page; open nothing."""

import sys

from orchestration.report.site import LINK_NAME, OVERVIEW
from orchestration.settings import current_settings


def main() -> int:
    overview = current_settings().warehouse_dir / LINK_NAME / OVERVIEW
    if not overview.exists():
        print(f"No report yet at {overview}: `make run` builds it.", file=sys.stderr)
        return 1
    print(overview)
    return 0


if __name__ == "__main__":
    sys.exit(main())
