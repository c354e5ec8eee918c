//! The dossier's life: intake on every channel, the workflow's actions, the
//! hash-chained history, worklists, public tracking, printed forms, and the
//! historical import/export.

mod actions;
mod chain;
mod extension;
mod input;
mod intake;
pub(crate) mod notices;
mod printing;
mod queries;
mod result_signing;
mod tracking;
mod transfer;
mod write;

pub(crate) use extension::{Attachments, Extension, Step};
pub(crate) use write::NewFile;

pub use actions::ActionInput;
pub use chain::{event_hash, ChainReport, GENESIS};
pub use input::Upload;
pub(crate) use input::{parse_date, read_date};
pub use intake::{ApplicantInput, DocumentInput, IntakeInput};
pub(crate) use printing::place_of;
pub use printing::Form;
pub use queries::{DossierDetail, DossierPage, Worklist, WorklistQuery};
pub use tracking::TrackedDossier;
pub use transfer::{ExportedDossier, ExportedEvent, ImportReport, RejectedLine};

pub use motcua_domain::dossier::{Applicant, Details, Handover, ReceivedDocument};

use motcua_store::dossiers::{EventRow, FileRow};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::App;

/// The dossier module's use cases, reached as `app.dossiers()`: intake, the
/// workflow's actions, reading, printing, tracking, import, export and audit.
#[derive(Clone)]
pub struct Dossiers<'a> {
    app: &'a App,
}

impl App {
    pub fn dossiers(&self) -> Dossiers<'_> {
        Dossiers { app: self }
    }
}

/// The module's use cases are the application's, with its database, clock,
/// calendars and settings.
impl std::ops::Deref for Dossiers<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}

/// A dossier as people and the API see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dossier {
    pub id: String,
    pub code: String,
    pub agency_code: String,
    pub agency_name: String,
    pub procedure: String,
    pub procedure_name: String,
    pub procedure_version: i64,
    pub sector: String,
    pub channel: String,
    pub status: String,
    pub status_label: String,
    /// The applicant, documents, handover… (flattened into the dossier).
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: Details,
    pub return_method: String,
    pub fee_amount: i64,
    pub fee_paid: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub submitted_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub received_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub original_due_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub paused_at: Option<jiff::Timestamp>,
    pub supplements: i64,
    pub extensions: i64,
    pub assignee: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub result_ready_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub returned_at: Option<jiff::Timestamp>,
    pub timeliness: Option<String>,
    /// Give it back with an action to be told if someone else changed the dossier.
    pub version: i64,
    /// The actions the person asking may take now.
    #[serde(default)]
    pub allowed_actions: Vec<String>,
    /// Of those, the ones the dossier is waiting for from this person (what the
    /// page leads with); the others are rarer.
    #[serde(default)]
    pub next_actions: Vec<String>,
}

/// One entry of a dossier's history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub seq: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: jiff::Timestamp,
    pub actor: String,
    /// The actor's title in the unit (from their roles), for people reading the
    /// history; none for a citizen or another system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_title: Option<String>,
    /// assign: the specialist's full name and title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_name: Option<String>,
    pub action: String,
    pub action_label: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    pub hash: String,
}

/// A scanned document or a result file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DossierFile {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// A result signed with the approving leader's certificate: by whom.
    pub signed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub signed_at: Option<jiff::Timestamp>,
}

impl From<FileRow> for DossierFile {
    fn from(f: FileRow) -> Self {
        DossierFile {
            id: f.id,
            kind: f.kind,
            name: f.name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
            signed_by: None,
            signed_at: None,
        }
    }
}

pub(crate) fn event_from_row(e: EventRow) -> Event {
    let label = motcua_domain::dossier::Verb::parse(&e.action)
        .map(|v| v.label_vi().to_string())
        .unwrap_or_else(|| match e.action.as_str() {
            "receive" => "Tiếp nhận hồ sơ".to_string(),
            "submit" => "Nộp hồ sơ trực tuyến".to_string(),
            "import" => "Nhập từ hệ thống cũ".to_string(),
            other => other.to_string(),
        });
    Event {
        seq: e.seq,
        at: motcua_store::from_millis(e.at),
        actor: e.actor_name,
        actor_title: None,
        assignee_name: None,
        action: e.action,
        action_label: label,
        from_status: e.from_status,
        to_status: e.to_status,
        reason: e.reason,
        data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
        hash: hex::encode(&e.hash),
    }
}

/// "The dossier changed under you": what the second of two officers acting at once
/// is told, with the state it is in now.
pub(crate) fn changed(d: &motcua_domain::dossier::Dossier) -> Error {
    Error::Conflict(format!(
        "Hồ sơ {} vừa được người khác cập nhật; trạng thái hiện nay: «{}». Vui lòng xem lại hồ sơ trước khi thao tác tiếp.",
        d.code,
        d.status.label_vi()
    ))
}

pub(crate) fn not_found(code: &str) -> Error {
    Error::NotFound(format!("Không tìm thấy hồ sơ mã «{code}»."))
}

/// A refusal to read a dossier of an agency outside the person's own (and the
/// agencies under it) is answered like a code that does not exist: a 403 there would
/// tell an officer of another commune which codes are real. Within their own agency
/// (an administrator, who may not read dossiers) the refusal stays a refusal.
pub(crate) fn unknown_outside(
    actor: &crate::principal::Actor,
    dossier_agency_path: &str,
    refusal: Error,
    code: &str,
) -> Error {
    if motcua_domain::agency::is_within(dossier_agency_path, &actor.agency.path) {
        refusal
    } else {
        not_found(code)
    }
}
