//! Model events (schema 5): events and `last_metrics` owned by a model, written and read like a task's; the
//! upgrade from schema 4 keeps what was stored; deleting a task or a model deletes its rows.

use super::metrics::scalar;
use super::{Env, task};
use trove_store::metrics::{EventBatch, NewEvent};
use trove_store::{NewModel, SharedStore, StoreError};

async fn model(s: &SharedStore, name: &str) -> trove_store::Model {
    s.create_model(NewModel {
        name: name.into(),
        uri: format!("file:///{name}.bin"),
        ..Default::default()
    })
    .await
    .unwrap()
}

fn batch(events: Vec<NewEvent>, iterations: &[(&str, i64)]) -> EventBatch {
    EventBatch {
        events,
        iterations: iterations
            .iter()
            .map(|(id, i)| (id.to_string(), *i))
            .collect(),
    }
}

pub async fn model_events_write_and_delete(env: Env) {
    let s = &env.store;
    let t = task(s, "model events", "trainer").await;
    let m = model(s, "weights").await;
    let written = s
        .write_events(&batch(
            vec![
                scalar(&m.id, 0, "loss", "train", 2.0),
                scalar(&m.id, 1, "loss", "train", 1.0),
                scalar(&t.id, 5, "acc", "val", 0.5),
            ],
            &[(&m.id, 1), (&t.id, 5)],
        ))
        .await
        .unwrap();
    assert_eq!(written, 3);
    let lm = s.last_metrics(&[m.id.clone(), t.id.clone()]).await.unwrap();
    let of_model = &lm[&m.id];
    assert_eq!(of_model.len(), 1, "{of_model:?}");
    assert_eq!(
        (
            of_model[0].value,
            of_model[0].max_value,
            of_model[0].min_value
        ),
        (1.0, 2.0, 1.0)
    );
    assert_eq!((of_model[0].max_value_iteration, of_model[0].count), (0, 2));
    assert_eq!(lm[&t.id].len(), 1, "the task's own metrics stay apart");
    let md = s.get_model(&m.id).await.unwrap().unwrap();
    assert_eq!(md.doc.get("last_iteration"), Some(&serde_json::json!(1)));
    let td = s.get_task(&t.id).await.unwrap().unwrap();
    assert_eq!(td.doc.get("last_iteration"), Some(&serde_json::json!(5)));
    assert_eq!(s.count_events(&m.id).await.unwrap(), 2);

    // An id that is neither a task nor a model stores nothing.
    let err = s
        .write_events(&batch(
            vec![
                scalar(&m.id, 2, "loss", "train", 0.5),
                scalar("nobody", 0, "loss", "train", 1.0),
            ],
            &[],
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(s.count_events(&m.id).await.unwrap(), 2);

    // Deleting the model deletes its events and last metrics; deleting the task, the task's.
    assert!(s.delete_model(&m.id).await.unwrap());
    assert_eq!(s.count_events(&m.id).await.unwrap(), 0);
    s.delete_task(&t.id).await.unwrap();
    assert_eq!(s.count_events(&t.id).await.unwrap(), 0);
    let lm = s.last_metrics(&[m.id.clone(), t.id.clone()]).await.unwrap();
    assert!(lm.values().all(Vec::is_empty), "{lm:?}");
}

/// A database at schema 4 (events reference tasks) upgrades to 5 with its events, their order and last
/// metrics intact, and takes model events afterwards.
pub async fn model_events_schema_upgrade(url: String) {
    let old = trove_store::open_at_schema(&url, 4).await.unwrap();
    let t = task(&old, "upgrade", "before").await;
    let m = model(&old, "weights").await;
    old.write_events(&batch(
        vec![
            scalar(&t.id, 1, "loss", "train", 3.0),
            scalar(&t.id, 2, "loss", "train", 1.0),
        ],
        &[(&t.id, 2)],
    ))
    .await
    .unwrap();
    let model_batch = batch(vec![scalar(&m.id, 7, "loss", "m", 4.0)], &[(&m.id, 7)]);
    assert!(
        old.write_events(&model_batch).await.is_err(),
        "schema 4 has no model events"
    );
    let before = old.list_events(&t.id, None, 0, 0).await.unwrap();
    let metrics_before = old.last_metrics(std::slice::from_ref(&t.id)).await.unwrap();
    drop(old);

    let new = trove_store::open(&url).await.unwrap();
    assert_eq!(new.list_events(&t.id, None, 0, 0).await.unwrap(), before);
    assert_eq!(
        new.last_metrics(std::slice::from_ref(&t.id)).await.unwrap(),
        metrics_before
    );
    new.write_events(&model_batch).await.unwrap();
    new.write_events(&batch(vec![scalar(&t.id, 3, "loss", "train", 0.5)], &[]))
        .await
        .unwrap();
    let after = new.list_events(&t.id, None, 0, 0).await.unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(
        after[..2],
        before[..],
        "new events come after the copied ones"
    );
    let lm = new.last_metrics(std::slice::from_ref(&m.id)).await.unwrap();
    assert_eq!(lm[&m.id][0].value, 4.0);
}
