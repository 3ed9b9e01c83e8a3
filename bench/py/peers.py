"""The Python peers of each workload: the official ClearML SDK (against `trove server`, or offline with
CLEARML_OFFLINE_MODE=1), MLflow (local file store or `mlflow server --serve-artifacts`), and plain pandas.

Usage: peers.py <workload> --impl <impl> [options]. Prints one JSON line of measurements (like trove-bench):
`seconds` is the timed region (the work only: imports, input loading and Task.init are outside it unless the
workload says otherwise), `rss_kib` the process's peak RSS (VmHWM).
"""
import argparse
import glob
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile


def peak_rss_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def emit(impl, **kw):
    kw["impl"] = impl
    kw["rss_kib"] = peak_rss_kib()
    print(json.dumps(kw), flush=True)


def sha256_file(path, block=65536):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(block), b""):
            h.update(chunk)
    return h.hexdigest()


def clearml_way_csv_gz(df, path, name="frame"):
    """ClearML's DataFrame serialisation: to_csv (with index) through GzipFile(mtime=0) level 9, then sha256."""
    with gzip.GzipFile(filename=name + ".csv", fileobj=open(path, "wb"), mode="wb", mtime=0, compresslevel=9) as gz:
        df.to_csv(gz)
    return sha256_file(path)


# ---------------------------------------------------------------------------------------------- backends
class Clearml:
    """ClearML SDK; online/offline is chosen by the environment the driver sets."""

    def __init__(self, name, output_uri=None):
        from clearml import Task

        self.task = Task.init(project_name="bench", task_name="bench " + name, output_uri=output_uri,
                              reuse_last_task_id=False)

    def upload(self, name, obj, wait=True, ext=None):
        kw = {"extension_name": ext} if ext else {}
        ok = self.task.upload_artifact(name, artifact_object=obj, wait_on_upload=wait, **kw)
        if ok is False:
            raise RuntimeError(f"upload_artifact({name!r}) returned False")

    def size_of(self, name):
        a = self.task.artifacts.get(name)
        return int(a.size) if a is not None and a.size is not None else None

    def flush(self):
        self.task.flush(wait_for_uploads=True)

    def close(self):
        self.task.close()


class Mlflow:
    def __init__(self, name, tracking_uri):
        import mlflow

        self.mlflow = mlflow
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_experiment("bench")
        self.run = mlflow.start_run(run_name="bench " + name)
        self.tmp = tempfile.mkdtemp(prefix="mlflow-bench-")

    def close(self):
        self.mlflow.end_run()
        shutil.rmtree(self.tmp, ignore_errors=True)


def backend(args, name, output_uri=None):
    if args.impl.startswith("clearml"):
        return Clearml(name, output_uri)
    if args.impl.startswith("mlflow"):
        return Mlflow(name, args.tracking_uri)
    raise SystemExit(f"unknown impl {args.impl}")


# ---------------------------------------------------------------------------------------------- workloads
def w1(args):
    """The seed example end to end (examples/reporting/artifacts.py without its sleep(1)), timed from before
    the SDK import to after close; the driver also times the whole process."""
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd
    from PIL import Image

    samples = args.samples
    df = pd.DataFrame({"num_legs": [2, 4, 8, 0], "num_wings": [2, 0, 0, 0], "num_specimen_seen": [10, 2, 1, 8]},
                      index=["falcon", "dog", "spider", "fish"])
    if args.impl.startswith("clearml"):
        from clearml import Task

        task = Task.init(project_name="examples", task_name="artifacts example")
        task.register_artifact("train", df, metadata={"counting": "legs", "max legs": 69})
        df.sample(frac=0.5, replace=True, random_state=1)
        Task.current_task().get_registered_artifacts()["train"].sample(frac=0.5, replace=True, random_state=1)
        task.upload_artifact("Pandas", artifact_object=df)
        task.upload_artifact("local file", artifact_object=os.path.join(samples, "dancing.jpg"))
        task.upload_artifact("dictionary", df.to_dict())
        task.upload_artifact("Numpy Eye", np.eye(100, 100))
        task.upload_artifact("pillow_image", Image.open(os.path.join(samples, "dancing.jpg")))
        task.upload_artifact("local folder", artifact_object=samples)
        task.upload_artifact("wildcard jpegs", artifact_object=os.path.join(samples, "*.jpg"))
        task.close()
    else:
        # MLflow has no object serialisation for most kinds: do it the way an MLflow user would.
        b = Mlflow("artifacts example", args.tracking_uri)
        m = b.mlflow
        for n in ("train", "Pandas"):
            p = os.path.join(b.tmp, n + ".csv.gz")
            df.to_csv(p)
            m.log_artifact(p)
        m.log_artifact(os.path.join(samples, "dancing.jpg"))
        m.log_dict(df.to_dict(), "dictionary.json")
        p = os.path.join(b.tmp, "Numpy Eye.npz")
        np.savez_compressed(p, **{"Numpy Eye": np.eye(100, 100)})
        m.log_artifact(p)
        m.log_image(Image.open(os.path.join(samples, "dancing.jpg")), "pillow_image.png")
        m.log_artifacts(samples, "local folder")
        for f in sorted(glob.glob(os.path.join(samples, "*.jpg"))):
            m.log_artifact(f, "wildcard jpegs")
        b.close()
    emit(args.impl, workload="w1", seconds=time.perf_counter() - t0)


