//! The per-dossier hash chain: each event's hash covers the previous hash and the
//! event's own content, so that changing, removing or reordering any event breaks
//! every hash after it. `verify_chains` walks every chain and checks that each
//! dossier row is the fold of its events.

use std::collections::HashMap;

use motcua_domain::dossier::fold;
use motcua_store::dossiers::{self as store, AuditBatch, DossierRow, EventRow, StoredDossier};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Dossiers;
use crate::error::{Error, Result};

/// The hash before a dossier's first event.
pub const GENESIS: &[u8] = &[];

/// SHA-256 over the previous hash (as hex) and the event's fields as a JSON array:
/// a fixed field order and JSON's escaping make the encoding unambiguous. Public
/// for tools that write chains in bulk (the benchmark's data generator).
pub fn event_hash(e: &EventRow, prev: &[u8]) -> Vec<u8> {
    // A tuple serialises as the JSON array the chain has always hashed.
    let content = serde_json::to_vec(&(
        &e.dossier_id,
        e.seq,
        e.at,
        &e.actor_id,
        &e.actor_name,
        &e.agency_id,
        &e.action,
        &e.from_status,
        &e.to_status,
        &e.reason,
        &e.data,
    ))
    .unwrap_or_default();
    let mut h = Sha256::new();
    h.update(hex::encode(prev).as_bytes());
    h.update(b"\n");
    h.update(&content);
    h.finalize().to_vec()
}

/// Where a chain is broken.
#[derive(Debug, Clone, Serialize)]
pub struct ChainBreak {
    pub code: String,
    pub seq: i64,
    pub problem: String,
}

/// A dossier whose row is not the fold of its events: changed behind the
/// application's back (or written by a faulty version of it).
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    pub code: String,
    /// The fields that differ, or why the comparison could not be made.
    pub fields: Vec<String>,
}

