"""Files the project generates from its code and commits: written on request, or checked."""
import sys


def write_or_check(path, text, command, check):
    """Write `text` to `path`; with `check`, only say whether the committed file is current."""
    if check:
        if not path.exists() or path.read_text() != text:
            print(f"{path} is stale: run `doorstroom {command}`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}")
    return 0
