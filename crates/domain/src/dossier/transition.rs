//! Deciding what an action does to a dossier: `transition` checks it against the
//! workflow table (`decide`) and the clock rules and returns the event that
//! records its whole effect; `apply` (in `event`) carries it out. No I/O: the
//! use case brings the dossier, the facts, the instant and the calendar.

use jiff::civil::Date;
use jiff::Timestamp;

use super::clock::{extension_allowed, resume_due_at, timeliness};
use super::event::{Actor, Change, Event, Intake};
use super::record::{Dossier, Handover};
use super::status::{Channel, Status};
use super::workflow::{decide, Refusal, Situation, Verb};
use crate::calendar::{vietnam_time_zone, TimeLimit, WorkingCalendar};
use crate::procedure::ReturnMethod;
use crate::user::Role;

/// An action someone asks for, with what it needs beyond the dossier.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Accept,
    NotAccept,
    /// The specialist, already chosen (by name, or by sector and load).
    Assign {
        assignee_id: String,
        username: String,
    },
    Start,
    RequestSupplement {
        missing: Vec<String>,
    },
    SupplementReceived,
    Pause,
    Resume,
    /// The new appointment day; its close of business becomes the due instant.
    Extend {
        new_due_day: Option<Date>,
    },
    Reject,
    /// The review: its opinion is required; the draft and the files are not.
    RecordReview {
        opinion: String,
        draft_result: Option<String>,
        file_ids: Vec<String>,
    },
    /// The facts checked by the app against the catalogue's register (see
    /// `CivilFacts`): the domain records them as given.
    RecordCivil {
        civil: super::CivilFacts,
    },
    SubmitForApproval,
    Approve,
    SendBack,
    AttachResult {
        name: String,
        file_id: Option<String>,
        /// The file was signed digitally (`result_signatures` holds by whom).
        signed: bool,
    },
    MarkReady,
    Return {
        collector_name: Option<String>,
        collector_id: Option<String>,
        tracking_number: Option<String>,
    },
    Withdraw,
}

impl Command {
    pub fn verb(&self) -> Verb {
        match self {
            Command::Accept => Verb::Accept,
            Command::NotAccept => Verb::NotAccept,
            Command::Assign { .. } => Verb::Assign,
            Command::Start => Verb::Start,
            Command::RequestSupplement { .. } => Verb::RequestSupplement,
            Command::SupplementReceived => Verb::SupplementReceived,
            Command::Pause => Verb::Pause,
            Command::Resume => Verb::Resume,
            Command::Extend { .. } => Verb::Extend,
            Command::Reject => Verb::Reject,
            Command::RecordReview { .. } => Verb::RecordReview,
            Command::RecordCivil { .. } => Verb::RecordCivil,
            Command::SubmitForApproval => Verb::SubmitForApproval,
            Command::Approve => Verb::Approve,
            Command::SendBack => Verb::SendBack,
            Command::AttachResult { .. } => Verb::AttachResult,
            Command::MarkReady => Verb::MarkReady,
            Command::Return { .. } => Verb::Return,
            Command::Withdraw => Verb::Withdraw,
        }
    }
}

/// Who asks, with which roles, and the reason they gave.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub actor: Actor,
    pub roles: Vec<Role>,
    pub reason: Option<String>,
}

impl Facts {
    fn situation(&self, d: &Dossier) -> Situation {
        Situation {
            is_assignee: d.assignee_id.is_some() && d.assignee_id == self.actor.id,
            has_assignee: d.assignee_id.is_some(),
            supplements_used: d.supplements,
            extensions_used: d.extensions,
            results_attached: d.results,
            reason_given: self.reason.is_some(),
        }
    }
}

/// May `facts`' person take `verb` on `d` now? (The table alone, before any
/// input is looked at: what pages use to offer actions.)
pub fn permitted(d: &Dossier, verb: Verb, facts: &Facts) -> Result<(), Refusal> {
    decide(d.status, verb, &facts.roles, &facts.situation(d)).map(|_| ())
}