/// Events left without their dossier row.
#[derive(Debug, Clone, Serialize)]
pub struct Orphan {
    /// The number the events name (`dossiers.no`): the row itself is gone.
    pub dossier_no: i64,
    pub events: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ChainReport {
    pub dossiers: u64,
    pub events: u64,
    pub breaks: Vec<ChainBreak>,
    pub drifts: Vec<Drift>,
    pub orphans: Vec<Orphan>,
}

/// The most orphaned dossiers a report names.
const ORPHANS_NAMED: i64 = 1_000;

/// Compares the stored row with the fold of the stored events, and its count of
/// scanned documents with the document files it holds.
fn drift(row: &DossierRow, events: &[EventRow], scanned_documents: i64) -> Option<Drift> {
    let found = |fields: Vec<String>| {
        Some(Drift {
            code: row.code.clone(),
            fields,
        })
    };
    let events = match events
        .iter()
        .map(EventRow::event)
        .collect::<std::result::Result<Vec<_>, _>>()
    {
        Ok(e) => e,
        Err(e) => return found(vec![format!("an event cannot be read: {e}")]),
    };
    match fold(&row.id, &events) {
        Err(e) => found(vec![format!("the events do not make a dossier: {e}")]),
        Ok(folded) => {
            // The details are kept once, in the events: the row is compared on
            // every other field.
            let stored = match StoredDossier::from_row(row, folded.details.clone()) {
                Ok(s) => s,
                Err(e) => return found(vec![format!("the row cannot be read: {e}")]),
            };
            let mut fields = stored.dossier.differences(&folded);
            // The columns the row derives for its indexes must follow too.
            let expected = StoredDossier {
                dossier: folded,
                ..stored
            }
            .row();
            if row.is_open != expected.is_open {
                fields.push("is_open");
            }
            if row.closed_at != expected.closed_at {
                fields.push("closed_at");
            }
            if row.documents != expected.documents {
                fields.push("documents");
            }
            if row.scanned_documents != scanned_documents {
                fields.push("scanned_documents");
            }
            // The applicant's columns are the lists' copies of the details.
            for (field, same) in [
                (
                    "applicant_name",
                    row.applicant_name == expected.applicant_name,
                ),
                (
                    "applicant_folded",
                    row.applicant_folded == expected.applicant_folded,
                ),
                ("applicant_id", row.applicant_id == expected.applicant_id),
                (
                    "applicant_phone",
                    row.applicant_phone == expected.applicant_phone,
                ),
                (
                    "applicant_email",
                    row.applicant_email == expected.applicant_email,
                ),
            ] {
                if !same {
                    fields.push(field);
                }
            }
            if fields.is_empty() {
                None
            } else {
                found(fields.into_iter().map(String::from).collect())
            }
        }
    }
}

/// Checks one dossier's events (in seq order) against its recorded head.
fn check(
    code: &str,
    last_seq: i64,
    last_hash: &[u8],
    events: &[EventRow],
    out: &mut Vec<ChainBreak>,
) {
    let mut prev: &[u8] = GENESIS;
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
        // The previous hash is in this one: an event changed, removed or moved
        // before it makes every later hash differ.
        if event_hash(e, prev) != e.hash {
            out.push(brk(
                e.seq,
                "content does not match its hash (changed after it was written)".into(),
            ));
            return;
        }
        prev = &e.hash;
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

/// Checks one batch of dossiers (rows in id order, their events in chain order).
fn check_batch(
    rows: &[DossierRow],
    events: &[EventRow],
    scanned: &HashMap<String, i64>,
    report: &mut ChainReport,
) {
    let mut i = 0;
    for row in rows {
        let start = i;
        while i < events.len() && events[i].dossier_id == row.id {
            i += 1;
        }
        report.dossiers += 1;
        report.events += (i - start) as u64;
        let before = report.breaks.len();
        check(
            &row.code,
            row.last_seq,
            &row.last_hash,
            &events[start..i],
            &mut report.breaks,
        );
        // A broken chain is reported as such; a fold of it would say little.
        if report.breaks.len() == before {
            let files = scanned.get(&row.id).copied().unwrap_or(0);
            report.drifts.extend(drift(row, &events[start..i], files));
        }
    }
}

/// Checks a batch on every core: each takes a run of dossiers with their events.
fn check_on_cores(batch: &AuditBatch, cores: usize) -> Result<ChainReport> {
    let (rows, events) = (&batch.rows, &batch.events);
    // Where each dossier's events end, walking both lists in the database's order
    // (its collation need not be Rust's).
    let mut ends = Vec::with_capacity(rows.len());
    let mut i = 0;
    for row in rows {
        while i < events.len() && events[i].dossier_id == row.id {
            i += 1;
        }
        ends.push(i);
    }
    let per_part = rows.len().div_ceil(cores.max(1)).max(1);
    let parts = std::thread::scope(|scope| {
        let mut workers = Vec::new();
        let mut from = 0;
        for (k, part) in rows.chunks(per_part).enumerate() {
            let to = ends[k * per_part + part.len() - 1];
            let mine = &events[from..to];
            from = to;
            workers.push(scope.spawn(move || {
                let mut r = ChainReport::default();
                check_batch(part, mine, &batch.scanned_documents, &mut r);
                r
            }));
        }
        workers
            .into_iter()
            .map(|w| w.join())
            .collect::<std::result::Result<Vec<_>, _>>()
    })
    .map_err(|_| Error::Internal("an audit worker failed".into()))?;
    let mut report = ChainReport::default();
    for p in parts {
        report.dossiers += p.dossiers;
        report.events += p.events;
        report.breaks.extend(p.breaks);
        report.drifts.extend(p.drifts);
    }
    Ok(report)
}

impl Dossiers<'_> {
    /// Walks every dossier's chain, in batches, and reports each break, and each
    /// dossier whose row is not the fold of its events. Hashing and folding are
    /// the work: each batch is shared among the machine's cores while the next
    /// one is read.
    pub async fn verify(&self) -> Result<ChainReport> {
        const BATCH: i64 = 20_000;
        let mut walk = store::AuditWalk::open(&self.db, BATCH).await?;
        let mut report = ChainReport::default();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut batch = walk.next().await?;
        while !batch.rows.is_empty() {
            let checking = tokio::task::spawn_blocking(move || check_on_cores(&batch, cores));
            let (next, checked) = tokio::join!(walk.next(), checking);
            let part = checked.map_err(|e| Error::internal("an audit worker", e))??;
            report.dossiers += part.dossiers;
            report.events += part.events;
            report.breaks.extend(part.breaks);
            report.drifts.extend(part.drifts);
            batch = next?;
        }
        // Events the walk did not meet belong to no dossier row, or were written
        // since it passed: a count tells whether to look, and only then the
        // search for rowless events (a pass over every event) names them.
        let mut conn = self.db.read().await?;
        if store::event_count(&mut conn).await? > report.events as i64 {
            report.orphans = store::orphan_events(&mut conn, ORPHANS_NAMED)
                .await?
                .into_iter()
                .map(|(dossier_no, events)| Orphan { dossier_no, events })
                .collect();
        }
        Ok(report)
    }
}
