//! How events are written (migrations 0024 and 0025): into `dossier_event_rows`,
//! naming their dossier by its number and each text they repeat (actor and agency
//! ids, the actor's name, action, statuses) by its number in `event_terms`.
//! Everything reads them back as texts through the view `dossier_events`. A
//! dossier row names its procedure's name the same way (`dossiers::insert`).

use std::collections::{BTreeSet, HashMap};
use std::sync::RwLock;

use super::{data, EventRow};
use crate::bulk::{insert_rows_of, is_sqlite, AnyQuery};
use crate::{Conn, Result, StoreError};

/// The numbers of terms known to be committed, shared by the transactions of a
/// database, so that an event's write needs no look-up once its terms are known.
///
/// A term numbered inside a transaction is remembered only when that transaction
/// commits: the number of a rolled-back term can be given to another text later
/// (SQLite takes the highest rowid plus one again), and an event written with a
/// remembered one would then name the wrong text.
#[derive(Debug, Default)]
pub struct EventTerms {
    committed: RwLock<HashMap<String, i64>>,
}

impl EventTerms {
    fn get(&self, value: &str) -> Option<i64> {
        self.committed
            .read()
            .ok()
            .and_then(|known| known.get(value).copied())
    }

    pub(crate) fn forget(&self) {
        if let Ok(mut known) = self.committed.write() {
            known.clear();
        }
    }

    /// Terms numbered by a transaction that has now committed.
    pub(crate) fn remember(&self, learned: Vec<(String, i64)>) {
        if learned.is_empty() {
            return;
        }
        if let Ok(mut known) = self.committed.write() {
            // Citizens' names are terms too (online submissions), so the set
            // grows with the population served: past the bound it starts again,
            // and the terms in use come back at their next write (one look-up).
            if known.len() + learned.len() > REMEMBERED_AT_MOST {
                known.clear();
            }
            known.extend(learned);
        }
    }
}

/// How many committed terms a database remembers at most (~80 bytes each).
const REMEMBERED_AT_MOST: usize = 100_000;

/// The terms of a write: those of the committed cache, and those this
/// transaction has numbered so far (to be remembered if it commits).
pub(crate) struct Numbering<'a> {
    pub known: Option<&'a EventTerms>,
    pub learned: &'a mut Vec<(String, i64)>,
}

/// Writes `rows` with one multi-row statement per 1,000, after numbering their
/// terms (looked up, and added when new, in this transaction).
pub(crate) async fn write(conn: &mut Conn, rows: &[&EventRow], terms: Numbering<'_>) -> Result<()> {
    let mut values = Vec::with_capacity(rows.len() * 6);
    for e in rows {
        values.extend(
            [
                e.actor_id.as_deref(),
                e.agency_id.as_deref(),
                Some(e.actor_name.as_str()),
                Some(e.action.as_str()),
                e.from_status.as_deref(),
                Some(e.to_status.as_str()),
            ]
            .into_iter()
            .flatten(),
        );
    }
    let numbers = number_terms(conn, &values, terms).await?;
    let number = |v: &str| number_in(&numbers, v);
    let maybe = |v: Option<&str>| v.map(number).transpose();
    let mut stored = Vec::with_capacity(rows.len());
    for e in rows {
        stored.push(Stored {
            dossier_id: &e.dossier_id,
            seq: e.seq,
            at: e.at,
            actor: maybe(e.actor_id.as_deref())?,
            agency: maybe(e.agency_id.as_deref())?,
            action: number(&e.action)?,
            from_status: maybe(e.from_status.as_deref())?,
            to_status: number(&e.to_status)?,
            actor_name: number(&e.actor_name)?,
            reason: e.reason.as_deref(),
            data: data::encode(&e.data),
            hash: &e.hash,
        });
    }
    insert_rows_of(conn, HEAD, ROW, 1_000, &stored, bind).await
}

/// The number of `value` among the `numbers` of [`number_terms`].
pub(crate) fn number_in(numbers: &HashMap<String, i64>, value: &str) -> Result<i64> {
    numbers
        .get(value)
        .copied()
        .ok_or_else(|| StoreError::Protocol(format!("the term «{value}» has no number")))
}

