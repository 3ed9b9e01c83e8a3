"""Read the seed example recorded by the trove Rust SDK (examples/artifacts.rs) with the unmodified ClearML
Python SDK: find the task by project and name, .get() every artifact and compare it with what the Rust code
uploaded. Prints OK when everything matches.

usage: check_rust_seed.py <data_samples folder the Rust seed uploaded>"""
import filecmp
import os
import sys

import numpy as np
import pandas as pd
from PIL import Image
from clearml import Task

samples = sys.argv[1]
labels = ["falcon", "dog", "spider", "fish"]
columns = ["num_legs", "num_wings", "num_specimen_seen"]
values = [[2, 2, 10], [4, 0, 2], [8, 0, 1], [0, 0, 8]]

task = Task.get_task(project_name="examples", task_name="artifacts example")
print("task", task.id, task.get_status())
assert task.get_status() == "completed", task.get_status()
arts = task.artifacts
want = {"train", "Pandas", "local file", "dictionary", "Numpy Eye", "pillow_image", "local folder", "wildcard jpegs"}
assert set(arts.keys()) == want, f"artifact names: {sorted(arts.keys())}"
for name, a in arts.items():
    print(name, a.type, a.url)


def same_tree(a, b, names):
    got = sorted(os.listdir(a))
    assert got == sorted(names), f"{a}: {got} != {sorted(names)}"
    for n in names:
        assert filecmp.cmp(os.path.join(a, n), os.path.join(b, n), shallow=False), f"{n} differs"


df = arts["Pandas"].get()
assert isinstance(df, pd.DataFrame), type(df)
assert list(df.index) == labels, df.index
assert list(df.columns) == columns, df.columns
assert df.values.tolist() == values, df.values

train = arts["train"].get()
assert isinstance(train, pd.DataFrame), f"train came back as {type(train)}"
assert isinstance(train.index, pd.RangeIndex), train.index
assert list(train.columns) == columns, train.columns
assert train.values.tolist() == values, train
assert arts["train"].metadata.get("counting") == "legs", arts["train"].metadata
assert arts["train"].metadata.get("max legs") == "69", arts["train"].metadata

d = arts["dictionary"].get()
expected = {c: {label: row[i] for label, row in zip(labels, values)} for i, c in enumerate(columns)}
assert d == expected, d

eye = arts["Numpy Eye"].get()
assert isinstance(eye, np.ndarray), f"Numpy Eye came back as {type(eye)}"
assert np.array_equal(eye, np.eye(100, 100))

img = arts["pillow_image"].get()
orig = Image.open(os.path.join(samples, "dancing.jpg"))
assert isinstance(img, Image.Image), type(img)
assert img.size == orig.size, (img.size, orig.size)
diff = np.abs(np.asarray(img.convert("RGB"), dtype=np.int16) - np.asarray(orig.convert("RGB"), dtype=np.int16))
assert diff.mean() < 3, f"image pixels differ by {diff.mean()} on average"

local_file = arts["local file"].get()
assert filecmp.cmp(str(local_file), os.path.join(samples, "dancing.jpg"), shallow=False)

folder = arts["local folder"].get()
assert os.path.isdir(str(folder)), folder
same_tree(str(folder), samples, os.listdir(samples))

jpegs = arts["wildcard jpegs"].get()
assert os.path.isdir(str(jpegs)), jpegs
same_tree(str(jpegs), samples, [n for n in os.listdir(samples) if n.endswith(".jpg")])

print("OK")
