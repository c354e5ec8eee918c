//! What happened to a dossier: one `Event` per thing done, appended and never
//! changed. The dossier is the fold of its events (`apply`); each event carries
//! every fact its effect needs, so that the fold needs nothing else.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::clock::Timeliness;
use super::record::{Details, Dossier, Handover, ProcedureRef};
use super::status::{Channel, Status};
use crate::procedure::ReturnMethod;

/// Who did it. Online submissions have no signed-in actor: the applicant's name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    pub id: Option<String>,
    pub name: String,
    pub agency_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Timestamp,
    pub actor: Actor,
    pub from: Option<Status>,
    pub to: Status,
    pub reason: Option<String>,
    pub change: Change,
}

/// The facts a new dossier starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intake {
    pub code: String,
    pub agency_id: String,
    pub procedure: ProcedureRef,
    pub channel: Channel,
    pub return_method: ReturnMethod,
    pub fee_amount: i64,
    pub fee_paid: bool,
    pub priority: i64,
    pub details: Details,
    /// Set when the dossier is received (the clock starts); absent for an online
    /// submission waiting to be accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Timestamp>,
}

/// What an event changes. Stored as its action name and the variant's fields as
/// JSON (`stored`/`from_stored`); the action names are the API's verbs, plus
/// `receive`, `submit` and `import` for the first event of a dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", content = "data", rename_all = "snake_case")]
pub enum Change {
    /// Received at the counter, by post, at home or by a helper team.
    Receive(Box<Intake>),
    /// Filed online; waits for the counter.
    Submit(Box<Intake>),
    /// Brought from another system: the dossier as that system last knew it.
    Import(Box<Dossier>),
    Accept {
        due_at: Timestamp,
    },
    NotAccept {},
    Assign {
        assignee_id: String,
        /// The username, for people reading the history.
        assignee: String,
    },
    Start {},
    RequestSupplement {
        missing: Vec<String>,
    },
    SupplementReceived {
        due_at: Timestamp,
    },
    Pause {},
    Resume {
        due_at: Timestamp,
    },
    Extend {
        old_due_at: Timestamp,
        due_at: Timestamp,
    },
    Reject {},
    /// The specialist's review, read by the leader before approving. A later
    /// review replaces an earlier one on the page; both stay in the history.
    RecordReview {
        opinion: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        draft_result: Option<String>,
        /// The working files stored with the event (kind `working`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        file_ids: Vec<String>,
    },
    /// The civil-status facts as the specialist checked them: they replace those
    /// declared at intake (which stay in the history).
    RecordCivil {
        civil: super::CivilFacts,
    },
    SubmitForApproval {},
    Approve {},
    SendBack {},
    AttachResult {
        result: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_id: Option<String>,
        /// The file was signed digitally before it was stored (absent, and so
        /// unchanged in the hash, for an unsigned one and for older events).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        signed: bool,
    },
    MarkReady {},
    Return {
        timeliness: Timeliness,
        handover: Handover,
    },
    Withdraw {},
    /// An event of another system's history, kept as it came: it moves the state
    /// and nothing else.
    #[serde(skip)]
    Legacy {
        action: String,
        data: serde_json::Value,
    },
}

