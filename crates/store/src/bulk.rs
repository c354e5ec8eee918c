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

/// A query of the `Any` driver, as [`insert_rows`] binds it.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Inserts `rows` into `head` (`table (columns)`), `width` values a row bound by
/// `bind`, in the given order, `per` rows a statement. The full statement is
/// prepared once per connection and kept; the last, shorter one is kept only
/// when small (a single entry's rows recur at every approval), so that an odd
/// size does not push a useful statement out of the connection's cache.
pub(crate) async fn insert_rows<T>(
    conn: &mut Conn,
    head: &str,
    width: usize,
    per: usize,
    rows: &[T],
    bind: for<'q> fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> crate::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sqlite = is_sqlite(conn);
    let per = per.max(1);
    let full = insert_sql(head, per.min(rows.len()), width, sqlite);
    for chunk in rows.chunks(per) {
        let odd = (chunk.len() != per && chunk.len() != rows.len())
            .then(|| insert_sql(head, chunk.len(), width, sqlite));
        let keep = odd.is_none() || chunk.len() <= 16;
        let mut q = sqlx::query(odd.as_deref().unwrap_or(&full)).persistent(keep);
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
