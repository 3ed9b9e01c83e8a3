//! Projects: unique names, `/`-nested, parents created on demand.

use crate::db::{SqlStore, Tx, db, is_unique_violation, json_object, to_json};
use crate::{NewProject, Project, ProjectUpdate, Result, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use trove_core::timefmt::now_micros;

const COLS: &str = "id, name, description, default_output_destination, created, last_update, extra";

fn row_to_project(row: &AnyRow) -> Result<Project> {
    let ctx = "reading a project row";
    let extra: String = row.try_get(6).map_err(db(ctx))?;
    Ok(Project {
        id: row.try_get(0).map_err(db(ctx))?,
        name: row.try_get(1).map_err(db(ctx))?,
        description: row.try_get(2).map_err(db(ctx))?,
        default_output_destination: row.try_get(3).map_err(db(ctx))?,
        created: row.try_get(4).map_err(db(ctx))?,
        last_update: row.try_get(5).map_err(db(ctx))?,
        extra: json_object(&extra, "project extra")?,
    })
}

/// The names of the parents of a nested name: `a/b/c` → `a`, `a/b` (empty segments give no parent).
pub(crate) fn parent_names(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in name.char_indices() {
        if c == '/' {
            let prefix = &name[..i];
            if !prefix.is_empty() && !prefix.ends_with('/') {
                out.push(prefix.to_string());
            }
        }
    }
    out
}

/// Insert a project by name unless one exists (race-safe on both engines).
async fn insert_if_absent(tx: &mut Tx, name: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO projects (id, name, description, default_output_destination, created, last_update, extra)
         VALUES ($1, $2, '', NULL, $3, $3, '{}') ON CONFLICT (name) DO NOTHING",
    )
    .bind(trove_core::new_id())
    .bind(name.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db(&format!("creating project {name:?}")))?;
    Ok(())
}

async fn ensure_parents(tx: &mut Tx, name: &str, now: i64) -> Result<()> {
    for parent in parent_names(name) {
        insert_if_absent(tx, &parent, now).await?;
    }
    Ok(())
}

