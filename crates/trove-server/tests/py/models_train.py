"""First process: a training task records models the ways ClearML users do. OutputModel.update_weights,
metadata, task.update_output_model, publishing, task.models, a model's own scalars (report_scalar); writes
the ids to <out.json>.

usage: models_train.py <out.json>"""
import json
import sys

from clearml import OutputModel, Task

out_path = sys.argv[1]
task = Task.init(project_name="models e2e", task_name="train", output_uri=True)

with open("w.bin", "wb") as f:
    f.write(b"weights-" + bytes(range(256)) * 8)
om = OutputModel(task=task, name="om", framework="PyTorch", tags=["mt1"], comment="a model")
om.update_weights(weights_filename="w.bin")
assert om.id, "OutputModel has no id"
assert om.set_metadata("stage", "prod", "str"), "set_metadata failed"
assert om.get_metadata("stage") == "prod", om.get_all_metadata()
om.update_labels({"cat": 1, "dog": 2})

with open("uom.bin", "wb") as f:
    f.write(b"second model")
task.update_output_model(model_path="uom.bin", name="uom", iteration=5)
task.flush(wait_for_uploads=True)

om.publish()
assert om.published, "published flag after publish()"

task.reload()  # 1.17 does not reload its task after tasks.add_or_update_model
outputs = task.models["output"]
names = sorted(outputs.keys())
assert "w" in names and "uom" in names, f"task model names: {names}"
by_name = {n: outputs[n].id for n in names}
assert by_name["w"] == om.id, by_name
uom = outputs["uom"]
assert uom.name.endswith("uom"), uom.name
assert outputs[-1].id == uom.id, "newest output model last"
assert om.url.startswith("http"), om.url

# Model events: the draft model's own scalars (sent with model_event: true when the process exits).
uom.report_scalar("model loss", "train", 0.5, 1)
uom.report_scalar("model loss", "train", 0.25, 2)

result = {"task": task.id, "om": om.id, "uom": uom.id, "om_url": om.url, "uom_url": uom.url}
with open(out_path, "w") as f:
    json.dump(result, f)
task.close()
print("RESULT", json.dumps(result))
print("Done")
