"""Read the files trove serialised, the way ClearML's Artifact.get() does, and print their values as JSON.

Usage: python read_kinds.py MANIFEST.json
MANIFEST is a list of {"name", "kind", "content_type", "path"} objects.
"""
import gzip
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import zipfile
from urllib.parse import quote

import numpy as np
import pandas as pd
from PIL import Image


def plain(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return finite(v.item() if hasattr(v, "item") else v)


def finite(v):
    """JSON has no NaN/inf: such floats are given as their repr ("nan", "inf")."""
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


def frame_out(df):
    return {
        "index": [str(i) for i in df.index],
        "columns": [str(c) for c in df.columns],
        "data": {str(c): [plain(v) for v in df[c].tolist()] for c in df.columns},
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "repr": repr(df),
    }


def clearml_csv_gz(df, name, **kwargs):
    """Write df the way ClearML 1.17 does (Artifacts._store_compressed_pd_csv) and return the text and hash."""
    folder = tempfile.mkdtemp(prefix="artifacts_")
    path = os.path.join(folder, quote(name, safe="").rstrip(".") + ".csv.gz")
    with gzip.GzipFile(path, "wb", mtime=0) as gzip_file:
        df.to_csv(gzip_file, **kwargs)
    with open(path, "rb") as f:
        data = f.read()
    shutil.rmtree(folder)
    return {"csv": gzip.decompress(data).decode(), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def read(a):
    name, kind, ct, path = a["name"], a["kind"], a.get("content_type"), a["path"]
    if kind == "pandas":
        if ct == "application/parquet":
            return frame_out(pd.read_parquet(path))
        df = pd.read_csv(path, index_col=[0])
        df.index.name = None
        out = frame_out(df)
        out["clearml"] = clearml_csv_gz(df, name)
        return out
    if kind == "data-audit-table":
        df = pd.read_csv(path)
        out = frame_out(df)
        out["clearml"] = clearml_csv_gz(df, name, index=False)
        return out
    if kind == "numpy":
        if ct == "text/csv":
            arr = np.genfromtxt(path, delimiter=",")
            keys = []
        else:
            with np.load(path, allow_pickle=False) as z:
                keys = list(z.keys())
                arr = z[name]
        return {"dtype": str(arr.dtype), "shape": list(arr.shape), "values": [finite(v) for v in arr.ravel().tolist()], "keys": keys,
                "repr": repr(arr)}
    if kind == "image":
        with Image.open(path) as im:
            im.load()
            return {"mode": im.mode, "size": list(im.size), "format": im.format,
                    "pixels": [list(p) if isinstance(p, tuple) else p for p in im.getdata()]}
    if kind == "dict":
        with open(path, "rt") as f:
            return json.load(f)
    if kind == "string":
        with open(path, "rt") as f:
            return f.read()
    if kind == "archive":
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad is not None:
                raise ValueError("corrupt member %s" % bad)
            return {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    out = {a["name"]: read(a) for a in manifest}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