def w2(args):
    """A frame as csv.gz (ClearML's format: with index, gzip level 9) or parquet, to a local folder."""
    import pandas as pd

    df = pd.read_parquet(args.input)
    ext = args.ext
    if args.impl == "pandas":
        # The serialisation alone, as ClearML does it, plus the sha256 ClearML computes.
        path = os.path.join(args.dest, "frame" + ext)
        t0 = time.perf_counter()
        if ext == ".csv.gz":
            clearml_way_csv_gz(df, path)
        else:
            df.to_parquet(path)
            sha256_file(path)
        secs = time.perf_counter() - t0
        emit(args.impl, workload="w2", format=ext, seconds=secs, bytes=os.path.getsize(path), rows=len(df))
        return
    b = backend(args, "w2", output_uri=args.dest if args.impl == "clearml-server" else None)
    t0 = time.perf_counter()
    if isinstance(b, Clearml):
        b.upload("frame", df, wait=True, ext=ext)
        size = b.size_of("frame")
    else:
        path = os.path.join(b.tmp, "frame" + ext)
        if ext == ".csv.gz":
            df.to_csv(path)  # pandas picks gzip (level 9) from the name
        else:
            df.to_parquet(path)
        size = os.path.getsize(path)
        b.mlflow.log_artifact(path)
    secs = time.perf_counter() - t0
    b.close()
    emit(args.impl, workload="w2", format=ext, seconds=secs, bytes=size, rows=len(df))


def w3(args):
    """A folder as a zip artifact."""
    b = backend(args, "w3", output_uri=args.dest if args.impl == "clearml-server" else None)
    t0 = time.perf_counter()
    if isinstance(b, Clearml):
        b.upload("folder", args.folder, wait=True)
        size = b.size_of("folder")
    else:
        path = os.path.join(b.tmp, "folder.zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            for f in sorted(os.listdir(args.folder)):
                z.write(os.path.join(args.folder, f), f)
        size = os.path.getsize(path)
        b.mlflow.log_artifact(path)
    secs = time.perf_counter() - t0
    b.close()
    emit(args.impl, workload="w3", seconds=secs, bytes=size)


def w4(args):
    """One big file to a local folder destination (ClearML hashes it; MLflow copies without a hash)."""
    size = os.path.getsize(args.file)
    b = backend(args, "w4", output_uri=args.dest if args.impl == "clearml-server" else None)
    t0 = time.perf_counter()
    if isinstance(b, Clearml):
        b.upload("big", args.file, wait=True)
    else:
        b.mlflow.log_artifact(args.file)
    secs = time.perf_counter() - t0
    b.close()
    emit(args.impl, workload="w4", seconds=secs, bytes=size)


def w5(args):
    """`count` small dict artifacts on one task/run, timed until every upload is done."""
    b = backend(args, "w5")
    t0 = time.perf_counter()
    for i in range(args.count):
        d = {"step": i, "loss": 1.0 / (i + 1.0), "tag": "epoch-end", "ok": True}
        if isinstance(b, Clearml):
            b.upload(f"d{i:05}", d, wait=False)
        else:
            b.mlflow.log_dict(d, f"d{i:05}.json")
    if isinstance(b, Clearml):
        b.flush()
    secs = time.perf_counter() - t0
    b.close()
    emit(args.impl, workload="w5", seconds=secs, count=args.count, per_second=args.count / secs)


def w6(args):
    """ClearML's change check of a registered frame: serialise to csv.gz level 9 and sha256 the file."""
    import pandas as pd

    df = pd.read_parquet(args.input)
    times = []
    path = os.path.join(args.dest, "frame.csv.gz")
    for _ in range(args.checks):
        t0 = time.perf_counter()
        clearml_way_csv_gz(df, path)
        times.append(time.perf_counter() - t0)
    times.sort()
    emit(args.impl, workload="w6", check_seconds=times[len(times) // 2], sync_seconds=times[len(times) // 2])


def w7_client(args):
    """One of N concurrent clients uploading every file of a folder to the server."""
    files = sorted(os.path.join(args.dir, f) for f in os.listdir(args.dir))
    total = sum(os.path.getsize(f) for f in files)
    b = backend(args, f"w7-client-{args.client}")
    if args.barrier:
        # Ready once the task is open; upload when the driver says go (all clients at the same time).
        open(os.path.join(args.barrier, f"ready-{args.client}"), "w").close()
        while not os.path.exists(os.path.join(args.barrier, "go")):
            time.sleep(0.001)
    start = time.time()
    for i, f in enumerate(files):
        if isinstance(b, Clearml):
            b.upload(f"blob{i:04}", f, wait=False)
        else:
            b.mlflow.log_artifact(f)
    if isinstance(b, Clearml):
        b.flush()
    end = time.time()
    b.close()
    emit(args.impl, workload="w7", start=start, end=end, bytes=total, files=len(files), seconds=end - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["w1", "w2", "w3", "w4", "w5", "w6", "w7-client"])
    p.add_argument("--impl", required=True)
    p.add_argument("--tracking-uri")
    p.add_argument("--samples")
    p.add_argument("--input")
    p.add_argument("--ext", default=".csv.gz")
    p.add_argument("--dest")
    p.add_argument("--folder")
    p.add_argument("--file")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--checks", type=int, default=1)
    p.add_argument("--dir")
    p.add_argument("--client", type=int, default=0)
    p.add_argument("--barrier")
    args = p.parse_args()
    {"w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5, "w6": w6, "w7-client": w7_client}[args.workload](args)


if __name__ == "__main__":
    sys.exit(main())
