//! The SQLite and PostgreSQL migrations build the same schema: tables, columns with
//! their mapped types and nullability, unique constraints (primary keys included)
//! and indexes. A difference fails unless it is on `ALLOWED`, with its reason.
//!
//! It needs both engines at once, so it is compiled as ignored when the build did
//! not see `TEST_DATABASE_URL` (see build.rs).

use std::collections::{BTreeMap, BTreeSet};

use motcua_store::Db;
use sqlx::Row;

use crate::common::{Engine, TestApp};

/// Differences that are known and accepted. Each entry is matched against the
/// text of a difference as printed by this test.
const ALLOWED: &[&str] = &[
    // SQLite lets a column of a PRIMARY KEY that is not an INTEGER rowid alias
    // hold NULL unless it says NOT NULL (a compatibility quirk, documented in
    // sqlite.org/lang_createtable.html); PostgreSQL makes every key column NOT
    // NULL. The app always writes the UUIDv7 ids, and rebuilding every SQLite
    // table to add NOT NULL would buy nothing else. Matched by the note the
    // comparison adds to such differences.
    "(primary key column: SQLite allows NULL)",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    kind: String,
    not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

#[derive(Debug, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// Column lists of PRIMARY KEY and UNIQUE constraints (unique indexes made by
    /// CREATE UNIQUE INDEX are under `indexes`).
    unique: BTreeSet<Vec<String>>,
    /// Indexes created by name (CREATE INDEX), by name.
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

/// One name for each type the store uses, whatever the engine calls it.
fn mapped_type(engine: Engine, declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    let t = t.split('(').next().unwrap_or_default().trim();
    match t {
        "text" | "character varying" | "varchar" | "character" | "char" => "text",
        "bigint" | "int8" => "int64",
        // SQLite's INTEGER is 64 bits; PostgreSQL's is 32 and decodes as i32.
        "integer" | "int" | "int4" if engine == Engine::Sqlite => "int64",
        "integer" | "int" | "int4" => "int32",
        "smallint" | "int2" => "int16",
        "real" | "double precision" | "float8" | "double" => "float64",
        "blob" | "bytea" => "bytes",
        "boolean" | "bool" => "bool",
        other => return format!("other: {other}"),
    }
    .to_string()
}

async fn sqlite_schema(db: &Db) -> Schema {
    let pool = db.pool();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' \
         ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("list SQLite tables");
    let mut schema = Schema::new();
    for name in tables {
        let mut table = Table::default();
        let columns = sqlx::query(
            "SELECT name, type, \"notnull\" AS not_null, pk FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("SQLite columns");
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in columns {
            let column: String = c.get("name");
            let declared: String = c.get("type");
            let not_null: i64 = c.get("not_null");
            let position: i64 = c.get("pk");
            if position > 0 {
                pk.push((position, column.clone()));
            }
            table.columns.insert(
                column,
                Column {
                    kind: mapped_type(Engine::Sqlite, &declared),
                    not_null: not_null != 0,
                },
            );
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        if !table.primary_key.is_empty() {
            table.unique.insert(table.primary_key.clone());
        }
        let indexes = sqlx::query(
            "SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list(?)",
        )
        .bind(&name)
        .fetch_all(pool)
        .await
        .expect("SQLite indexes");
        for i in indexes {
            let index: String = i.get("name");
            let unique: i64 = i.get("is_unique");
            let origin: String = i.get("origin");
            let partial: i64 = i.get("partial");
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .expect("SQLite index columns");
            match origin.as_str() {
                // The index SQLite makes for a PRIMARY KEY is already in `unique`.
                "pk" => {}
                "u" => {
                    table.unique.insert(columns);
                }
                _ => {
                    table.indexes.insert(
                        index,
                        Index {
                            columns,
                            unique: unique != 0,
                            partial: partial != 0,
                        },
                    );
                }
            }
        }
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let pool = db.pool();
    let columns = sqlx::query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                c.data_type::text AS data_type, (c.is_nullable = 'NO') AS not_null \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '_sqlx_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL columns");
    let mut schema = Schema::new();
    for c in columns {
        let table: String = c.get("table_name");
        let column: String = c.get("column_name");
        let declared: String = c.get("data_type");
        let not_null: bool = c.get("not_null");
        schema.entry(table).or_default().columns.insert(
            column,
            Column {
                kind: mapped_type(Engine::Postgres, &declared),
                not_null,
            },
        );
    }
    // Every index with its columns in key order, whether it backs a constraint
    // (p = primary key, u = unique) and whether it has a WHERE clause.
    let indexes = sqlx::query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                ix.indisunique AS is_unique, (ix.indpred IS NOT NULL) AS partial, \
                COALESCE(con.contype::text, '') AS constraint_kind, \
                array_to_string(ARRAY( \
                    SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                    ORDER BY k.n), ',') AS columns \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         LEFT JOIN pg_constraint con ON con.conindid = ix.indexrelid AND con.contype IN ('p', 'u') \
         WHERE n.nspname = current_schema() AND t.relname <> '_sqlx_migrations' \
         ORDER BY t.relname, i.relname",
    )
    .fetch_all(pool)
    .await
    .expect("PostgreSQL indexes");
    for i in indexes {
        let table_name: String = i.get("table_name");
        let index: String = i.get("index_name");
        let unique: bool = i.get("is_unique");
        let partial: bool = i.get("partial");
        let kind: String = i.get("constraint_kind");
        let columns: String = i.get("columns");
        let columns: Vec<String> = columns.split(',').map(str::to_string).collect();
        let table = schema.entry(table_name).or_default();
        match kind.as_str() {
            "p" => {
                table.primary_key = columns.clone();
                table.unique.insert(columns);
            }
            "u" => {
                table.unique.insert(columns);
            }
            _ => {
                table.indexes.insert(
                    index,
                    Index {
                        columns,
                        unique,
                        partial,
                    },
                );
            }
        }
    }
    schema
}

fn describe_index(i: &Index) -> String {
    format!(
        "{}({}){}",
        if i.unique { "UNIQUE " } else { "" },
        i.columns.join(", "),
        if i.partial { " WHERE …" } else { "" }
    )
}

/// Every difference, one line each, naming the table and what differs.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {name}: only on SQLite"));
                continue;
            }
            (None, Some(_)) => {
                out.push(format!("table {name}: only on PostgreSQL"));
                continue;
            }
            (None, None) => continue,
        };
        let columns: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for column in columns {
            match (s.columns.get(column), p.columns.get(column)) {
                (Some(a), Some(b)) => {
                    if a.kind != b.kind {
                        out.push(format!(
                            "{name}.{column}: type {} on SQLite, {} on PostgreSQL",
                            a.kind, b.kind
                        ));
                    }
                    if a.not_null != b.not_null {
                        let null = |n: bool| if n { "NOT NULL" } else { "NULL allowed" };
                        let note = if !a.not_null && s.primary_key.contains(column) {
                            " (primary key column: SQLite allows NULL)"
                        } else {
                            ""
                        };
                        out.push(format!(
                            "{name}.{column}: {} on SQLite, {} on PostgreSQL{note}",
                            null(a.not_null),
                            null(b.not_null)
                        ));
                    }
                }
                (Some(_), None) => out.push(format!("{name}.{column}: only on SQLite")),
                (None, Some(_)) => out.push(format!("{name}.{column}: only on PostgreSQL")),
                (None, None) => {}
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key ({}) on SQLite, ({}) on PostgreSQL",
                s.primary_key.join(", "),
                p.primary_key.join(", ")
            ));
        }
        for u in s.unique.difference(&p.unique) {
            out.push(format!("{name}: UNIQUE ({}) only on SQLite", u.join(", ")));
        }
        for u in p.unique.difference(&s.unique) {
            out.push(format!(
                "{name}: UNIQUE ({}) only on PostgreSQL",
                u.join(", ")
            ));
        }
        let indexes: BTreeSet<&String> = s.indexes.keys().chain(p.indexes.keys()).collect();
        for index in indexes {
            match (s.indexes.get(index), p.indexes.get(index)) {
                (Some(a), Some(b)) if a != b => out.push(format!(
                    "{name}: index {index} is {} on SQLite, {} on PostgreSQL",
                    describe_index(a),
                    describe_index(b)
                )),
                (Some(a), None) => out.push(format!(
                    "{name}: index {index} {} only on SQLite",
                    describe_index(a)
                )),
                (None, Some(b)) => out.push(format!(
                    "{name}: index {index} {} only on PostgreSQL",
                    describe_index(b)
                )),
                _ => {}
            }
        }
    }
    out
}

