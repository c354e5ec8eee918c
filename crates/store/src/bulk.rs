//! Multi-row INSERTs that bind well on both engines.

use crate::Conn;

/// Whether `conn` is SQLite, whose statements here take anonymous `?`
/// placeholders: SQLite looks a numbered `$n` up by name, scanning the list of
/// the statement's names at every bind, so binding a 12,000-value statement by
/// `$n` costs time quadratic in its size (most of an import's time before).
pub(crate) fn is_sqlite(conn: &Conn) -> bool {
    conn.backend_name() == "SQLite"
}

/// `$first, $first+1, …`: `count` numbered placeholders, for an `IN (…)` list
/// bound after the statement's first `first - 1` values.
pub(crate) fn numbered_list(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `INSERT INTO {head} VALUES (…), (…)` for `rows` rows of `width` values.
pub(crate) fn insert_sql(head: &str, rows: usize, width: usize, sqlite: bool) -> String {
    insert_sql_of(head, &plain_row(width), rows, sqlite)
}

/// A row of `width` bound values: `(?, ?, …)`.
fn plain_row(width: usize) -> String {
    format!("({})", vec!["?"; width].join(", "))
}

/// `INSERT INTO {head} VALUES {row}, {row}…` for `rows` rows, where `row` marks
/// each value it binds with `?` (numbered `$n` for PostgreSQL), so that a row
/// can also hold expressions, such as a number looked up by a bound key.
pub(crate) fn insert_sql_of(head: &str, row: &str, rows: usize, sqlite: bool) -> String {
    let mut sql = format!("INSERT INTO {head} VALUES ");
    sql.reserve(rows * (row.len() + 2) * 2);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        for c in row.chars() {
            if c == '?' && !sqlite {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push(c);
            }
        }
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
    insert_rows_of(conn, head, &plain_row(width), per, rows, bind).await
}

/// [`insert_rows`] with each row written as `row` (see [`insert_sql_of`]).
pub(crate) async fn insert_rows_of<T>(
    conn: &mut Conn,
    head: &str,
    row: &str,
    per: usize,
    rows: &[T],
    bind: for<'q> fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> crate::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sqlite = is_sqlite(conn);
    let per = per.max(1);
    let full = insert_sql_of(head, row, per.min(rows.len()), sqlite);
    for chunk in rows.chunks(per) {
        let odd = (chunk.len() != per && chunk.len() != rows.len())
            .then(|| insert_sql_of(head, row, chunk.len(), sqlite));
        let keep = odd.is_none() || chunk.len() <= 16;
        let mut q = sqlx::query(odd.as_deref().unwrap_or(&full)).persistent(keep);
        for r in chunk {
            q = bind(q, r);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_for_postgres_and_marked_for_sqlite() {
        let row = "((SELECT no FROM t WHERE id = ?), ?)";
        assert_eq!(
            insert_sql_of("x (a, b)", row, 2, false),
            "INSERT INTO x (a, b) VALUES ((SELECT no FROM t WHERE id = $1), $2), \
             ((SELECT no FROM t WHERE id = $3), $4)"
        );
        assert_eq!(
            insert_sql_of("x (a, b)", row, 1, true),
            "INSERT INTO x (a, b) VALUES ((SELECT no FROM t WHERE id = ?), ?)"
        );
        assert_eq!(
            insert_sql("x (a, b)", 2, 2, false),
            "INSERT INTO x (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
