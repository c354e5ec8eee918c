//! Who may take which action in which state: one table (`RULES`) and one function
//! (`decide`) that applies it with the few facts a rule depends on.

use serde::{Deserialize, Serialize};

use super::status::Status::{self, *};
use crate::user::Role::{self, *};

/// An action on a dossier, as spelled in the API (`/actions/{verb}`) and the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verb {
    /// An online submission taken in: the clock starts.
    Accept,
    /// An online submission refused at intake, with a reason.
    NotAccept,
    Assign,
    /// The assigned specialist starts work.
    Start,
    /// Form 02: everything missing, once; the clock stops.
    RequestSupplement,
    /// The citizen brought the missing papers: the clock restarts.
    SupplementReceived,
    /// Form 05: processing stops for a reason; the pause is added back to the limit.
    Pause,
    Resume,
    /// Form 04: apology and a new date, once, a working day before the due date.
    Extend,
    /// Form 03: refused, with the reason in writing.
    Reject,
    /// The specialist's review: an opinion (ý kiến thẩm định), a draft result and
    /// working files, for the leader to read before approving.
    RecordReview,
    /// The specialist records (or completes) a civil-status dossier's declared
    /// facts: the entry's fields, or the entry a correction or an extract names.
    RecordCivil,
    SubmitForApproval,
    Approve,
    SendBack,
    AttachResult,
    MarkReady,
    Return,
    Withdraw,
}

impl Verb {
    pub const ALL: [Verb; 19] = [
        Verb::Accept,
        Verb::NotAccept,
        Verb::Assign,
        Verb::Start,
        Verb::RequestSupplement,
        Verb::SupplementReceived,
        Verb::Pause,
        Verb::Resume,
        Verb::Extend,
        Verb::Reject,
        Verb::RecordReview,
        Verb::RecordCivil,
        Verb::SubmitForApproval,
        Verb::Approve,
        Verb::SendBack,
        Verb::AttachResult,
        Verb::MarkReady,
        Verb::Return,
        Verb::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Accept => "accept",
            Verb::NotAccept => "not_accept",
            Verb::Assign => "assign",
            Verb::Start => "start",
            Verb::RequestSupplement => "request_supplement",
            Verb::SupplementReceived => "supplement_received",
            Verb::Pause => "pause",
            Verb::Resume => "resume",
            Verb::Extend => "extend",
            Verb::Reject => "reject",
            Verb::RecordReview => "record_review",
            Verb::RecordCivil => "record_civil",
            Verb::SubmitForApproval => "submit_for_approval",
            Verb::Approve => "approve",
            Verb::SendBack => "send_back",
            Verb::AttachResult => "attach_result",
            Verb::MarkReady => "mark_ready",
            Verb::Return => "return",
            Verb::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Verb::Accept => "Tiếp nhận hồ sơ trực tuyến",
            Verb::NotAccept => "Không tiếp nhận",
            Verb::Assign => "Phân công xử lý",
            Verb::Start => "Bắt đầu xử lý",
            Verb::RequestSupplement => "Yêu cầu bổ sung hồ sơ",
            Verb::SupplementReceived => "Nhận hồ sơ bổ sung",
            Verb::Pause => "Dừng giải quyết",
            Verb::Resume => "Tiếp tục giải quyết",
            Verb::Extend => "Gia hạn, xin lỗi",
            Verb::Reject => "Từ chối giải quyết",
            Verb::RecordReview => "Ghi ý kiến thẩm định",
            Verb::RecordCivil => "Ghi nội dung hộ tịch",
            Verb::SubmitForApproval => "Trình lãnh đạo phê duyệt",
            Verb::Approve => "Phê duyệt",
            Verb::SendBack => "Trả lại để xử lý lại",
            Verb::AttachResult => "Đính kèm kết quả",
            Verb::MarkReady => "Chuyển kết quả sang một cửa",
            Verb::Return => "Trả kết quả",
            Verb::Withdraw => "Rút hồ sơ theo yêu cầu",
        }
    }

    /// Rare or irreversible: offered below the expected actions, and taken only
    /// once the person confirms.
    pub fn needs_confirmation(self) -> bool {
        matches!(
            self,
            Verb::NotAccept | Verb::Reject | Verb::Withdraw | Verb::Extend
        )
    }

    /// The reason is part of the written act (forms 02–05) or of the record.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Verb::NotAccept
                | Verb::RequestSupplement
                | Verb::Pause
                | Verb::Extend
                | Verb::Reject
                | Verb::SendBack
                | Verb::Withdraw
        )
    }
}

