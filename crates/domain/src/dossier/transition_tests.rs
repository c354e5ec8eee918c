//! Each action's effect, table by table: the event `transition` decides and the
//! dossier `apply` makes of it; and the fold of a whole life.

use super::super::test_support::{at, cal};
use super::*;
use crate::dossier::{apply, fold, ProcedureRef, Timeliness};
use crate::user::Role::{self, *};
use jiff::civil::date;
use jiff::SignedDuration;

const SPECIALIST: &str = "u-specialist";

fn person(id: &str, roles: &[Role], reason: Option<&str>) -> Facts {
    Facts {
        actor: Actor {
            id: Some(id.into()),
            name: id.into(),
            agency_id: Some("a-1".into()),
        },
        roles: roles.to_vec(),
        reason: reason.map(str::to_owned),
    }
}

fn intake(channel: Channel, method: ReturnMethod) -> Intake {
    Intake {
        code: "000.01.33.H33-261123-0001".into(),
        agency_id: "a-1".into(),
        procedure: ProcedureRef {
            code: "1.001193".into(),
            version: 1,
            name: "Đăng ký khai sinh".into(),
            sector: "ho-tich".into(),
        },
        channel,
        return_method: method,
        fee_amount: 0,
        fee_paid: true,
        priority: 1,
        details: Default::default(),
        due_at: None,
    }
}

/// Received Monday 23/11/2026 08:00 with 3 working days: due Thursday 26/11 17:00.
fn received(method: ReturnMethod) -> (Vec<Event>, Dossier) {
    received_under(method, TimeLimit::WorkingDays(3))
}

fn received_under(method: ReturnMethod, limit: TimeLimit) -> (Vec<Event>, Dossier) {
    let first = receive(
        intake(Channel::Counter, method),
        person("u-counter", &[CounterOfficer], None).actor,
        limit,
        at(2026, 11, 23, 8, 0),
        &cal(),
    )
    .expect("received");
    let d = fold("d-1", std::slice::from_ref(&first)).expect("opens");
    (vec![first], d)
}

/// Takes each step in turn, checking that the fold of the events so far equals
/// the dossier `apply` has kept.
fn walk(
    events: &mut Vec<Event>,
    d: &mut Dossier,
    steps: Vec<(Command, Facts, Timestamp)>,
) -> Result<(), Refusal> {
    for (command, facts, now) in steps {
        let e = transition(d, command, &facts, now, &cal())?;
        apply(d, &e);
        events.push(e);
        assert_eq!(fold("d-1", events).as_ref(), Ok(&*d));
    }
    Ok(())
}

fn to_review(method: ReturnMethod) -> (Vec<Event>, Dossier) {
    to_review_under(method, TimeLimit::WorkingDays(3))
}

fn to_review_under(method: ReturnMethod, limit: TimeLimit) -> (Vec<Event>, Dossier) {
    let (mut events, mut d) = received_under(method, limit);
    walk(
        &mut events,
        &mut d,
        vec![
            (
                Command::Assign {
                    assignee_id: SPECIALIST.into(),
                    username: "chuyenvien".into(),
                },
                person("u-counter", &[CounterOfficer], None),
                at(2026, 11, 23, 9, 0),
            ),
            (
                Command::Start,
                person(SPECIALIST, &[Specialist], None),
                at(2026, 11, 23, 9, 30),
            ),
        ],
    )
    .expect("to review");
    (events, d)
}

#[test]
fn receiving_starts_the_clock() {
    let (events, d) = received(ReturnMethod::Counter);
    assert_eq!(d.status, Status::Received);
    assert_eq!(d.received_at, Some(at(2026, 11, 23, 8, 0)));
    assert_eq!(d.due_at, Some(at(2026, 11, 26, 17, 0)));
    assert_eq!(d.original_due_at, d.due_at);
    assert_eq!(d.details.time_limit.as_deref(), Some("3wd"));
    assert_eq!(d.version, 1);
    assert_eq!(events[0].change.action(), "receive");
}