/// The event that records `command` on `d`, or why it may not happen.
pub fn transition(
    d: &Dossier,
    command: Command,
    facts: &Facts,
    now: Timestamp,
    cal: &WorkingCalendar,
) -> Result<Event, Refusal> {
    let verb = command.verb();
    let t = decide(d.status, verb, &facts.roles, &facts.situation(d))?;
    let limit = d.time_limit();
    let change = match command {
        Command::Accept => Change::Accept {
            due_at: cal.due_at(now, limit).map_err(calendar)?,
        },
        Command::NotAccept => Change::NotAccept {},
        Command::Assign {
            assignee_id,
            username,
        } => Change::Assign {
            assignee_id,
            assignee: username,
        },
        Command::Start => Change::Start {},
        Command::RequestSupplement { missing } => {
            let missing: Vec<String> = missing
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if missing.is_empty() {
                return Err(Refusal::invalid(
                    "missing",
                    "Liệt kê đầy đủ mọi giấy tờ, nội dung còn thiếu (chỉ được yêu cầu bổ sung một lần).",
                ));
            }
            Change::RequestSupplement { missing }
        }
        // The time limit counts again, in full, from the day the dossier is complete.
        Command::SupplementReceived => Change::SupplementReceived {
            due_at: cal.due_at(now, limit).map_err(calendar)?,
        },
        Command::Pause => Change::Pause {},
        Command::Resume => {
            let due = d.due_at.unwrap_or(now);
            let paused_at = d.paused_at.unwrap_or(now);
            Change::Resume {
                due_at: resume_due_at(cal, limit, due, paused_at, now).map_err(calendar)?,
            }
        }
        Command::Extend { new_due_day } => {
            let due = d.due_at.unwrap_or(now);
            if !extension_allowed(cal, now, due) {
                return Err(Refusal::invalid(
                    "new_due_date",
                    format!(
                        "Chỉ được xin lỗi và hẹn lại chậm nhất một ngày làm việc trước ngày hẹn trả ({}).",
                        date_vn(local_day(due))
                    ),
                ));
            }
            Change::Extend {
                old_due_at: due,
                due_at: new_due_instant(cal, new_due_day, due)?,
            }
        }
        Command::Reject => Change::Reject {},
        Command::RecordReview {
            opinion,
            draft_result,
            file_ids,
        } => {
            let opinion = opinion.trim().to_owned();
            if opinion.is_empty() {
                return Err(Refusal::invalid(
                    "opinion",
                    "Ghi ý kiến thẩm định: hồ sơ đủ điều kiện giải quyết hay không, vì sao.",
                ));
            }
            Change::RecordReview {
                opinion,
                draft_result: draft_result
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty()),
                file_ids,
            }
        }
        Command::RecordCivil { civil } => Change::RecordCivil { civil },
        Command::SubmitForApproval => Change::SubmitForApproval {},
        Command::Approve => Change::Approve {},
        Command::SendBack => Change::SendBack {},
        Command::AttachResult {
            name,
            file_id,
            signed,
        } => {
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err(Refusal::invalid(
                    "result.name",
                    "Cần ghi tên kết quả, ví dụ «Giấy khai sinh bản chính».",
                ));
            }
            Change::AttachResult {
                result: name,
                signed: signed && file_id.is_some(),
                file_id,
            }
        }
        Command::MarkReady => Change::MarkReady {},
        Command::Return {
            collector_name,
            collector_id,
            tracking_number,
        } => {
            let handover = Handover {
                method: d.return_method,
                collector_name,
                collector_id,
                tracking_number,
            };
            match d.return_method {
                ReturnMethod::Counter | ReturnMethod::Home if handover.collector_name.is_none() => {
                    return Err(Refusal::invalid(
                        "collector_name",
                        "Ghi họ tên người nhận kết quả.",
                    ));
                }
                ReturnMethod::Post if handover.tracking_number.is_none() => {
                    return Err(Refusal::invalid(
                        "tracking_number",
                        "Ghi số hiệu bưu gửi của kết quả.",
                    ));
                }
                _ => {}
            }
            Change::Return {
                timeliness: timeliness(now, d.due_at.unwrap_or(now)),
                handover,
            }
        }
        Command::Withdraw => Change::Withdraw {},
    };
    Ok(Event {
        at: now,
        actor: facts.actor.clone(),
        from: Some(t.from),
        to: t.to,
        reason: facts.reason.clone(),
        change,
    })
}

