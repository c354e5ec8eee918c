//! The dossier and its events as the domain knows them, read from and written to
//! their rows. Columns hold strings, 0/1 and milliseconds; nothing above the store
//! sees them.

use jiff::Timestamp;
use motcua_domain::dossier::{
    fold, Actor, Change, Channel, Details, Dossier, Event, ProcedureRef, Status, Timeliness,
};
use motcua_domain::procedure::ReturnMethod;
use motcua_domain::text;

use super::{DossierRow, EventRow};
use crate::{from_millis, to_millis};

/// A dossier as stored: the fold of its events, the head of its hash chain, and
/// the columns outside the fold: when the last reminder went out, and how many
/// scanned documents it holds (a count of its files, which are not events).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDossier {
    pub dossier: Dossier,
    pub last_seq: i64,
    /// The SHA-256 of the last event (the chain's head).
    pub last_hash: Vec<u8>,
    pub reminded_at: Option<Timestamp>,
    pub scanned_documents: u32,
}

fn decode(what: &str, detail: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{what}: {detail}").into())
}

fn ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(to_millis)
}

fn at(v: Option<i64>) -> Option<Timestamp> {
    v.map(from_millis)
}

fn status(s: &str) -> Result<Status, sqlx::Error> {
    Status::parse(s).ok_or_else(|| decode("status", s))
}

/// Instants are kept to the millisecond: what the columns hold.
pub fn to_stored_precision(t: Timestamp) -> Timestamp {
    from_millis(to_millis(t))
}

impl StoredDossier {
    /// The row that holds it, with the applicant's indexed copies.
    pub fn row(&self) -> DossierRow {
        let d = &self.dossier;
        let a = &d.details.applicant;
        DossierRow {
            id: d.id.clone(),
            code: d.code.clone(),
            agency_id: d.agency_id.clone(),
            procedure_code: d.procedure.code.clone(),
            procedure_version: d.procedure.version,
            procedure_name: d.procedure.name.clone(),
            sector: d.procedure.sector.clone(),
            channel: d.channel.as_str().into(),
            status: d.status.as_str().into(),
            is_open: i64::from(d.is_open()),
            applicant_name: a.full_name.clone(),
            applicant_folded: text::fold(&a.full_name),
            applicant_id: a.personal_id.clone(),
            applicant_phone: a.phone.clone(),
            applicant_email: a.email.clone(),
            return_method: d.return_method.as_str().into(),
            fee_amount: d.fee_amount,
            fee_paid: i64::from(d.fee_paid),
            submitted_at: ms(d.submitted_at),
            received_at: ms(d.received_at),
            due_at: ms(d.due_at),
            original_due_at: ms(d.original_due_at),
            paused_at: ms(d.paused_at),
            supplements: i64::from(d.supplements),
            extensions: i64::from(d.extensions),
            results: i64::from(d.results),
            assignee_id: d.assignee_id.clone(),
            approved_at: ms(d.approved_at),
            result_ready_at: ms(d.result_ready_at),
            returned_at: ms(d.returned_at),
            timeliness: d.timeliness.map(|t| t.as_str().into()),
            priority: d.priority,
            version: d.version,
            last_seq: self.last_seq,
            last_hash: self.last_hash.clone(),
            reminded_at: ms(self.reminded_at),
            created_at: to_millis(d.created_at),
            updated_at: to_millis(d.updated_at),
            closed_at: ms(d.closed_at()),
            documents: i64::try_from(d.details.documents.len()).unwrap_or(i64::MAX),
            signed_results: i64::from(d.signed_results),
            scanned_documents: i64::from(self.scanned_documents),
        }
    }
}

/// The details of a dossier (applicant, documents, handover…): the fold of its
/// events, where they are kept.
pub fn details_of_events(dossier_id: &str, events: &[EventRow]) -> Result<Details, sqlx::Error> {
    let events = events
        .iter()
        .map(EventRow::event)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(fold(dossier_id, &events)
        .map_err(|e| decode("the dossier's events", e))?
        .details)
}

