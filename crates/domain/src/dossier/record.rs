//! The dossier as a value: what its events say it is now. The store's `dossiers`
//! row holds exactly this (plus the chain head and a few indexed copies of the
//! applicant's fields), and `fold` rebuilds it from the events alone.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::clock::Timeliness;
use super::status::{Channel, Status};
use crate::personal_id::Sex;
use crate::procedure::ReturnMethod;

/// The current state of one dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dossier {
    pub id: String,
    pub code: String,
    pub agency_id: String,
    pub procedure: ProcedureRef,
    pub channel: Channel,
    pub status: Status,
    pub return_method: ReturnMethod,
    pub fee_amount: i64,
    pub fee_paid: bool,
    /// Same-day online dossiers are served first: 0 first, then 1.
    pub priority: i64,
    pub details: Details,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_due_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<Timestamp>,
    #[serde(default)]
    pub supplements: u32,
    #[serde(default)]
    pub extensions: u32,
    /// Results attached (files or described paper results).
    #[serde(default)]
    pub results: u32,
    /// Of those, the files signed digitally.
    #[serde(default)]
    pub signed_results: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_ready_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeliness: Option<Timeliness>,
    /// How many events the dossier has: bumped by each, named by an update that
    /// must find the dossier as it was read (optimistic locking).
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The procedure version a dossier was received under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureRef {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sector: String,
}

/// What the intake recorded beyond the indexed columns.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Details {
    pub applicant: Applicant,
    /// The person the applicant acts for, when not for themself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Applicant>,
    #[serde(default)]
    pub documents: Vec<ReceivedDocument>,
    #[serde(default = "one")]
    pub sets: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_receipt_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_exemption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How the result left: who collected it, the post's tracking number…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<Handover>,
    /// The missing items listed by the supplement request (form 02).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The procedure's time limit at receipt, e.g. "3wd", for restarting the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<String>,
    /// Fields an import brought that motcua has no column for: kept, exported back.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// A civil-status dossier: the facts declared for its register entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civil: Option<CivilFacts>,
}

/// What a civil-status dossier declares at intake: the fields of the register
/// entry its approval writes (as typed, checked at intake and read again at
/// approval), or, for a change, correction or supplement, the entry it changes,
/// the note's kind and reason, and the fields' new values; for an extract, the
/// entry to copy and how many copies.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CivilFacts {
    /// Field name (`crate::civil::Field::as_str`) → value as typed.
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
    /// A note: the id of the entry it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    /// A note: the entry it changes by its book and number instead, as written
    /// on the paper the applicant brings (the book as printed, "01/2014"; its
    /// year from the label's "/yyyy" unless `entry_book_year` gives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_book: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_book_year: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_number: Option<i64>,
    /// A note: change | correction | supplement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// An extract: the copies asked for (and paid for at intake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u16>,
}

fn one() -> u16 {
    1
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Applicant {
    pub full_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<jiff::civil::Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ReceivedDocument {
    pub name: String,
    #[serde(default)]
    pub originals: u16,
    #[serde(default)]
    pub certified_copies: u16,
    #[serde(default)]
    pub photocopies: u16,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Handover {
    pub method: ReturnMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collector_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collector_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
}

impl Dossier {
    /// Still needs work.
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    /// When the dossier left the one-stop's hands: its result returned, or it was
    /// refused, withdrawn or not accepted. A closed dossier takes no further event,
    /// so its last update is its closing.
    pub fn closed_at(&self) -> Option<Timestamp> {
        match self.status {
            Status::Returned => self.returned_at.or(Some(self.updated_at)),
            s if !s.is_open() => Some(self.updated_at),
            _ => None,
        }
    }

    /// The time limit recorded at receipt (the clock restarts with it).
    pub fn time_limit(&self) -> crate::calendar::TimeLimit {
        self.details
            .time_limit
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(crate::calendar::TimeLimit::SameDay)
    }

    /// The fields in which two dossiers differ, by name: what `audit verify`
    /// reports when a stored row is not the fold of its events.
    pub fn differences(&self, other: &Dossier) -> Vec<&'static str> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($f:ident),* $(,)?) => {$(
                if self.$f != other.$f {
                    out.push(stringify!($f));
                }
            )*};
        }
        cmp!(
            id,
            code,
            agency_id,
            procedure,
            channel,
            status,
            return_method,
            fee_amount,
            fee_paid,
            priority,
            details,
            submitted_at,
            received_at,
            due_at,
            original_due_at,
            paused_at,
            supplements,
            extensions,
            results,
            signed_results,
            assignee_id,
            approved_at,
            result_ready_at,
            returned_at,
            timeliness,
            version,
            created_at,
            updated_at,
        );
        out
    }
}
