"""A second process: Dataset.get(dataset_id).get_local_copy() and get_mutable_local_copy(); prints every file
as `FILE <relative path> <content>` (one line per file, newlines escaped), then OK. argv: <id> <copy dir>."""
import os
import sys

from clearml import Dataset

ds = Dataset.get(dataset_id=sys.argv[1])
for root in (ds.get_local_copy(), ds.get_mutable_local_copy(sys.argv[2])):
    found = []
    for base, _, names in os.walk(root):
        for n in names:
            p = os.path.join(base, n)
            rel = os.path.relpath(p, root).replace(os.sep, "/")
            with open(p) as f:
                found.append((rel, f.read()))
    for rel, text in sorted(found):
        print("FILE", rel, text.replace("\n", "\\n"), flush=True)
print("OK", flush=True)