#[test]
fn an_online_submission_waits_then_accept_starts_the_clock() {
    let first = submit(
        intake(Channel::Online, ReturnMethod::Online),
        Actor {
            name: "Nguyễn Văn A".into(),
            ..Default::default()
        },
        TimeLimit::SameDay,
        at(2026, 11, 23, 7, 0),
    );
    let mut d = fold("d-1", std::slice::from_ref(&first)).expect("opens");
    assert_eq!(d.status, Status::Submitted);
    assert_eq!(d.due_at, None);
    assert_eq!(d.submitted_at, Some(at(2026, 11, 23, 7, 0)));
    // Same-day online dossiers are served first.
    assert_eq!(d.priority, 0);
    let mut events = vec![first];
    walk(
        &mut events,
        &mut d,
        vec![(
            Command::Accept,
            person("u-counter", &[CounterOfficer], None),
            at(2026, 11, 23, 15, 30),
        )],
    )
    .expect("accepted");
    // After the 15:00 cut-off a same-day dossier is due the next working day.
    assert_eq!(d.due_at, Some(at(2026, 11, 24, 17, 0)));
    assert_eq!(d.received_at, Some(at(2026, 11, 23, 15, 30)));
}

/// Every action, its state change and the fields it sets, from the state that
/// the previous rows leave.
#[test]
fn each_action_sets_what_the_law_says() {
    let (mut events, mut d) = to_review(ReturnMethod::Counter);
    assert_eq!(d.assignee_id.as_deref(), Some(SPECIALIST));
    assert_eq!(d.status, Status::InReview);

    // Supplement: once; the clock stops; every missing item listed.
    walk(
        &mut events,
        &mut d,
        vec![(
            Command::RequestSupplement {
                missing: vec!["Giấy chứng sinh".into(), "  ".into()],
            },
            person(SPECIALIST, &[Specialist], Some("Thiếu giấy chứng sinh")),
            at(2026, 11, 24, 10, 0),
        )],
    )
    .expect("supplement");
    assert_eq!(d.status, Status::SupplementRequested);
    assert_eq!(d.supplements, 1);
    assert_eq!(d.paused_at, Some(at(2026, 11, 24, 10, 0)));
    assert_eq!(d.details.missing, vec!["Giấy chứng sinh".to_string()]);

    // Back complete on Wednesday 9:00: the full limit counts again from then.
    walk(
        &mut events,
        &mut d,
        vec![(
            Command::SupplementReceived,
            person("u-counter", &[CounterOfficer], None),
            at(2026, 11, 25, 9, 0),
        )],
    )
    .expect("supplement received");
    assert_eq!(d.status, Status::InReview, "back to whoever had it");
    assert_eq!(d.paused_at, None);
    assert_eq!(d.due_at, Some(at(2026, 11, 30, 17, 0)));
    assert_eq!(d.original_due_at, Some(at(2026, 11, 26, 17, 0)));

    // A pause adds its working time back.
    walk(
        &mut events,
        &mut d,
        vec![
            (
                Command::Pause,
                person(SPECIALIST, &[Specialist], Some("Chờ xác minh")),
                at(2026, 11, 26, 16, 0),
            ),
            (
                Command::Resume,
                person(SPECIALIST, &[Specialist], None),
                at(2026, 11, 27, 9, 0),
            ),
        ],
    )
    .expect("pause and resume");
    let c = cal();
    let paused = c.working_time_between(at(2026, 11, 26, 16, 0), at(2026, 11, 27, 9, 0));
    // Thursday 16:00 to the close, and Friday from the opening to 9:00.
    assert!(paused > SignedDuration::from_hours(1) && paused < SignedDuration::from_hours(3));
    assert_eq!(
        d.due_at,
        Some(
            c.add_working_time(at(2026, 11, 30, 17, 0), paused)
                .expect("in calendar")
        )
    );

    // Extension: once, to a later working day, a working day before the due day.
    let before = d.due_at;
    walk(
        &mut events,
        &mut d,
        vec![(
            Command::Extend {
                new_due_day: Some(date(2026, 12, 4)),
            },
            person("u-leader", &[Leader], Some("Cần xác minh thêm")),
            at(2026, 11, 27, 10, 0),
        )],
    )
    .expect("extend");
    assert_eq!(d.extensions, 1);
    assert_eq!(d.due_at, Some(at(2026, 12, 4, 17, 0)));
    assert!(
        matches!(events.last().map(|e| &e.change), Some(Change::Extend { old_due_at, .. }) if Some(*old_due_at) == before)
    );

    // Approval, result, ready, return: timeliness decided at return.
    walk(
        &mut events,
        &mut d,
        vec![
            (
                Command::SubmitForApproval,
                person(SPECIALIST, &[Specialist], None),
                at(2026, 12, 1, 9, 0),
            ),
            (
                Command::Approve,
                person("u-leader", &[Leader], None),
                at(2026, 12, 1, 10, 0),
            ),
            (
                Command::AttachResult {
                    name: "Giấy khai sinh bản chính".into(),
                    file_id: Some("f-1".into()),
                    signed: true,
                },
                person(SPECIALIST, &[Specialist], None),
                at(2026, 12, 1, 10, 30),
            ),
            (
                Command::MarkReady,
                person(SPECIALIST, &[Specialist], None),
                at(2026, 12, 1, 11, 0),
            ),
            (
                Command::Return {
                    collector_name: Some("Nguyễn Văn A".into()),
                    collector_id: None,
                    tracking_number: None,
                },
                person("u-counter", &[CounterOfficer], None),
                at(2026, 12, 2, 8, 0),
            ),
        ],
    )
    .expect("to the end");
    assert_eq!(d.status, Status::Returned);
    assert_eq!(d.approved_at, Some(at(2026, 12, 1, 10, 0)));
    assert_eq!(d.results, 1);
    assert_eq!(d.signed_results, 1, "the signed file is counted");
    assert_eq!(d.result_ready_at, Some(at(2026, 12, 1, 11, 0)));
    assert_eq!(d.returned_at, Some(at(2026, 12, 2, 8, 0)));
    assert_eq!(d.timeliness, Some(Timeliness::Early));
    assert_eq!(
        d.details
            .handover
            .as_ref()
            .and_then(|h| h.collector_name.as_deref()),
        Some("Nguyễn Văn A")
    );
    assert_eq!(d.version, events.len() as i64);
    assert_eq!(d.updated_at, at(2026, 12, 2, 8, 0));
    assert!(!d.is_open());
}

