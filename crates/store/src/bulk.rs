//! Multi-row INSERTs that bind well on both engines.

use crate::Conn;

/// Whether `conn` is SQLite, whose statements here take anonymous `?`
/// placeholders: SQLite looks a numbered `$n` up by name, scanning the list of
/// the statement's names at every bind, so binding a 12,000-value statement by
/// `$n` costs time quadratic in its size (most of an import's time before).
pub(crate) fn is_sqlite(conn: &Conn) -> bool {
    conn.backend_name() == "SQLite"
}

/// `INSERT INTO {head} VALUES (…), (…)` for `rows` rows of `width` values.
pub(crate) fn insert_sql(head: &str, rows: usize, width: usize, sqlite: bool) -> String {
    let mut sql = format!("INSERT INTO {head} VALUES ");
    sql.reserve(rows * width * 6);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            if sqlite {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&(r * width + c + 1).to_string());
            }
        }
        sql.push(')');
    }
    sql
}