impl Change {
    /// The action name and data as stored (and hashed).
    pub fn stored(&self) -> (String, String) {
        if let Change::Legacy { action, data } = self {
            let data = if data.is_null() {
                "{}".to_string()
            } else {
                data.to_string()
            };
            return (action.clone(), data);
        }
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut m)) => {
                let action = m
                    .remove("action")
                    .and_then(|a| a.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let data = m
                    .remove("data")
                    .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
                (action, data.to_string())
            }
            // Every variant but `Legacy` serialises to an object.
            _ => (String::new(), "{}".into()),
        }
    }

    /// Reads a stored event; what motcua cannot read as one of its own changes is
    /// kept as a legacy event.
    pub fn from_stored(action: &str, data: &str) -> Change {
        // The common case, cheaply: motcua wrote it, so reading it and writing it
        // back gives the same text.
        let tagged = format!(
            "{{\"action\":{},\"data\":{}}}",
            serde_json::Value::from(action),
            data
        );
        if let Ok(change) = serde_json::from_str::<Change>(&tagged) {
            if change.stored().1 == data {
                return change;
            }
        }
        let value: serde_json::Value =
            serde_json::from_str(data).unwrap_or(serde_json::Value::Null);
        let tagged = serde_json::json!({ "action": action, "data": value });
        match serde_json::from_value::<Change>(tagged.clone()) {
            // Read as one of ours only when nothing of it is lost (another system's
            // event may carry fields motcua's change has no place for); the same
            // content in another key order or spacing is still ours.
            Ok(change) if serde_json::to_value(&change).is_ok_and(|v| v == tagged) => change,
            _ => Change::Legacy {
                action: action.to_owned(),
                data: value,
            },
        }
    }

    pub fn action(&self) -> &str {
        match self {
            Change::Receive(_) => "receive",
            Change::Submit(_) => "submit",
            Change::Import(_) => "import",
            Change::Legacy { action, .. } => action,
            other => other.verb().map_or("", super::Verb::as_str),
        }
    }

    /// The workflow verb this change is the effect of.
    pub fn verb(&self) -> Option<super::Verb> {
        use super::Verb;
        Some(match self {
            Change::Accept { .. } => Verb::Accept,
            Change::NotAccept {} => Verb::NotAccept,
            Change::Assign { .. } => Verb::Assign,
            Change::Start {} => Verb::Start,
            Change::RequestSupplement { .. } => Verb::RequestSupplement,
            Change::SupplementReceived { .. } => Verb::SupplementReceived,
            Change::Pause {} => Verb::Pause,
            Change::Resume { .. } => Verb::Resume,
            Change::Extend { .. } => Verb::Extend,
            Change::Reject {} => Verb::Reject,
            Change::RecordReview { .. } => Verb::RecordReview,
            Change::RecordCivil { .. } => Verb::RecordCivil,
            Change::SubmitForApproval {} => Verb::SubmitForApproval,
            Change::Approve {} => Verb::Approve,
            Change::SendBack {} => Verb::SendBack,
            Change::AttachResult { .. } => Verb::AttachResult,
            Change::MarkReady {} => Verb::MarkReady,
            Change::Return { .. } => Verb::Return,
            Change::Withdraw {} => Verb::Withdraw,
            Change::Receive(_) | Change::Submit(_) | Change::Import(_) | Change::Legacy { .. } => {
                return None
            }
        })
    }

    /// The Vietnamese name of what happened, for the history.
    pub fn label_vi(&self) -> String {
        match self {
            Change::Receive(_) => "Tiếp nhận hồ sơ".into(),
            Change::Submit(_) => "Nộp hồ sơ trực tuyến".into(),
            Change::Import(_) => "Nhập từ hệ thống cũ".into(),
            Change::Legacy { action, .. } => match super::Verb::parse(action) {
                Some(v) => v.label_vi().into(),
                None => match action.as_str() {
                    "receive" => "Tiếp nhận hồ sơ".into(),
                    "submit" => "Nộp hồ sơ trực tuyến".into(),
                    "import" => "Nhập từ hệ thống cũ".into(),
                    other => other.into(),
                },
            },
            other => other.verb().map_or("", super::Verb::label_vi).into(),
        }
    }
}

/// Why a list of events does not make a dossier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("no events")]
    Empty,
    #[error("the first event ({0}) does not open a dossier")]
    NoOpening(String),
}