#[test]
fn once_only_counters_and_inputs_are_refused_with_their_field() {
    let (mut events, mut d) = to_review(ReturnMethod::Post);
    let sp = || person(SPECIALIST, &[Specialist], Some("lý do"));
    let now = at(2026, 11, 24, 9, 0);
    assert_eq!(
        transition(
            &d,
            Command::RequestSupplement { missing: vec![] },
            &sp(),
            now,
            &cal()
        ),
        Err(Refusal::invalid(
            "missing",
            "Liệt kê đầy đủ mọi giấy tờ, nội dung còn thiếu (chỉ được yêu cầu bổ sung một lần)."
        ))
    );
    walk(
        &mut events,
        &mut d,
        vec![
            (
                Command::RequestSupplement {
                    missing: vec!["Tờ khai".into()],
                },
                sp(),
                now,
            ),
            (
                Command::SupplementReceived,
                person("u-counter", &[CounterOfficer], None),
                now,
            ),
        ],
    )
    .expect("one supplement");
    assert_eq!(
        transition(
            &d,
            Command::RequestSupplement {
                missing: vec!["Tờ khai".into()]
            },
            &sp(),
            now,
            &cal()
        ),
        Err(Refusal::SupplementUsed)
    );
    // Extension: not a weekend day, not before the current due day, not too late.
    let extend = |day| Command::Extend {
        new_due_day: Some(day),
    };
    let refused = |r: Result<Event, Refusal>| match r {
        Err(Refusal::Invalid { field, .. }) => field,
        other => panic!("expected a field refusal, got {other:?}"),
    };
    assert_eq!(
        refused(transition(
            &d,
            extend(date(2026, 12, 5)),
            &sp(),
            now,
            &cal()
        )),
        "new_due_date"
    );
    assert_eq!(
        refused(transition(
            &d,
            extend(date(2026, 11, 24)),
            &sp(),
            now,
            &cal()
        )),
        "new_due_date"
    );
    let late = d.due_at.expect("due");
    assert_eq!(
        refused(transition(
            &d,
            extend(date(2026, 12, 10)),
            &sp(),
            late,
            &cal()
        )),
        "new_due_date"
    );
    walk(
        &mut events,
        &mut d,
        vec![(extend(date(2026, 12, 10)), sp(), now)],
    )
    .expect("extended once");
    assert_eq!(
        transition(&d, extend(date(2026, 12, 11)), &sp(), now, &cal()),
        Err(Refusal::ExtensionUsed)
    );
    // Mark ready needs a result; a post return needs its tracking number.
    walk(
        &mut events,
        &mut d,
        vec![
            (Command::SubmitForApproval, sp(), now),
            (Command::Approve, person("u-leader", &[Leader], None), now),
        ],
    )
    .expect("approved");
    assert_eq!(
        transition(&d, Command::MarkReady, &sp(), now, &cal()),
        Err(Refusal::NoResult)
    );
    walk(
        &mut events,
        &mut d,
        vec![
            (
                Command::AttachResult {
                    name: "Kết quả".into(),
                    file_id: None,
                    signed: true,
                },
                sp(),
                now,
            ),
            (Command::MarkReady, sp(), now),
        ],
    )
    .expect("ready");
    assert_eq!(
        (d.results, d.signed_results),
        (1, 0),
        "a paper result described, not a file: nothing was signed"
    );
    let ret = Command::Return {
        collector_name: Some("A".into()),
        collector_id: None,
        tracking_number: None,
    };
    let counter = person("u-counter", &[CounterOfficer], None);
    assert_eq!(
        refused(transition(&d, ret, &counter, now, &cal())),
        "tracking_number"
    );
}

