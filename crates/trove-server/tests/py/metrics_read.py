"""Second process: read back with the unmodified ClearML SDK what metrics_report.py reported and compare.
Prints OK when everything matches; an AssertionError names what did not.

Usage: metrics_read.py TASK_ID"""
import json
import sys

from clearml import Task

ITERS = 20


def check(what, got, expected):
    assert got == expected, f"{what}: got {got!r}, expected {expected!r}"


def main():
    task = Task.get_task(task_id=sys.argv[1])
    train = [i * 0.5 for i in range(ITERS)]
    acc = [i / 4 for i in range(ITERS - 1)] + [100.0]

    # get_reported_scalars: iter (default), timestamp and iso_time x-axes, max_samples.
    scalars = task.get_reported_scalars()
    check("scalar titles", sorted(scalars), ["accuracy", "loss"])
    check("loss series", sorted(scalars["loss"]), ["train", "val"])
    check("loss/train x", scalars["loss"]["train"]["x"], list(range(ITERS)))
    check("loss/train y", scalars["loss"]["train"]["y"], train)
    check("loss/val y", scalars["loss"]["val"]["y"], [10.0 - i for i in range(ITERS)])
    check("accuracy/acc y (re-reported value replaced)", scalars["accuracy"]["acc"]["y"], acc)
    check("no single values in scalars", "Summary" in scalars, False)
    sampled = task.get_reported_scalars(max_samples=5)
    check("sampled x", sampled["loss"]["train"]["x"], [0, 4, 8, 12, 16])
    check("sampled y (bucket means)", sampled["loss"]["train"]["y"], [sum(train[k:k + 4]) / 4 for k in range(0, ITERS, 4)])
    by_time = task.get_reported_scalars(x_axis="timestamp")
    xs = [x for s in by_time["loss"].values() for x in s["x"]]
    assert xs and all(isinstance(x, int) and x > 1_600_000_000_000 for x in xs), xs
    # Scalars reported within one millisecond share a bucket (their mean), so there are at most ITERS points.
    assert 0 < len(by_time["loss"]["train"]["x"]) <= ITERS, by_time["loss"]["train"]
    by_iso = task.get_reported_scalars(x_axis="iso_time")
    xs = by_iso["loss"]["train"]["x"]
    assert xs and all(isinstance(x, str) and len(x) == 24 and x.endswith("Z") for x in xs), xs

    # get_all_reported_scalars: every event, by iteration.
    every = task.get_all_reported_scalars()
    check("all loss/train x", every["loss"]["train"]["x"], list(range(ITERS)))
    check("all loss/train y", every["loss"]["train"]["y"], train)
    check("all accuracy/acc y", every["accuracy"]["acc"]["y"], acc)
    iso = task.get_all_reported_scalars(x_axis="iso_time")
    assert all(x.endswith("Z") for x in iso["loss"]["val"]["x"]), iso["loss"]["val"]["x"]

    # get_last_scalar_metrics: tasks.get_by_id's last_metrics.
    last = task.get_last_scalar_metrics()
    check("last loss/train", last["loss"]["train"], {"last": 9.5, "min": 0.0, "max": 9.5})
    check("last loss/val", last["loss"]["val"], {"last": -9.0, "min": -9.0, "max": 10.0})
    check("last accuracy/acc", last["accuracy"]["acc"]["last"], 100.0)
    check("last Summary/best", last["Summary"]["best"]["last"], 0.875)

    # Single values.
    check("single values", task.get_reported_single_values(), {"best": 0.875, "epochs": float(ITERS)})
    check("single value", task.get_reported_single_value("epochs"), float(ITERS))
    check("missing single value", task.get_reported_single_value("nope"), None)

    # Plots: the newest of each metric/variant, plotly JSON text.
    plots = task.get_reported_plots()
    titles = sorted({p["metric"] for p in plots})
    check("plot titles", titles, ["confusion", "hist", "scatter"])
    for p in plots:
        check("plot iteration", p["iter"], ITERS - 1)
        fig = json.loads(p["plot_str"])
        assert fig.get("data"), p
        check("plot_len", p["plot_len"], len(p["plot_str"]))

    # Console: the last n lines, oldest first.
    lines = task.get_reported_console_output(1000)
    flat = [line for entry in lines for line in entry.splitlines()]
    ours = [line for line in flat if line.startswith("console line ")]
    check("console lines in order", ours, [f"console line {i}" for i in range(10)])
    # The SDK merges buffered lines into one report, so how many reports there are varies (at least the
    # startup lines and the TASK_ID line, seconds apart).
    assert len(lines) >= 2, lines
    for n in range(1, min(4, len(lines))):
        # The last n reports, oldest first (more only when several share the boundary's timestamp).
        tail = task.get_reported_console_output(n)
        assert len(tail) >= n, (n, tail)
        check(f"last {n} console reports", tail, lines[-len(tail):])
    first = task.get_reported_console_output(1)
    assert first != lines[:1] and first == lines[-1:], ("the first report, not the last", first, lines)
    print("OK")


if __name__ == "__main__":
    main()