impl Dossier {
    /// The dossier its first event opens.
    pub fn open(id: &str, first: &Event) -> Result<Dossier, FoldError> {
        let intake = match &first.change {
            Change::Receive(i) | Change::Submit(i) => i,
            Change::Import(snapshot) => {
                let mut d = (**snapshot).clone();
                d.id = id.to_owned();
                d.version = 1;
                return Ok(d);
            }
            other => return Err(FoldError::NoOpening(other.action().to_owned())),
        };
        let received = matches!(first.change, Change::Receive(_));
        Ok(Dossier {
            id: id.to_owned(),
            code: intake.code.clone(),
            agency_id: intake.agency_id.clone(),
            procedure: intake.procedure.clone(),
            channel: intake.channel,
            status: first.to,
            return_method: intake.return_method,
            fee_amount: intake.fee_amount,
            fee_paid: intake.fee_paid,
            priority: intake.priority,
            details: intake.details.clone(),
            submitted_at: (!received).then_some(first.at),
            received_at: received.then_some(first.at),
            due_at: intake.due_at,
            original_due_at: intake.due_at,
            paused_at: None,
            supplements: 0,
            extensions: 0,
            results: 0,
            signed_results: 0,
            assignee_id: None,
            approved_at: None,
            result_ready_at: None,
            returned_at: None,
            timeliness: None,
            version: 1,
            created_at: first.at,
            updated_at: first.at,
        })
    }
}

/// Applies one event (after the first) to the dossier it happened to.
pub fn apply(d: &mut Dossier, e: &Event) {
    let at = e.at;
    match &e.change {
        Change::Receive(_) | Change::Submit(_) => {}
        Change::Import(snapshot) => {
            let (id, version) = (d.id.clone(), d.version);
            *d = (**snapshot).clone();
            d.id = id;
            d.version = version;
        }
        Change::Accept { due_at } => {
            d.received_at = Some(at);
            d.due_at = Some(*due_at);
            d.original_due_at = Some(*due_at);
        }
        Change::Assign { assignee_id, .. } => d.assignee_id = Some(assignee_id.clone()),
        Change::RequestSupplement { missing } => {
            d.supplements += 1;
            d.paused_at = Some(at);
            d.details.missing = missing.clone();
        }
        Change::SupplementReceived { due_at } | Change::Resume { due_at } => {
            d.paused_at = None;
            d.due_at = Some(*due_at);
        }
        Change::Pause {} => d.paused_at = Some(at),
        Change::Extend { due_at, .. } => {
            d.extensions += 1;
            d.due_at = Some(*due_at);
        }
        Change::RecordCivil { civil } => d.details.civil = Some(civil.clone()),
        Change::Approve {} => d.approved_at = Some(at),
        Change::AttachResult { signed, .. } => {
            d.results += 1;
            if *signed {
                d.signed_results += 1;
            }
        }
        Change::MarkReady {} => d.result_ready_at = Some(at),
        Change::Return {
            timeliness,
            handover,
        } => {
            d.returned_at = Some(at);
            d.timeliness = Some(*timeliness);
            d.details.handover = Some(handover.clone());
        }
        Change::NotAccept {}
        | Change::RecordReview { .. }
        | Change::Start {}
        | Change::Reject {}
        | Change::SubmitForApproval {}
        | Change::SendBack {}
        | Change::Withdraw {}
        | Change::Legacy { .. } => {}
    }
    // An imported snapshot says when it was last updated; everything else is now.
    if !matches!(e.change, Change::Import(_)) {
        d.updated_at = at;
        d.status = e.to;
    }
    d.version += 1;
}

/// The dossier its events make, in order. An `import` event states the whole
/// dossier, so the fold starts from the last one (what came before it is another
/// system's history, kept as it came).
pub fn fold(id: &str, events: &[Event]) -> Result<Dossier, FoldError> {
    let start = events
        .iter()
        .rposition(|e| matches!(e.change, Change::Import(_)))
        .unwrap_or(0);
    let first = events.get(start).ok_or(FoldError::Empty)?;
    let mut d = Dossier::open(id, first)?;
    d.version = start as i64 + 1;
    for e in &events[start + 1..] {
        apply(&mut d, e);
    }
    Ok(d)
}