/// A row of the table: `verb` is allowed from any of `from` to holders of any of
/// `roles`; `to` is the resulting state (`None`: the state does not change).
#[derive(Debug)]
pub struct Rule {
    pub verb: Verb,
    pub from: &'static [Status],
    pub roles: &'static [Role],
    pub to: Option<Status>,
}

const OPEN: &[Status] = &[
    Submitted,
    Received,
    Assigned,
    InReview,
    SupplementRequested,
    Paused,
    AwaitingApproval,
    Approved,
    ResultReady,
];

/// The table. The counter officer takes in and gives back; the specialist works the
/// file; the leader assigns, approves and signs; supervisors and administrators
/// read and never act on dossiers.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { verb: Verb::Accept, from: &[Submitted], roles: &[CounterOfficer], to: Some(Received) },
    Rule { verb: Verb::NotAccept, from: &[Submitted], roles: &[CounterOfficer], to: Some(NotAccepted) },
    Rule { verb: Verb::Assign, from: &[Received, Assigned], roles: &[CounterOfficer, Leader], to: Some(Assigned) },
    Rule { verb: Verb::Start, from: &[Assigned], roles: &[Specialist], to: Some(InReview) },
    Rule { verb: Verb::RequestSupplement, from: &[Received, Assigned, InReview], roles: &[CounterOfficer, Specialist], to: Some(SupplementRequested) },
    // Where it goes back to depends on whether someone was assigned (see `decide`).
    Rule { verb: Verb::SupplementReceived, from: &[SupplementRequested], roles: &[CounterOfficer], to: Some(InReview) },
    Rule { verb: Verb::Pause, from: &[Assigned, InReview, AwaitingApproval], roles: &[Specialist, Leader], to: Some(Paused) },
    Rule { verb: Verb::Resume, from: &[Paused], roles: &[Specialist, Leader], to: Some(InReview) },
    Rule { verb: Verb::Extend, from: &[Received, Assigned, InReview, AwaitingApproval, Approved], roles: &[Specialist, Leader], to: None },
    Rule { verb: Verb::Reject, from: &[Received, Assigned, InReview, AwaitingApproval], roles: &[Specialist, Leader], to: Some(Rejected) },
    Rule { verb: Verb::RecordReview, from: &[InReview], roles: &[Specialist], to: None },
    Rule { verb: Verb::RecordCivil, from: &[InReview], roles: &[Specialist], to: None },
    Rule { verb: Verb::SubmitForApproval, from: &[InReview], roles: &[Specialist], to: Some(AwaitingApproval) },
    Rule { verb: Verb::Approve, from: &[AwaitingApproval], roles: &[Leader], to: Some(Approved) },
    Rule { verb: Verb::SendBack, from: &[AwaitingApproval], roles: &[Leader], to: Some(InReview) },
    Rule { verb: Verb::AttachResult, from: &[Approved, ResultReady], roles: &[CounterOfficer, Specialist, Leader], to: None },
    Rule { verb: Verb::MarkReady, from: &[Approved], roles: &[CounterOfficer, Specialist], to: Some(ResultReady) },
    Rule { verb: Verb::Return, from: &[ResultReady], roles: &[CounterOfficer], to: Some(Returned) },
    Rule { verb: Verb::Withdraw, from: OPEN, roles: &[CounterOfficer], to: Some(Withdrawn) },
];

