//! The per-dossier hash chain: each event's hash covers the previous hash and the
//! event's own content, so that changing, removing or reordering any event breaks
//! every hash after it. `verify_chains` walks every chain.

use motcua_store::dossiers::{self as store, DossierRow, EventRow};
use motcua_store::Conn;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::App;

/// The hash before a dossier's first event.
pub const GENESIS: &str = "";

/// SHA-256 over the previous hash and the event's fields as a JSON array: a fixed
/// field order and JSON's escaping make the encoding unambiguous. Public for tools
/// that write chains in bulk (the benchmark's data generator).
pub fn event_hash(e: &EventRow) -> String {
    let content = serde_json::json!([
        e.dossier_id,
        e.seq,
        e.at,
        e.actor_id,
        e.actor_name,
        e.agency_id,
        e.action,
        e.from_status,
        e.to_status,
        e.reason,
        e.data,
    ]);
    let mut h = Sha256::new();
    h.update(e.prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// The facts of an event about to be appended.
pub(crate) struct NewEvent<'a> {
    pub at: i64,
    pub actor_id: Option<&'a str>,
    pub actor_name: &'a str,
    pub agency_id: Option<&'a str>,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: &'a str,
    pub reason: Option<&'a str>,
    pub data: serde_json::Value,
}

/// Appends an event to `d`'s chain and moves `d`'s chain head (`last_seq`,
/// `last_hash`); the caller writes `d` in the same transaction.
pub(crate) async fn append(conn: &mut Conn, d: &mut DossierRow, e: NewEvent<'_>) -> Result<()> {
    let row = prepare(d, e);
    store::insert_event(conn, &row).await?;
    Ok(())
}

/// The next event of `d`'s chain, with `d`'s head moved to it; nothing written.
pub(crate) fn prepare(d: &mut DossierRow, e: NewEvent<'_>) -> EventRow {
    let mut row = EventRow {
        id: motcua_store::new_id(),
        dossier_id: d.id.clone(),
        seq: d.last_seq + 1,
        at: e.at,
        actor_id: e.actor_id.map(str::to_owned),
        actor_name: e.actor_name.to_owned(),
        agency_id: e.agency_id.map(str::to_owned),
        action: e.action.to_owned(),
        from_status: e.from_status.map(str::to_owned),
        to_status: e.to_status.to_owned(),
        reason: e.reason.map(str::to_owned),
        data: e.data.to_string(),
        prev_hash: d.last_hash.clone(),
        hash: String::new(),
    };
    row.hash = event_hash(&row);
    d.last_seq = row.seq;
    d.last_hash = row.hash.clone();
    row
}

/// Where a chain is broken.
#[derive(Debug, Clone, Serialize)]
pub struct ChainBreak {
    pub code: String,
    pub seq: i64,
    pub problem: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ChainReport {
    pub dossiers: u64,
    pub events: u64,
    pub breaks: Vec<ChainBreak>,
}

/// Checks one dossier's events (in seq order) against its recorded head.
fn check(
    code: &str,
    last_seq: i64,
    last_hash: &str,
    events: &[EventRow],
    out: &mut Vec<ChainBreak>,
) {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    let brk = |seq, problem: String| ChainBreak {
        code: code.to_owned(),
        seq,
        problem,
    };
    for e in events {
        if e.seq != expected_seq {
            out.push(brk(e.seq, format!("event {expected_seq} is missing")));
            return;
        }
        if e.prev_hash != prev {
            out.push(brk(
                e.seq,
                "does not follow the previous event's hash".into(),
            ));
            return;
        }
        if event_hash(e) != e.hash {
            out.push(brk(
                e.seq,
                "content does not match its hash (changed after it was written)".into(),
            ));
            return;
        }
        prev = e.hash.clone();
        expected_seq += 1;
    }
    if expected_seq - 1 != last_seq || prev != last_hash {
        out.push(brk(
            expected_seq - 1,
            format!(
                "the dossier's last event is {last_seq}, the chain ends at {}",
                expected_seq - 1
            ),
        ));
    }
}

impl App {
    /// Walks every dossier's chain, in batches, and reports each break.
    pub async fn verify_chains(&self) -> Result<ChainReport> {
        let mut conn = self.db.read().await?;
        let mut report = ChainReport::default();
        let mut after = String::new();
        loop {
            let (heads, events) = store::events_after(&mut conn, &after, 2_000).await?;
            let Some(last) = heads.last() else { break };
            after = last.0.clone();
            let mut i = 0;
            for (id, code, last_seq, last_hash) in &heads {
                let start = i;
                while i < events.len() && &events[i].dossier_id == id {
                    i += 1;
                }
                report.dossiers += 1;
                report.events += (i - start) as u64;
                check(
                    code,
                    *last_seq,
                    last_hash,
                    &events[start..i],
                    &mut report.breaks,
                );
            }
        }
        Ok(report)
    }
}