#[test]
fn timeliness_at_return_follows_the_due_instant() {
    for (returned, expected) in [
        (at(2026, 11, 25, 16, 0), Timeliness::Early),
        (at(2026, 11, 26, 16, 59), Timeliness::OnTime),
        (at(2026, 11, 26, 17, 1), Timeliness::Late),
    ] {
        let (mut events, mut d) = to_review(ReturnMethod::Counter);
        let sp = || person(SPECIALIST, &[Specialist], None);
        walk(
            &mut events,
            &mut d,
            vec![
                (Command::SubmitForApproval, sp(), returned),
                (
                    Command::Approve,
                    person("u-leader", &[Leader], None),
                    returned,
                ),
                (
                    Command::AttachResult {
                        name: "Kết quả".into(),
                        file_id: None,
                        signed: false,
                    },
                    sp(),
                    returned,
                ),
                (Command::MarkReady, sp(), returned),
                (
                    Command::Return {
                        collector_name: Some("A".into()),
                        collector_id: None,
                        tracking_number: None,
                    },
                    person("u-counter", &[CounterOfficer], None),
                    returned,
                ),
            ],
        )
        .expect("returned");
        assert_eq!(d.timeliness, Some(expected), "{returned}");
    }
}

#[test]
fn refusals_come_from_the_table_before_any_input_is_read() {
    let (_, d) = received(ReturnMethod::Counter);
    // A specialist may not refuse or extend a dossier nobody assigned yet.
    for command in [Command::Reject, Command::Extend { new_due_day: None }] {
        assert_eq!(
            permitted(
                &d,
                command.verb(),
                &person(SPECIALIST, &[Specialist], Some("x"))
            ),
            Err(Refusal::NotAssignee)
        );
    }
    // A supervisor never acts.
    let sup = person("u-sup", &[Supervisor], Some("x"));
    assert_eq!(
        transition(&d, Command::Reject, &sup, at(2026, 11, 23, 9, 0), &cal()),
        Err(Refusal::Role { verb: Verb::Reject })
    );
    // Someone else's dossier.
    let (_, d) = to_review(ReturnMethod::Counter);
    assert_eq!(
        transition(
            &d,
            Command::SubmitForApproval,
            &person("u-other", &[Specialist], None),
            at(2026, 11, 23, 10, 0),
            &cal()
        ),
        Err(Refusal::NotAssignee)
    );
    assert_eq!(
        permitted(&d, Verb::Approve, &person("u-leader", &[Leader], None)),
        Err(Refusal::WrongState {
            verb: Verb::Approve,
            status: Status::InReview
        })
    );
}

