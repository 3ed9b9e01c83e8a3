"""Second process: read the models of models_train.py by id and by query, use one as an input model of a new
task, archive, remove, and delete the training task with Task.delete().

usage: models_use.py <ids.json> [delete]  (delete: also run Task.delete() on the training task)"""
import json
import sys

from clearml import InputModel, Model, Task

ids = json.load(open(sys.argv[1]))
do_delete = len(sys.argv) > 2 and sys.argv[2] == "delete"

m = InputModel(model_id=ids["om"])
assert m.name == "om", m.name
assert m.framework == "PyTorch", m.framework
assert "mt1" in m.tags, m.tags
assert m.published, "om was published"
assert m.get_metadata("stage") == "prod", m.get_all_metadata()
assert m.labels == {"cat": 1, "dog": 2}, m.labels
assert m.task == ids["task"], (m.task, ids["task"])
path = m.get_local_copy()
data = open(path, "rb").read()
assert data == b"weights-" + bytes(range(256)) * 8, f"{path}: {len(data)} bytes"

u = Model(model_id=ids["uom"])
assert not u.published
assert open(u.get_local_copy(), "rb").read() == b"second model"

found = Model.query_models(project_name="models e2e", model_name="om")
assert [x.id for x in found] == [ids["om"]], [x.id for x in found]
found = Model.query_models(project_name="models e2e", only_published=True)
assert [x.id for x in found] == [ids["om"]], [x.id for x in found]
found = Model.query_models(project_name="models e2e", tags=["mt1"], metadata={"stage": "prod"})
assert [x.id for x in found] == [ids["om"]], [x.id for x in found]
everything = {x.id for x in Model.query_models(project_name="models e2e")}
assert {ids["om"], ids["uom"]} <= everything, everything

train = Task.get_task(task_id=ids["task"])
outputs = train.models["output"]
assert sorted(outputs.keys()) == ["uom", "w"], list(outputs.keys())

# Archive hides a model from queries unless include_archived.
Model(model_id=ids["uom"]).archive()
found = {x.id for x in Model.query_models(project_name="models e2e")}
assert ids["uom"] not in found, found
found = {x.id for x in Model.query_models(project_name="models e2e", include_archived=True)}
assert ids["uom"] in found, found
Model(model_id=ids["uom"]).unarchive()

# A new task uses om as its input model.
user = Task.init(project_name="models e2e", task_name="use")
user.connect(InputModel(model_id=ids["om"]))
assert Task.get_task(task_id=user.id).input_models_id == {"w": ids["om"]}
user.reload()  # the SDK does not reload its task after tasks.add_or_update_model
inputs = user.models["input"]
assert [x.id for x in inputs] == [ids["om"]], [x.id for x in inputs]
user.close()

# Import by uri finds the existing model instead of making a new one.
again = InputModel.import_model(weights_url=ids["om_url"])
assert again.id == ids["om"], (again.id, ids["om"])

if do_delete:
    # The using task first (so om is no longer in use), then the training task: the SDK deletes its output
    # models (models.delete, force=False) and their weights on the files server.
    assert Task.get_task(task_id=user.id).delete(raise_on_error=True), "deleting the using task"
    assert train.delete(raise_on_error=True), "Task.delete() returned False"
    left = {x.id for x in Model.query_models(project_name="models e2e", include_archived=True)}
    assert ids["om"] not in left and ids["uom"] not in left, left
print("OK")
