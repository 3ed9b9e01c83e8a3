"""Dataset workflow with the official clearml SDK: create / add_files / upload / finalize, a child version,
an archived third version; Dataset.get by id, by name (the archived version is skipped), list_datasets (it is
listed). Prints PARENT <id>, CHILD <id>, ARCHIVED <id>, then OK. argv: <work dir>."""
import os
import sys

from clearml import Dataset

PROJECT = "datasets test"
NAME = "sample"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def check(cond, what):
    if not cond:
        print("FAILED:", what, flush=True)
        sys.exit(1)


work = sys.argv[1]
v1 = os.path.join(work, "v1")
write(os.path.join(v1, "a.txt"), "alpha\n")
write(os.path.join(v1, "sub", "b.csv"), "x,y\n1,2\n")
v2 = os.path.join(work, "v2")
write(os.path.join(v2, "c.txt"), "gamma\n")
v3 = os.path.join(work, "v3")
write(os.path.join(v3, "d.txt"), "delta\n")

parent = Dataset.create(dataset_name=NAME, dataset_project=PROJECT)
parent.add_files(path=v1)
parent.upload()
parent.finalize()
print("PARENT", parent.id, flush=True)
check(parent.version == "1.0.0", "first version is 1.0.0, got %r" % parent.version)

child = Dataset.create(dataset_name=NAME, dataset_project=PROJECT, parent_datasets=[parent.id])
child.add_files(path=v2)
child.upload()
child.finalize()
print("CHILD", child.id, flush=True)
check(child.version == "1.0.1", "child version is 1.0.1, got %r" % child.version)
files = sorted(child.list_files())
check(files == ["a.txt", "c.txt", "sub/b.csv"], "child files %r" % files)

third = Dataset.create(dataset_name=NAME, dataset_project=PROJECT, parent_datasets=[child.id])
third.add_files(path=v3)
third.upload()
third.finalize()
check(third.version == "1.0.2", "third version is 1.0.2, got %r" % third.version)
third._task.set_system_tags(list(third._task.get_system_tags()) + ["archived"])
print("ARCHIVED", third.id, flush=True)

by_id = Dataset.get(dataset_id=parent.id)
check(by_id.id == parent.id, "get by id")
latest = Dataset.get(dataset_project=PROJECT, dataset_name=NAME)
check(latest.id == child.id, "get by name skips the archived version: got %s" % latest.id)
check(latest.version == "1.0.1", "latest version %r" % latest.version)
v100 = Dataset.get(dataset_project=PROJECT, dataset_name=NAME, dataset_version="1.0.0")
check(v100.id == parent.id, "get by version")
done = Dataset.get(dataset_project=PROJECT, dataset_name=NAME, only_completed=True)
check(done.id == child.id, "only_completed")
with_archived = Dataset.get(dataset_project=PROJECT, dataset_name=NAME, include_archived=True)
check(with_archived.id == third.id, "include_archived finds the newest: %s" % with_archived.id)

listed = Dataset.list_datasets(dataset_project=PROJECT)
ids = sorted(d["id"] for d in listed)
check(ids == sorted([parent.id, child.id, third.id]), "list_datasets lists every version: %r" % listed)
for d in listed:
    check(d["project"] == PROJECT, "listed project %r" % d)
    check(d["name"] == NAME, "listed name %r" % d)
versions = sorted(d["version"] for d in listed)
check(versions == ["1.0.0", "1.0.1", "1.0.2"], "versions %r" % versions)
print("OK", flush=True)