/// The number of one term, looked up (or added) in this transaction.
pub(crate) async fn number_of(conn: &mut Conn, value: &str, terms: Numbering<'_>) -> Result<i64> {
    let numbers = number_terms(conn, &[value], terms).await?;
    number_in(&numbers, value)
}

/// A row of `dossier_event_rows`, its dossier still named by id.
struct Stored<'a> {
    dossier_id: &'a str,
    seq: i64,
    at: i64,
    actor: Option<i64>,
    agency: Option<i64>,
    action: i64,
    from_status: Option<i64>,
    to_status: i64,
    actor_name: i64,
    reason: Option<&'a str>,
    data: Vec<u8>,
    hash: &'a [u8],
}

const HEAD: &str = "dossier_event_rows (dossier_no, seq, at, actor, agency, action, \
     from_status, to_status, actor_name, reason, data, hash)";
const ROW: &str = "((SELECT no FROM dossiers WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

fn bind<'q>(q: AnyQuery<'q>, s: &'q Stored<'_>) -> AnyQuery<'q> {
    q.bind(s.dossier_id)
        .bind(s.seq)
        .bind(s.at)
        .bind(s.actor)
        .bind(s.agency)
        .bind(s.action)
        .bind(s.from_status)
        .bind(s.to_status)
        .bind(s.actor_name)
        .bind(s.reason)
        .bind(s.data.as_slice())
        .bind(s.hash)
}

/// Terms a statement looks up or adds at most.
const TERMS_PER_STATEMENT: usize = 500;

/// The number of every term of `values`.
pub(crate) async fn number_terms(
    conn: &mut Conn,
    values: &[&str],
    terms: Numbering<'_>,
) -> Result<HashMap<String, i64>> {
    let mut numbers: HashMap<String, i64> = HashMap::new();
    // Sorted: two transactions adding the same new terms then wait for each
    // other in one order, never in a cycle (PostgreSQL).
    let mut missing: BTreeSet<&str> = BTreeSet::new();
    for &v in values {
        if numbers.contains_key(v) || missing.contains(v) {
            continue;
        }
        let known = terms
            .known
            .and_then(|k| k.get(v))
            .or_else(|| terms.learned.iter().find(|(t, _)| t == v).map(|(_, n)| *n));
        match known {
            Some(n) => {
                numbers.insert(v.to_owned(), n);
            }
            None => {
                missing.insert(v);
            }
        }
    }
    let missing: Vec<&str> = missing.into_iter().collect();
    let sqlite = is_sqlite(conn);
    for chunk in missing.chunks(TERMS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len())
            .map(|i| {
                if sqlite {
                    "?".to_owned()
                } else {
                    format!("${i}")
                }
            })
            .collect();
        // Only the new ones reach the INSERT: on PostgreSQL a conflicting row
        // would still take a number from the identity's sequence. A term another
        // transaction is adding at the same moment is waited for by ON CONFLICT,
        // and the SELECT after it (a new snapshot) sees it.
        let add = format!(
            "INSERT INTO event_terms (value) SELECT x.column1 FROM (VALUES ({})) AS x \
             WHERE NOT EXISTS (SELECT 1 FROM event_terms t WHERE t.value = x.column1) \
             ON CONFLICT (value) DO NOTHING",
            marks.join("), (")
        );
        let mut q = sqlx::query(&add);
        for v in chunk {
            q = q.bind(*v);
        }
        q.execute(&mut *conn).await?;
        let read = format!(
            "SELECT no, value FROM event_terms WHERE value IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(&read);
        for v in chunk {
            q = q.bind(*v);
        }
        for (n, v) in q.fetch_all(&mut *conn).await? {
            terms.learned.push((v.clone(), n));
            numbers.insert(v, n);
        }
    }
    Ok(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remembered_terms_are_bounded() {
        let terms = EventTerms::default();
        for batch in 0..3 {
            let learned = (0..REMEMBERED_AT_MOST / 2)
                .map(|i| (format!("{batch}-{i}"), i as i64))
                .collect();
            terms.remember(learned);
        }
        let known = terms.committed.read().expect("lock").len();
        assert!(known <= REMEMBERED_AT_MOST, "{known}");
        assert_eq!(terms.get("2-7"), Some(7));
        assert_eq!(terms.get("0-7"), None);
    }
}
