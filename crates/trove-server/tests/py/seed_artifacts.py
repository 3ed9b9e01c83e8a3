"""The ClearML artifacts example (examples/reporting/artifacts.py), run with the unmodified SDK against trove.

Run it in a folder holding data_samples/ (see make_samples.py)."""
import os
from time import sleep

import numpy as np
import pandas as pd
from PIL import Image
from clearml import Task


def frame():
    return pd.DataFrame(
        {"num_legs": [2, 4, 8, 0], "num_wings": [2, 0, 0, 0], "num_specimen_seen": [10, 2, 1, 8]},
        index=["falcon", "dog", "spider", "fish"],
    )


def main():
    task = Task.init(project_name="examples", task_name="artifacts example")
    df = frame()
    task.register_artifact("train", df, metadata={"counting": "legs", "max legs": 69})
    df.sample(frac=0.5, replace=True, random_state=1)
    Task.current_task().get_registered_artifacts()["train"].sample(frac=0.5, replace=True, random_state=1)
    task.upload_artifact("Pandas", artifact_object=df)
    task.upload_artifact("local file", artifact_object=os.path.join("data_samples", "dancing.jpg"))
    task.upload_artifact("dictionary", df.to_dict())
    task.upload_artifact("Numpy Eye", np.eye(100, 100))
    im = Image.open(os.path.join("data_samples", "dancing.jpg"))
    task.upload_artifact("pillow_image", im)
    task.upload_artifact("local folder", artifact_object=os.path.join("data_samples"))
    task.upload_artifact("wildcard jpegs", artifact_object=os.path.join("data_samples", "*.jpg"))
    sleep(1.0)
    print(df)
    print("SEED TASK", task.id)
    print("Done")


if __name__ == "__main__":
    main()
