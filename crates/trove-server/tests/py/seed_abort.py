"""A long-running task that the server stops: the SDK's abort watchdog must end this process."""
import time

from clearml import Task

task = Task.init(project_name="examples", task_name="abort me")
print("TASK", task.id, flush=True)
for _ in range(180):
    time.sleep(1)
print("NOT ABORTED", flush=True)