impl SqlStore {
    async fn project_by_name(&self, name: &str) -> Result<Option<Project>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM projects WHERE name = $1 AND id <> ''"
        )))
        .bind(name.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a project by name"))?;
        row.as_ref().map(row_to_project).transpose()
    }

    pub(crate) async fn create_project(&self, new: NewProject) -> Result<Project> {
        let now = now_micros();
        let project = Project {
            id: trove_core::new_id(),
            name: new.name,
            description: new.description,
            default_output_destination: new.default_output_destination,
            created: now,
            last_update: now,
            extra: new.extra,
        };
        let mut tx = self.begin_write("creating a project").await?;
        ensure_parents(&mut tx, &project.name, now).await?;
        let res = sqlx::query(
            "INSERT INTO projects (id, name, description, default_output_destination, created, last_update, extra)
             VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(project.id.clone())
        .bind(project.name.clone())
        .bind(project.description.clone())
        .bind(project.default_output_destination.clone())
        .bind(now)
        .bind(to_json(&project.extra, "project extra")?)
        .execute(&mut *tx)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    what: "project",
                    name: project.name,
                });
            }
            r => r.map_err(db(&format!("creating project {:?}", project.name)))?,
        };
        tx.commit().await.map_err(db("committing a new project"))?;
        Ok(project)
    }

    pub(crate) async fn ensure_project(&self, name: &str) -> Result<Project> {
        if let Some(p) = self.project_by_name(name).await? {
            return Ok(p);
        }
        let now = now_micros();
        let mut tx = self.begin_write("creating a project").await?;
        ensure_parents(&mut tx, name, now).await?;
        insert_if_absent(&mut tx, name, now).await?;
        tx.commit().await.map_err(db("committing a new project"))?;
        self.project_by_name(name)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "project",
                id: name.to_string(),
            })
    }

    pub(crate) async fn get_project(&self, id: &str) -> Result<Option<Project>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM projects WHERE id = $1 AND id <> ''"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a project"))?;
        row.as_ref().map(row_to_project).transpose()
    }

    pub(crate) async fn list_projects(&self) -> Result<Vec<Project>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM projects WHERE id <> '' ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing projects"))?;
        rows.iter().map(row_to_project).collect()
    }

    /// Renaming a project also renames its sub-projects (`old/x` → `new/x`) and creates the new parents.
    /// `null` values in `update.extra` remove those keys.
    pub(crate) async fn update_project(&self, id: &str, update: ProjectUpdate) -> Result<Project> {
        let ctx = "updating a project";
        let now = now_micros();
        let mut tx = self.begin_write(ctx).await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM projects WHERE id = $1 AND id <> ''"
        )))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db(ctx))?;
        let mut p = match row {
            Some(r) => row_to_project(&r)?,
            None => {
                return Err(StoreError::NotFound {
                    what: "project",
                    id: id.to_string(),
                });
            }
        };
        let old_name = p.name.clone();
        if let Some(name) = update.name {
            p.name = name;
        }
        if let Some(d) = update.description {
            p.description = d;
        }
        if let Some(dest) = update.default_output_destination {
            p.default_output_destination = dest;
        }
        for (k, v) in update.extra {
            if v.is_null() {
                p.extra.remove(&k);
            } else {
                p.extra.insert(k, v);
            }
        }
        p.last_update = now;
        let conflict = |name: &str| StoreError::Conflict {
            what: "project",
            name: name.to_string(),
        };
        if p.name != old_name {
            ensure_parents(&mut tx, &p.name, now).await?;
            // Sub-projects move with their parent.
            let children =
                sqlx::query("SELECT id, name FROM projects WHERE name > $1 AND name < $2")
                    .bind(format!("{old_name}/"))
                    .bind(format!("{old_name}0")) // '0' is the character after '/'
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db("listing sub-projects to rename"))?;
            for child in children {
                let cid: String = child.try_get(0).map_err(db(ctx))?;
                let cname: String = child.try_get(1).map_err(db(ctx))?;
                let new_child = format!("{}{}", p.name, &cname[old_name.len()..]);
                let res =
                    sqlx::query("UPDATE projects SET name = $1, last_update = $2 WHERE id = $3")
                        .bind(new_child.clone())
                        .bind(now)
                        .bind(cid)
                        .execute(&mut *tx)
                        .await;
                match res {
                    Err(e) if is_unique_violation(&e) => return Err(conflict(&new_child)),
                    r => r.map_err(db("renaming a sub-project"))?,
                };
            }
        }
        let res = sqlx::query(
            "UPDATE projects SET name = $1, description = $2, default_output_destination = $3, last_update = $4,
             extra = $5 WHERE id = $6",
        )
        .bind(p.name.clone())
        .bind(p.description.clone())
        .bind(p.default_output_destination.clone())
        .bind(now)
        .bind(to_json(&p.extra, "project extra")?)
        .bind(id.to_string())
        .execute(&mut *tx)
        .await;
        match res {
            Err(e) if is_unique_violation(&e) => return Err(conflict(&p.name)),
            r => r.map_err(db(ctx))?,
        };
        tx.commit().await.map_err(db(ctx))?;
        Ok(p)
    }
}

/// Removing projects (trove-server's `projects.delete`).
#[async_trait::async_trait]
pub trait ProjectDeletion {
    /// Delete one project row. Its tasks must have been moved or deleted first (`Conflict` otherwise: the
    /// store never deletes tasks as a side effect); sub-projects are separate rows, deleted by their own calls.
    /// `NotFound` for an unknown id or the root project.
    async fn delete_project(&self, id: &str) -> Result<()>;
}

#[async_trait::async_trait]
impl ProjectDeletion for SqlStore {
    async fn delete_project(&self, id: &str) -> Result<()> {
        let ctx = "deleting a project";
        if id == crate::ROOT_PROJECT {
            return Err(StoreError::NotFound {
                what: "project",
                id: id.to_string(),
            });
        }
        let mut tx = self.begin_write(ctx).await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE project = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if n > 0 {
            return Err(StoreError::Conflict {
                what: "tasks in project",
                name: id.to_string(),
            });
        }
        let gone = sqlx::query("DELETE FROM projects WHERE id = $1 AND id <> ''")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db(ctx))?;
        if gone.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "project",
                id: id.to_string(),
            });
        }
        tx.commit().await.map_err(db(ctx))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parents_of_nested_names() {
        assert_eq!(super::parent_names("a/b/c"), vec!["a", "a/b"]);
        assert!(super::parent_names("a").is_empty());
        assert_eq!(super::parent_names("/x//y"), vec!["/x"]);
    }
}