/// The actions a dossier in `status` waits for, the most expected first: what its
/// page leads with, for whoever may take them (`decide` says who). Approved with no
/// result yet, the result is attached before it goes to the counter.
pub fn expected(status: Status, results_attached: u32) -> &'static [Verb] {
    match status {
        Submitted => &[Verb::Accept],
        Received => &[Verb::Assign],
        Assigned => &[Verb::Start],
        InReview => &[Verb::RecordReview, Verb::SubmitForApproval],
        SupplementRequested => &[Verb::SupplementReceived],
        Paused => &[Verb::Resume],
        AwaitingApproval => &[Verb::Approve, Verb::SendBack],
        Approved if results_attached == 0 => &[Verb::AttachResult],
        Approved => &[Verb::MarkReady],
        ResultReady => &[Verb::Return],
        NotAccepted | Returned | Rejected | Withdrawn => &[],
    }
}

/// The facts beyond state and role that some rules depend on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Situation {
    /// The person acting is the dossier's assigned specialist.
    pub is_assignee: bool,
    pub has_assignee: bool,
    pub supplements_used: u32,
    pub extensions_used: u32,
    pub results_attached: u32,
    pub reason_given: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: Status,
    pub to: Status,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    WrongState {
        verb: Verb,
        status: Status,
    },
    Role {
        verb: Verb,
    },
    NotAssignee,
    SupplementUsed,
    ExtensionUsed,
    NoResult,
    ReasonMissing {
        verb: Verb,
    },
    /// What the person gave does not fit the action (a field, and why).
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The working calendar does not reach the instants involved.
    Calendar(String),
}

impl Refusal {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            Refusal::WrongState { verb, status } => format!(
                "Không thể «{}» khi hồ sơ đang ở trạng thái «{}».",
                verb.label_vi(),
                status.label_vi()
            ),
            Refusal::Role { verb } => {
                format!("Vai trò của bạn không được «{}».", verb.label_vi())
            }
            Refusal::NotAssignee => {
                "Hồ sơ này không được phân công cho bạn (chưa phân công, hoặc giao cho chuyên viên khác).".into()
            }
            Refusal::SupplementUsed => {
                "Hồ sơ chỉ được yêu cầu bổ sung một lần; lần yêu cầu đó đã dùng.".into()
            }
            Refusal::ExtensionUsed => {
                "Hồ sơ chỉ được gia hạn một lần; lần gia hạn đó đã dùng.".into()
            }
            Refusal::NoResult => format!(
                "Chưa có kết quả nào được đính kèm: ghi tên kết quả (hoặc chọn tệp) ở thẻ «{}», rồi mới «{}».",
                Verb::AttachResult.label_vi(),
                Verb::MarkReady.label_vi()
            ),
            Refusal::ReasonMissing { verb } => {
                format!("Cần ghi rõ lý do để «{}».", verb.label_vi())
            }
            Refusal::Invalid { message, .. } => message.clone(),
            Refusal::Calendar(_) => {
                "Lịch làm việc chưa có những ngày cần để tính hạn giải quyết; báo quản trị viên bổ sung lịch.".into()
            }
        }
    }

    /// A refusal because of the dossier's state rather than the person: when two
    /// people act at once, the second one meets one of these.
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            Refusal::WrongState { .. } | Refusal::SupplementUsed | Refusal::ExtensionUsed
        )
    }
}