fn allowed(difference: &str) -> bool {
    ALLOWED.iter().any(|a| difference.contains(a))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(have_test_database_url),
    ignore = "needs TEST_DATABASE_URL at build time (PostgreSQL)"
)]
async fn sqlite_and_postgres_schemas_agree() {
    let sqlite_app = TestApp::spawn(Engine::Sqlite)
        .await
        .expect("SQLite is always available");
    let Some(pg_app) = TestApp::spawn(Engine::Postgres).await else {
        panic!("TEST_DATABASE_URL was set when the tests were built but is not set now");
    };
    let sqlite = sqlite_schema(&sqlite_app.db).await;
    let postgres = postgres_schema(&pg_app.db).await;
    assert!(
        sqlite.contains_key("dossiers") && postgres.contains_key("dossiers"),
        "the introspection found the tables: {:?} / {:?}",
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>()
    );
    // The introspection sees what the migrations made, on both engines.
    for (engine, schema) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        let dossiers = &schema["dossiers"];
        assert_eq!(dossiers.primary_key, ["id"], "{engine}");
        assert!(
            dossiers.unique.contains(&vec!["code".to_string()]),
            "{engine}"
        );
        assert!(
            dossiers.indexes["dossiers_uncollected"].partial,
            "{engine}: {:?}",
            dossiers.indexes
        );
        assert!(
            schema["dossier_event_rows"]
                .unique
                .contains(&vec!["dossier_no".to_string(), "seq".to_string()]),
            "{engine}"
        );
        assert!(!schema.contains_key("_sqlx_migrations"), "{engine}");
    }
    let all = differences(&sqlite, &postgres);
    let (accepted, refused): (Vec<&String>, Vec<&String>) = all.iter().partition(|d| allowed(d));
    for d in &accepted {
        eprintln!("allowed: {d}");
    }
    assert!(
        refused.is_empty(),
        "the SQLite and PostgreSQL schemas differ:\n{}",
        refused
            .iter()
            .map(|d| format!("  - {d}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn differences_are_found_and_named() {
    let column = |kind: &str, not_null| Column {
        kind: kind.into(),
        not_null,
    };
    let mut s = Table::default();
    s.columns.insert("id".into(), column("text", false));
    s.columns.insert("n".into(), column("int64", true));
    s.primary_key = vec!["id".into()];
    s.unique.insert(vec!["id".into()]);
    s.indexes.insert(
        "t_n".into(),
        Index {
            columns: vec!["n".into()],
            unique: false,
            partial: true,
        },
    );
    let mut p = Table::default();
    p.columns.insert("id".into(), column("text", true));
    p.columns.insert(
        "n".into(),
        column(&mapped_type(Engine::Postgres, "integer"), true),
    );
    p.primary_key = vec!["id".into()];
    p.unique.insert(vec!["id".into()]);
    p.unique.insert(vec!["n".into()]);
    let sqlite = Schema::from([("t".to_string(), s)]);
    let postgres = Schema::from([("t".to_string(), p), ("u".to_string(), Table::default())]);
    let found = differences(&sqlite, &postgres);
    assert_eq!(
        found,
        vec![
            "t.id: NULL allowed on SQLite, NOT NULL on PostgreSQL (primary key column: SQLite allows NULL)",
            "t.n: type int64 on SQLite, int32 on PostgreSQL",
            "t: UNIQUE (n) only on PostgreSQL",
            "t: index t_n (n) WHERE … only on SQLite",
            "table u: only on PostgreSQL",
        ]
    );
    assert!(allowed(&found[0]));
    assert!(found[1..].iter().all(|d| !allowed(d)));
    assert_eq!(mapped_type(Engine::Sqlite, "INTEGER"), "int64");
    assert_eq!(
        mapped_type(Engine::Sqlite, "BIGINT"),
        mapped_type(Engine::Postgres, "bigint")
    );
    assert_eq!(
        mapped_type(Engine::Sqlite, "TEXT"),
        mapped_type(Engine::Postgres, "character varying")
    );
}
