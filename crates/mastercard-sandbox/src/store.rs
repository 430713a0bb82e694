//! Optional SQLite persistence: one table, one JSON blob per entity, so the schema never has to
//! follow the model's shape.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::SandboxError;

/// The SQLite file holding the dispute model.
pub struct Store {
    path: PathBuf,
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, SandboxError> {
        let in_file = |e: rusqlite::Error| SandboxError::in_file(path, SandboxError::Store(e));
        let conn = Connection::open(path).map_err(in_file)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS entity (
                 kind TEXT NOT NULL,
                 id   TEXT NOT NULL,
                 json TEXT NOT NULL,
                 PRIMARY KEY (kind, id)
             );",
        )
        .map_err(in_file)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn,
        })
    }

    /// Inserts or replaces one entity.
    pub fn put(&self, kind: &str, id: &str, value: &Value) -> Result<(), SandboxError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO entity (kind, id, json) VALUES (?1, ?2, ?3)",
            params![kind, id, value.to_string()],
        )?;
        Ok(())
    }

    /// Every entity of `kind` (errors name the file).
    pub fn load(&self, kind: &str) -> Result<Vec<Value>, SandboxError> {
        self.load_rows(kind)
            .map_err(|e| SandboxError::in_file(&self.path, e))
    }

    fn load_rows(&self, kind: &str) -> Result<Vec<Value>, SandboxError> {
        let mut stmt = self
            .conn
            .prepare("SELECT json FROM entity WHERE kind = ?1 ORDER BY id")?;
        let rows = stmt.query_map(params![kind], |row| row.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row?;
            out.push(
                serde_json::from_str(&text).map_err(|e| SandboxError::Corrupt(e.to_string()))?,
            );
        }
        Ok(out)
    }
}