/// May a person holding `roles` take `verb` on a dossier in `status`, and where
/// does it lead? The time rule of extensions is in `clock::extension_allowed`.
pub fn decide(
    status: Status,
    verb: Verb,
    roles: &[Role],
    facts: &Situation,
) -> Result<Transition, Refusal> {
    let rules: Vec<&Rule> = RULES.iter().filter(|r| r.verb == verb).collect();
    if !rules
        .iter()
        .any(|r| r.roles.iter().any(|x| roles.contains(x)))
    {
        return Err(Refusal::Role { verb });
    }
    let rule = rules
        .iter()
        .find(|r| r.from.contains(&status) && r.roles.iter().any(|x| roles.contains(x)))
        .ok_or(Refusal::WrongState { verb, status })?;
    // A specialist acts only on their own dossiers (an unassigned one is nobody's
    // yet: it waits for the assignment); leaders and counter officers act for the
    // whole unit.
    let only_specialist = !roles
        .iter()
        .any(|r| *r != Specialist && rule.roles.contains(r));
    if only_specialist && !facts.is_assignee {
        return Err(Refusal::NotAssignee);
    }
    if verb.needs_reason() && !facts.reason_given {
        return Err(Refusal::ReasonMissing { verb });
    }
    match verb {
        Verb::RequestSupplement if facts.supplements_used > 0 => {
            return Err(Refusal::SupplementUsed)
        }
        Verb::Extend if facts.extensions_used > 0 => return Err(Refusal::ExtensionUsed),
        Verb::MarkReady if facts.results_attached == 0 => return Err(Refusal::NoResult),
        _ => {}
    }
    let to = match (verb, rule.to) {
        (Verb::SupplementReceived, _) if !facts.has_assignee => Received,
        (_, Some(to)) => to,
        (_, None) => status,
    };
    Ok(Transition { from: status, to })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Situation {
        Situation {
            is_assignee: true,
            has_assignee: true,
            reason_given: true,
            results_attached: 1,
            ..Situation::default()
        }
    }

    #[test]
    fn verbs_round_trip_and_every_verb_has_a_rule() {
        for v in Verb::ALL {
            assert_eq!(Verb::parse(v.as_str()), Some(v));
            assert!(RULES.iter().any(|r| r.verb == v), "{v:?} has no rule");
        }
    }

    #[test]
    fn the_happy_path() {
        let steps = [
            (Submitted, Verb::Accept, CounterOfficer, Received),
            (Received, Verb::Assign, CounterOfficer, Assigned),
            (Assigned, Verb::Start, Specialist, InReview),
            (
                InReview,
                Verb::SubmitForApproval,
                Specialist,
                AwaitingApproval,
            ),
            (AwaitingApproval, Verb::Approve, Leader, Approved),
            (Approved, Verb::MarkReady, Specialist, ResultReady),
            (ResultReady, Verb::Return, CounterOfficer, Returned),
        ];
        for (from, verb, role, to) in steps {
            let t = decide(from, verb, &[role], &facts()).expect("allowed");
            assert_eq!(t.to, to, "{verb:?}");
        }
    }

    #[test]
    fn every_action_in_every_state_for_every_role_follows_the_table() {
        for status in Status::ALL {
            for verb in Verb::ALL {
                for role in Role::ALL {
                    let allowed = RULES.iter().any(|r| {
                        r.verb == verb && r.from.contains(&status) && r.roles.contains(&role)
                    });
                    let got = decide(status, verb, &[role], &facts());
                    assert_eq!(got.is_ok(), allowed, "{status:?} {verb:?} {role:?}");
                }
            }
        }
    }

    #[test]
    fn supervisors_and_administrators_never_act() {
        for verb in Verb::ALL {
            assert_eq!(
                decide(InReview, verb, &[Supervisor, Admin], &facts()),
                Err(Refusal::Role { verb })
            );
        }
    }

    #[test]
    fn closed_dossiers_take_no_action() {
        for status in [Returned, Rejected, Withdrawn, NotAccepted] {
            for verb in Verb::ALL {
                let r = decide(
                    status,
                    verb,
                    &[CounterOfficer, Specialist, Leader],
                    &facts(),
                );
                assert!(r.is_err(), "{status:?} {verb:?}");
            }
        }
    }

    #[test]
    fn a_supplement_once_an_extension_once() {
        let used = Situation {
            supplements_used: 1,
            extensions_used: 1,
            ..facts()
        };
        assert_eq!(
            decide(InReview, Verb::RequestSupplement, &[Specialist], &used),
            Err(Refusal::SupplementUsed)
        );
        assert_eq!(
            decide(InReview, Verb::Extend, &[Leader], &used),
            Err(Refusal::ExtensionUsed)
        );
    }

    #[test]
    fn a_specialist_acts_only_on_their_own_dossiers() {
        let other = Situation {
            is_assignee: false,
            ..facts()
        };
        assert_eq!(
            decide(InReview, Verb::SubmitForApproval, &[Specialist], &other),
            Err(Refusal::NotAssignee)
        );
        // A leader may pause anyone's dossier.
        assert!(decide(InReview, Verb::Pause, &[Leader], &other).is_ok());
    }

    #[test]
    fn written_acts_need_a_reason_and_results_need_a_file() {
        let bare = Situation {
            reason_given: false,
            results_attached: 0,
            ..facts()
        };
        assert_eq!(
            decide(InReview, Verb::Reject, &[Leader], &bare),
            Err(Refusal::ReasonMissing { verb: Verb::Reject })
        );
        assert_eq!(
            decide(Approved, Verb::MarkReady, &[Specialist], &bare),
            Err(Refusal::NoResult)
        );
    }

    #[test]
    fn a_supplement_brings_the_dossier_back_to_whoever_had_it() {
        let unassigned = Situation {
            has_assignee: false,
            is_assignee: false,
            ..facts()
        };
        let t = decide(
            SupplementRequested,
            Verb::SupplementReceived,
            &[CounterOfficer],
            &unassigned,
        );
        assert_eq!(t.map(|t| t.to), Ok(Received));
        let t = decide(
            SupplementRequested,
            Verb::SupplementReceived,
            &[CounterOfficer],
            &facts(),
        );
        assert_eq!(t.map(|t| t.to), Ok(InReview));
    }

    #[test]
    fn an_unassigned_dossier_offers_the_specialist_nothing() {
        let unassigned = Situation {
            has_assignee: false,
            is_assignee: false,
            ..facts()
        };
        for verb in [Verb::Reject, Verb::Extend, Verb::RequestSupplement] {
            assert_eq!(
                decide(Received, verb, &[Specialist], &unassigned),
                Err(Refusal::NotAssignee),
                "{verb:?}"
            );
        }
        // The leader still may: they act for the whole unit.
        assert!(decide(Received, Verb::Reject, &[Leader], &unassigned).is_ok());
    }

    #[test]
    fn every_open_state_expects_an_action_someone_may_take() {
        for status in Status::ALL {
            for results in [0, 1] {
                let verbs = expected(status, results);
                assert_eq!(verbs.is_empty(), !status.is_open(), "{status:?}");
                let facts = Situation {
                    results_attached: results,
                    ..facts()
                };
                for verb in verbs {
                    assert!(
                        Role::ALL
                            .iter()
                            .any(|r| decide(status, *verb, &[*r], &facts).is_ok()),
                        "{status:?} expects {verb:?}, which nobody may take"
                    );
                    assert!(!verb.needs_confirmation(), "{verb:?}");
                }
            }
        }
        assert_eq!(expected(Approved, 0), &[Verb::AttachResult]);
        assert_eq!(expected(Approved, 1), &[Verb::MarkReady]);
        assert_eq!(expected(Received, 0), &[Verb::Assign]);
    }

    #[test]
    fn only_the_assigned_specialist_records_the_review_while_in_review() {
        assert!(decide(InReview, Verb::RecordReview, &[Specialist], &facts()).is_ok());
        let t = decide(InReview, Verb::RecordReview, &[Specialist], &facts()).unwrap();
        assert_eq!(t.to, InReview, "the review does not move the dossier");
        assert_eq!(
            decide(
                AwaitingApproval,
                Verb::RecordReview,
                &[Specialist],
                &facts()
            ),
            Err(Refusal::WrongState {
                verb: Verb::RecordReview,
                status: AwaitingApproval
            })
        );
        assert_eq!(
            decide(InReview, Verb::RecordReview, &[Leader], &facts()),
            Err(Refusal::Role {
                verb: Verb::RecordReview
            })
        );
    }

    #[test]
    fn mark_ready_without_a_result_names_the_card_to_use() {
        let m = Refusal::NoResult.message_vi();
        assert!(m.contains("«Đính kèm kết quả»"), "{m}");
    }

    #[test]
    fn messages_are_vietnamese() {
        let m = Refusal::WrongState {
            verb: Verb::Approve,
            status: Returned,
        }
        .message_vi();
        assert!(
            m.contains("Phê duyệt") && m.contains("Đã trả kết quả"),
            "{m}"
        );
    }
}