impl StoredDossier {
    /// The dossier of a row and its events (in seq order). The row holds every
    /// column lists and reports use; the details (applicant, documents, what is
    /// missing, the handover) are kept once, in the events, and read from their fold.
    pub fn from_row_and_events(r: &DossierRow, events: &[EventRow]) -> Result<Self, sqlx::Error> {
        Self::from_row(r, details_of_events(&r.id, events)?)
    }

    /// The dossier of a row, given its details (the fold of its events).
    pub fn from_row(r: &DossierRow, details: Details) -> Result<Self, sqlx::Error> {
        let count = |what: &str, v: i64| u32::try_from(v).map_err(|e| decode(what, e));
        Ok(StoredDossier {
            dossier: Dossier {
                id: r.id.clone(),
                code: r.code.clone(),
                agency_id: r.agency_id.clone(),
                procedure: ProcedureRef {
                    code: r.procedure_code.clone(),
                    version: r.procedure_version,
                    name: r.procedure_name.clone(),
                    sector: r.sector.clone(),
                },
                channel: Channel::parse(&r.channel).ok_or_else(|| decode("channel", &r.channel))?,
                status: status(&r.status)?,
                return_method: ReturnMethod::parse(&r.return_method)
                    .ok_or_else(|| decode("return_method", &r.return_method))?,
                fee_amount: r.fee_amount,
                fee_paid: crate::flag(r.fee_paid),
                priority: r.priority,
                details,
                submitted_at: at(r.submitted_at),
                received_at: at(r.received_at),
                due_at: at(r.due_at),
                original_due_at: at(r.original_due_at),
                paused_at: at(r.paused_at),
                supplements: count("supplements", r.supplements)?,
                extensions: count("extensions", r.extensions)?,
                results: count("results", r.results)?,
                signed_results: count("signed_results", r.signed_results)?,
                assignee_id: r.assignee_id.clone(),
                approved_at: at(r.approved_at),
                result_ready_at: at(r.result_ready_at),
                returned_at: at(r.returned_at),
                timeliness: match &r.timeliness {
                    None => None,
                    Some(t) => Some(Timeliness::parse(t).ok_or_else(|| decode("timeliness", t))?),
                },
                version: r.version,
                created_at: from_millis(r.created_at),
                updated_at: from_millis(r.updated_at),
            },
            last_seq: r.last_seq,
            last_hash: r.last_hash.clone(),
            reminded_at: at(r.reminded_at),
            scanned_documents: count("scanned_documents", r.scanned_documents)?,
        })
    }
}

impl EventRow {
    /// The row of `e`, the `seq`-th event of `dossier_id`; its hash is left for
    /// the chain to compute.
    pub fn of(dossier_id: &str, seq: i64, e: &Event) -> EventRow {
        let (action, data) = e.change.stored();
        EventRow {
            dossier_id: dossier_id.to_owned(),
            seq,
            at: to_millis(e.at),
            actor_id: e.actor.id.clone(),
            actor_name: e.actor.name.clone(),
            agency_id: e.actor.agency_id.clone(),
            action,
            from_status: e.from.map(|s| s.as_str().into()),
            to_status: e.to.as_str().into(),
            reason: e.reason.clone(),
            data,
            hash: Vec::new(),
        }
    }

    /// The event this row records.
    pub fn event(&self) -> Result<Event, sqlx::Error> {
        Ok(Event {
            at: from_millis(self.at),
            actor: Actor {
                id: self.actor_id.clone(),
                name: self.actor_name.clone(),
                agency_id: self.agency_id.clone(),
            },
            from: self.from_status.as_deref().map(status).transpose()?,
            to: status(&self.to_status)?,
            reason: self.reason.clone(),
            change: Change::from_stored(&self.action, &self.data),
        })
    }
}
