//! Optional SQLite persistence: one table, one JSON blob per entity, so the schema never has to
//! follow the model's shape.

use std::path::Path;

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::SandboxError;

/// The SQLite file holding the dispute model.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, SandboxError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS entity (
                 kind TEXT NOT NULL,
                 id   TEXT NOT NULL,
                 json TEXT NOT NULL,
                 PRIMARY KEY (kind, id)
             );",
        )?;
        Ok(Self { conn })
    }

    /// Inserts or replaces one entity.
    pub fn put(&self, kind: &str, id: &str, value: &Value) -> Result<(), SandboxError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO entity (kind, id, json) VALUES (?1, ?2, ?3)",
            params![kind, id, value.to_string()],
        )?;
        Ok(())
    }

    /// Every entity of `kind`.
    pub fn load(&self, kind: &str) -> Result<Vec<Value>, SandboxError> {
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
