"""One client of tests/two_servers.rs with the official ClearML SDK: upload N small files to an existing
(shared) task through the server named in CLEARML_CONFIG_FILE.

Usage: two_servers_client.py TASK_ID CLIENT ROUND N. The bytes match `content()` in two_servers.rs."""
import os
import sys

from clearml import Task


def content(r, c, i):
    return (f"round {r} client {c} artifact {i}\n" * (1 + (c * 7 + i) % 40)).encode()


def main():
    task_id, c, r, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    task = Task.get_task(task_id=task_id)
    for i in range(n):
        name = f"c{c}-{i:03d}"
        path = os.path.join(os.getcwd(), f"{name}.bin")
        with open(path, "wb") as f:
            f.write(content(r, c, i))
        ok = task.upload_artifact(name, artifact_object=path, wait_on_upload=True)
        if not ok:
            raise SystemExit(f"upload of {name} failed")
    task.flush(wait_for_uploads=True)
    print("DONE", n)


if __name__ == "__main__":
    main()
