#!/usr/bin/env python3
"""Reads cargo's JSON messages (`--message-format=json`) on stdin and prints
one path, parsed as JSON rather than matched as text:

  cargo-messages.py staticlib <target-name>   the .a of that library target
  cargo-messages.py out-dir <package-name>    the OUT_DIR of that package's
                                              build script (also reported
                                              when the script was fresh)

Exits 1 when cargo reported no such artifact.
"""
import json
import sys


def package_name(package_id):
    # "registry+https://...#name@1.2.3", "path+file:///dir#name@0.1.0",
    # "path+file:///dir/name#0.1.0" (name = directory), or the older
    # "name 1.2.3 (registry+...)".
    if "#" not in package_id:
        return package_id.split(" ", 1)[0]
    url, fragment = package_id.rsplit("#", 1)
    if "@" in fragment:
        return fragment.split("@", 1)[0]
    return url.rstrip("/").rsplit("/", 1)[-1]


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("staticlib", "out-dir"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, name = sys.argv[1], sys.argv[2]
    found = None
    for line in sys.stdin:
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        reason = message.get("reason")
        if mode == "staticlib" and reason == "compiler-artifact":
            target = message["target"]
            if target["name"] == name and "staticlib" in target["kind"]:
                found = next((f for f in message["filenames"] if f.endswith(".a")), found)
        elif mode == "out-dir" and reason == "build-script-executed":
            if package_name(message["package_id"]) == name:
                found = message["out_dir"]
    if found is None:
        print(f"cargo-messages.py: cargo reported no {mode} for {name}", file=sys.stderr)
        return 1
    print(found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
