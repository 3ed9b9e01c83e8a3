"""Second process: find the seeded task by project and name with the unmodified SDK, fetch every artifact
with .get() and compare it with what the seed script uploaded. Prints OK when everything matches.

usage: seed_retrieve.py <folder holding data_samples/>"""
import filecmp
import json
import os
import sys

import numpy as np
import pandas as pd
from PIL import Image
from clearml import Task

samples = os.path.join(sys.argv[1], "data_samples")
expected_df = pd.DataFrame(
    {"num_legs": [2, 4, 8, 0], "num_wings": [2, 0, 0, 0], "num_specimen_seen": [10, 2, 1, 8]},
    index=["falcon", "dog", "spider", "fish"],
)

task = Task.get_task(project_name="examples", task_name="artifacts example")
print("task", task.id, task.get_status())
arts = task.artifacts
want = {"train", "Pandas", "local file", "dictionary", "Numpy Eye", "pillow_image", "local folder", "wildcard jpegs"}
assert set(arts.keys()) == want, f"artifact names: {sorted(arts.keys())}"


def same_tree(a, b, names=None):
    names = names if names is not None else sorted(os.listdir(b))
    got = sorted(os.listdir(a))
    assert got == sorted(names), f"{a}: {got} != {sorted(names)}"
    for n in names:
        assert filecmp.cmp(os.path.join(a, n), os.path.join(b, n), shallow=False), f"{n} differs"


pandas_df = arts["Pandas"].get()
assert isinstance(pandas_df, pd.DataFrame), type(pandas_df)
assert list(pandas_df.index) == list(expected_df.index), pandas_df.index
assert list(pandas_df.columns) == list(expected_df.columns), pandas_df.columns
assert (pandas_df.values == expected_df.values).all()

train = arts["train"].get()
assert isinstance(train, pd.DataFrame), type(train)
assert list(train.columns) == list(expected_df.columns), train.columns
assert (train.values == expected_df.values).all()
assert arts["train"].metadata.get("counting") == "legs", arts["train"].metadata

d = arts["dictionary"].get()
assert d == json.loads(json.dumps(expected_df.to_dict())), d

eye = arts["Numpy Eye"].get()
assert isinstance(eye, np.ndarray), f"Numpy Eye came back as {type(eye)} (hash mismatch?)"
assert np.array_equal(eye, np.eye(100, 100))

img = arts["pillow_image"].get()
orig = Image.open(os.path.join(samples, "dancing.jpg"))
assert np.array_equal(np.asarray(img.convert("RGB")), np.asarray(orig.convert("RGB"))), "image pixels differ"

local_file = arts["local file"].get()
assert filecmp.cmp(str(local_file), os.path.join(samples, "dancing.jpg"), shallow=False)

folder = arts["local folder"].get()
assert os.path.isdir(str(folder)), folder
same_tree(str(folder), samples)

jpegs = arts["wildcard jpegs"].get()
assert os.path.isdir(str(jpegs)), jpegs
same_tree(str(jpegs), samples, [n for n in os.listdir(samples) if n.endswith(".jpg")])

print("OK")