/// The first event of a dossier received now (counter, post, home, helper team):
/// the clock starts with the procedure's committed limit.
pub fn receive(
    mut intake: Intake,
    actor: Actor,
    limit: TimeLimit,
    now: Timestamp,
    cal: &WorkingCalendar,
) -> Result<Event, Refusal> {
    intake.due_at = Some(cal.due_at(now, limit).map_err(calendar)?);
    intake.details.time_limit = Some(limit.to_string());
    intake.priority = priority(intake.channel, limit);
    Ok(Event {
        at: now,
        actor,
        from: None,
        to: Status::Received,
        reason: None,
        change: Change::Receive(Box::new(intake)),
    })
}

/// The first event of an online submission: it waits, without a clock, until the
/// counter accepts it.
pub fn submit(mut intake: Intake, actor: Actor, limit: TimeLimit, now: Timestamp) -> Event {
    intake.due_at = None;
    intake.details.time_limit = Some(limit.to_string());
    intake.priority = priority(intake.channel, limit);
    Event {
        at: now,
        actor,
        from: None,
        to: Status::Submitted,
        reason: None,
        change: Change::Submit(Box::new(intake)),
    }
}

/// The events that bring a dossier from another system: its history as it came,
/// and, unless that history already folds into the dossier as the other system
/// last knew it, one `import` event that states it.
pub fn import(id: &str, history: Vec<Event>, snapshot: Dossier, at: Timestamp) -> Vec<Event> {
    let mut snapshot = snapshot;
    snapshot.id = id.to_owned();
    if let Ok(folded) = super::event::fold(id, &history) {
        let mut expected = snapshot.clone();
        expected.version = folded.version;
        if folded == expected {
            return history;
        }
    }
    let from = history.last().map(|e| e.to);
    let mut events = history;
    snapshot.version = events.len() as i64 + 1;
    events.push(Event {
        at,
        actor: Actor {
            id: None,
            name: "import".into(),
            agency_id: None,
        },
        from,
        to: snapshot.status,
        reason: None,
        change: Change::Import(Box::new(snapshot)),
    });
    events
}

/// Same-day online dossiers are served first (the seeds promise them within hours).
pub fn priority(channel: Channel, limit: TimeLimit) -> i64 {
    i64::from(
        !(channel == Channel::Online
            && matches!(
                limit,
                TimeLimit::SameDay | TimeLimit::Immediate | TimeLimit::WorkingHours(_)
            )),
    )
}

fn calendar(e: crate::calendar::CalendarError) -> Refusal {
    Refusal::Calendar(format!("{e:?}"))
}

fn local_day(t: Timestamp) -> Date {
    t.to_zoned(vietnam_time_zone()).date()
}

fn date_vn(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// The new appointment of an extension: the close of the given working day, which
/// must come after the current due date.
fn new_due_instant(
    cal: &WorkingCalendar,
    day: Option<Date>,
    due: Timestamp,
) -> Result<Timestamp, Refusal> {
    let field = "new_due_date";
    let day = day.ok_or_else(|| Refusal::invalid(field, "Chọn ngày hẹn trả mới."))?;
    if !cal.is_working_day(day) {
        return Err(Refusal::invalid(
            field,
            "Ngày hẹn mới phải là ngày làm việc.",
        ));
    }
    let start = day
        .at(7, 0, 0, 0)
        .to_zoned(vietnam_time_zone())
        .map_err(|_| Refusal::invalid(field, "Ngày hẹn mới nằm ngoài lịch làm việc."))?
        .timestamp();
    let new_due = cal
        .due_at(start, TimeLimit::SameDay)
        .map_err(|_| Refusal::invalid(field, "Ngày hẹn mới nằm ngoài lịch làm việc."))?;
    if new_due <= due {
        return Err(Refusal::invalid(
            field,
            "Ngày hẹn mới phải sau ngày hẹn trả hiện tại.",
        ));
    }
    Ok(new_due)
}

#[cfg(test)]
#[path = "transition_tests.rs"]
mod tests;
