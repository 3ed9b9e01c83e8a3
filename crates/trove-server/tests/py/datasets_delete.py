"""Dataset.delete with the official SDK (needs models.get_all and events.get_task_events on the server):
makes a version, deletes it, checks Dataset.get no longer finds it. Prints ID <id>, then OK. argv: <work dir>."""
import os
import sys

from clearml import Dataset

work = sys.argv[1]
os.makedirs(os.path.join(work, "del"), exist_ok=True)
with open(os.path.join(work, "del", "x.txt"), "w") as f:
    f.write("x\n")
ds = Dataset.create(dataset_name="to delete", dataset_project="datasets delete")
ds.add_files(path=os.path.join(work, "del"))
ds.upload()
ds.finalize()
print("ID", ds.id, flush=True)
Dataset.delete(dataset_id=ds.id, force=True)
try:
    Dataset.get(dataset_id=ds.id)
except Exception as e:  # the SDK raises ValueError for a missing dataset
    print("GONE", type(e).__name__, flush=True)
else:
    print("FAILED: the dataset is still there", flush=True)
    sys.exit(1)
print("OK", flush=True)