#[test]
fn stored_events_read_back_as_the_same_change() {
    let (events, _) = to_review(ReturnMethod::Counter);
    for e in &events {
        let (action, data) = e.change.stored();
        assert_eq!(action, e.change.action());
        assert_eq!(Change::from_stored(&action, &data), e.change);
    }
    // What motcua cannot read stays as it came and still moves the state.
    let legacy = Change::from_stored("ky_so", r#"{"by":"x"}"#);
    assert!(matches!(&legacy, Change::Legacy { action, .. } if action == "ky_so"));
    assert_eq!(legacy.stored(), ("ky_so".into(), r#"{"by":"x"}"#.into()));
    // An old-format assignment (no id) is legacy, not a wrong assignment.
    assert!(matches!(
        Change::from_stored("assign", r#"{"assignee":"chuyenvien"}"#),
        Change::Legacy { .. }
    ));
    // The same content in another key order or spacing is still ours…
    assert_eq!(
        Change::from_stored("assign", r#"{ "assignee_id": "u-1", "assignee": "cv" }"#),
        Change::Assign {
            assignee_id: "u-1".into(),
            assignee: "cv".into()
        }
    );
    // …but a field motcua has no place for keeps the whole event as it came.
    assert!(matches!(
        Change::from_stored(
            "assign",
            r#"{"assignee":"cv","assignee_id":"u-1","ky_so":true}"#
        ),
        Change::Legacy { .. }
    ));
}

#[test]
fn an_import_states_the_dossier_unless_its_history_already_does() {
    let (events, d) = to_review(ReturnMethod::Counter);
    // A history that folds into the dossier is kept as it is.
    let kept = import("d-1", events.clone(), d.clone(), at(2026, 12, 1, 8, 0));
    assert_eq!(kept, events);
    // Another system's history (or none): an import event states the dossier.
    let mut legacy = d.clone();
    legacy.status = Status::Returned;
    legacy.returned_at = Some(at(2026, 11, 25, 10, 0));
    legacy.timeliness = Some(Timeliness::Early);
    let imported = import("d-1", events.clone(), legacy.clone(), at(2026, 12, 1, 8, 0));
    assert_eq!(imported.len(), events.len() + 1);
    let folded = fold("d-1", &imported).expect("folds");
    legacy.version = imported.len() as i64;
    assert_eq!(folded, legacy);
    let alone = import("d-2", vec![], legacy.clone(), at(2026, 12, 1, 8, 0));
    let folded = fold("d-2", &alone).expect("folds");
    assert_eq!(folded.status, Status::Returned);
    assert_eq!(folded.version, 1);
    assert_eq!(folded.id, "d-2");
}

#[test]
fn differences_name_the_fields() {
    let (_, d) = received(ReturnMethod::Counter);
    let mut other = d.clone();
    other.status = Status::Returned;
    other.fee_paid = !other.fee_paid;
    assert_eq!(d.differences(&other), vec!["status", "fee_paid"]);
    assert!(d.differences(&d).is_empty());
}

#[test]
fn a_pause_under_a_calendar_day_limit_gives_back_whole_days() {
    // A construction permit: 15 days by the calendar, from Monday 23/11/2026.
    let (mut events, mut d) = to_review_under(ReturnMethod::Counter, TimeLimit::CalendarDays(15));
    let due = d.due_at.expect("due");
    walk(
        &mut events,
        &mut d,
        vec![
            (
                Command::Pause,
                person(
                    SPECIALIST,
                    &[Specialist],
                    Some("Chờ ý kiến cơ quan chuyên môn"),
                ),
                at(2026, 11, 24, 10, 0),
            ),
            (
                Command::Resume,
                person(SPECIALIST, &[Specialist], None),
                at(2026, 11, 28, 9, 0),
            ),
        ],
    )
    .expect("pause and resume");
    // Four calendar days paused (24/11 to 28/11), weekend included.
    assert_eq!(
        d.due_at,
        Some(
            cal()
                .due_at(due, TimeLimit::CalendarDays(4))
                .expect("in calendar")
        )
    );
}

#[test]
fn the_review_is_recorded_without_moving_the_dossier_and_needs_an_opinion() {
    let (mut events, mut d) = to_review(ReturnMethod::Counter);
    let me = person(SPECIALIST, &[Specialist], None);
    assert_eq!(
        transition(
            &d,
            Command::RecordReview {
                opinion: "  ".into(),
                draft_result: None,
                file_ids: vec![]
            },
            &me,
            at(2026, 11, 23, 10, 0),
            &cal()
        ),
        Err(Refusal::invalid(
            "opinion",
            "Ghi ý kiến thẩm định: hồ sơ đủ điều kiện giải quyết hay không, vì sao."
        ))
    );
    let before = d.clone();
    walk(
        &mut events,
        &mut d,
        vec![(
            Command::RecordReview {
                opinion: " Đủ điều kiện đăng ký khai sinh. ".into(),
                draft_result: Some("Dự thảo giấy khai sinh".into()),
                file_ids: vec!["f-1".into()],
            },
            me.clone(),
            at(2026, 11, 23, 10, 0),
        )],
    )
    .expect("recorded");
    let last = events.last().unwrap();
    assert_eq!(
        last.change,
        Change::RecordReview {
            opinion: "Đủ điều kiện đăng ký khai sinh.".into(),
            draft_result: Some("Dự thảo giấy khai sinh".into()),
            file_ids: vec!["f-1".into()],
        }
    );
    assert_eq!(d.status, Status::InReview);
    assert_eq!(d.version, before.version + 1);
    let (action, data) = last.change.stored();
    assert_eq!(action, "record_review");
    assert_eq!(Change::from_stored(&action, &data), last.change);
    // The review is submitted for approval as before.
    walk(
        &mut events,
        &mut d,
        vec![(Command::SubmitForApproval, me, at(2026, 11, 23, 10, 5))],
    )
    .expect("submitted");
    assert_eq!(d.status, Status::AwaitingApproval);
}
