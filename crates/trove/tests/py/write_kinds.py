"""Write artifact files exactly the way ClearML 1.17's Artifacts.upload_artifact does, for trove to read back.

Usage: python write_kinds.py FOLDER
Writes the files into FOLDER and prints a JSON manifest: [{"name", "kind", "content_type", "path"}].
"""
import gzip
import json
import os
import sys
import zipfile

import numpy as np
import pandas as pd
from PIL import Image


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    manifest = []

    def add(name, kind, ct, path):
        manifest.append({"name": name, "kind": kind, "content_type": ct, "path": path})

    df = pd.DataFrame(
        {"num_legs": [2, 4, 8, 0], "ratio": [0.5, None, 1.0, -2.25], "note": ["a,b", 'q"uote', "ünï", "x y"]},
        index=["falcon", "dog", "spider", "fish"],
    )
    p = os.path.join(out, "Pandas.csv.gz")
    with gzip.GzipFile(p, "wb", mtime=0) as g:
        df.to_csv(g)
    add("Pandas", "pandas", "text/csv", p)
    p = os.path.join(out, "train.csv.gz")
    with gzip.GzipFile(p, "wb", mtime=0) as g:
        df.to_csv(g, index=False)
    add("train", "data-audit-table", "text/csv", p)
    p = os.path.join(out, "frame.parquet")
    df.to_parquet(p)
    add("frame", "pandas", "application/parquet", p)

    p = os.path.join(out, "Numpy Eye.npz")
    np.savez_compressed(p, **{"Numpy Eye": np.eye(5, 4)})
    add("Numpy Eye", "numpy", "application/numpy", p)
    p = os.path.join(out, "ints.npz")
    np.savez_compressed(p, **{"ints": np.arange(24, dtype=np.int32).reshape(2, 3, 4)})
    add("ints", "numpy", "application/numpy", p)
    p = os.path.join(out, "arr.csv.gz")
    np.savetxt(p, np.array([[1.5, -2.0], [1e-9, 3.0]]), delimiter=",")
    add("arr", "numpy", "text/csv", p)

    p = os.path.join(out, "dictionary.json")
    with open(p, "wb") as f:
        f.write(json.dumps({"b": [1, 2.0, None], "a": {"é": "ü"}}, sort_keys=True, indent=4).encode())
    add("dictionary", "dict", "application/json", p)

    p = os.path.join(out, "pillow_image.png")
    img = Image.new("RGB", (3, 2))
    img.putdata([(x * 80, y * 100, 7) for y in range(2) for x in range(3)])
    img.save(p)
    add("pillow_image", "image", "image/png", p)

    p = os.path.join(out, "text.txt")
    with open(p, "wt") as f:
        f.write("hello world text")
    add("text", "string", "text/plain", p)

    src = os.path.join(out, "data_samples")
    os.makedirs(os.path.join(src, "sub"), exist_ok=True)
    with open(os.path.join(src, "a.txt"), "w") as f:
        f.write("alpha")
    with open(os.path.join(src, "sub", "b.txt"), "w") as f:
        f.write("beta")
    p = os.path.join(out, "data_samples.zip")
    with zipfile.ZipFile(p, "w", allowZip64=True, compression=zipfile.ZIP_DEFLATED) as zf:
        for name in ["a.txt", "sub/b.txt"]:
            zf.write(os.path.join(src, name), arcname=name)
    add("local folder", "archive", "application/zip", p)

    json.dump(manifest, sys.stdout)


if __name__ == "__main__":
    main()
