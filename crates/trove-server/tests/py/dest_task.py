"""One task with two artifacts, run with the unmodified ClearML SDK. It names no destination unless a third
argument is given, which becomes ``output_uri`` in code.

Usage: dest_task.py PROJECT TASK_NAME [OUTPUT_URI]"""
import sys

from clearml import Task


def main():
    project, name = sys.argv[1], sys.argv[2]
    kwargs = {"output_uri": sys.argv[3]} if len(sys.argv) > 3 else {}
    task = Task.init(project_name=project, task_name=name, **kwargs)
    task.upload_artifact("settings", {"lr": 0.1, "layers": [64, 32]}, wait_on_upload=True)
    with open("notes.txt", "w") as f:
        f.write("where do artifacts go?\n")
    task.upload_artifact("notes", artifact_object="notes.txt", wait_on_upload=True)
    print(f"TASK_ID={task.id}")
    print(f"OUTPUT_URI={task.output_uri}")
    task.close()


if __name__ == "__main__":
    main()
