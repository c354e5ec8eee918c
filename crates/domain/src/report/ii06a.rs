//! Form II.06a/VPCP/KSTT, "Tình hình, kết quả giải quyết TTHC": per sector, the
//! dossiers received, resolved and pending in a period (`legal-facts.md` §3), and,
//! after the official columns, those withdrawn or refused, so that every dossier
//! counted is counted once: received = resolved + pending + withdrawn or refused.

use jiff::Timestamp;
use serde::Serialize;

use super::Period;
use crate::dossier::{timeliness, Channel, Status, Timeliness};

/// One figure of the form: a column, for the drill-down links and the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    ReceivedTotal,
    ReceivedOnline,
    ReceivedDirectOrPost,
    CarriedOver,
    ResolvedTotal,
    ResolvedEarly,
    ResolvedOnTime,
    ResolvedLate,
    PendingTotal,
    PendingInTime,
    PendingOverdue,
    WithdrawnOrRefused,
}

impl Figure {
    pub const ALL: [Figure; 12] = [
        Figure::ReceivedTotal,
        Figure::ReceivedOnline,
        Figure::ReceivedDirectOrPost,
        Figure::CarriedOver,
        Figure::ResolvedTotal,
        Figure::ResolvedEarly,
        Figure::ResolvedOnTime,
        Figure::ResolvedLate,
        Figure::PendingTotal,
        Figure::PendingInTime,
        Figure::PendingOverdue,
        Figure::WithdrawnOrRefused,
    ];

    /// The name in the API and in drill-down links.
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::ReceivedTotal => "received_total",
            Figure::ReceivedOnline => "received_online",
            Figure::ReceivedDirectOrPost => "received_direct_or_post",
            Figure::CarriedOver => "carried_over",
            Figure::ResolvedTotal => "resolved_total",
            Figure::ResolvedEarly => "resolved_early",
            Figure::ResolvedOnTime => "resolved_on_time",
            Figure::ResolvedLate => "resolved_late",
            Figure::PendingTotal => "pending_total",
            Figure::PendingInTime => "pending_in_time",
            Figure::PendingOverdue => "pending_overdue",
            Figure::WithdrawnOrRefused => "withdrawn_or_refused",
        }
    }

    pub fn parse(s: &str) -> Option<Figure> {
        Figure::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The column's number on the form (1 is STT, 2 the sector); the added column
    /// follows the official thirteen.
    pub fn column(self) -> u8 {
        match self {
            Figure::ReceivedTotal => 3,
            Figure::ReceivedOnline => 4,
            Figure::ReceivedDirectOrPost => 5,
            Figure::CarriedOver => 6,
            Figure::ResolvedTotal => 7,
            Figure::ResolvedEarly => 8,
            Figure::ResolvedOnTime => 9,
            Figure::ResolvedLate => 10,
            Figure::PendingTotal => 11,
            Figure::PendingInTime => 12,
            Figure::PendingOverdue => 13,
            Figure::WithdrawnOrRefused => 14,
        }
    }

    /// What the figure counts, in the words of the form.
    pub fn label_vi(self) -> &'static str {
        match self {
            Figure::ReceivedTotal => "Số hồ sơ tiếp nhận: tổng số",
            Figure::ReceivedOnline => "Tiếp nhận trực tuyến",
            Figure::ReceivedDirectOrPost => "Tiếp nhận trực tiếp, dịch vụ bưu chính",
            Figure::CarriedOver => "Từ kỳ trước chuyển sang",
            Figure::ResolvedTotal => "Số hồ sơ đã giải quyết: tổng số",
            Figure::ResolvedEarly => "Đã giải quyết trước hạn",
            Figure::ResolvedOnTime => "Đã giải quyết đúng hạn",
            Figure::ResolvedLate => "Đã giải quyết quá hạn",
            Figure::PendingTotal => "Số hồ sơ đang giải quyết: tổng số",
            Figure::PendingInTime => "Đang giải quyết trong hạn",
            Figure::PendingOverdue => "Đang giải quyết quá hạn",
            Figure::WithdrawnOrRefused => "Rút hồ sơ hoặc từ chối giải quyết",
        }
    }
}

/// The figures of one row (a sector, a unit, or the total).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub received_total: u64,
    pub received_online: u64,
    pub received_direct_or_post: u64,
    pub carried_over: u64,
    pub resolved_total: u64,
    pub resolved_early: u64,
    pub resolved_on_time: u64,
    pub resolved_late: u64,
    pub pending_total: u64,
    pub pending_in_time: u64,
    pub pending_overdue: u64,
    pub withdrawn_or_refused: u64,
}

impl Counts {
    pub fn get(&self, f: Figure) -> u64 {
        match f {
            Figure::ReceivedTotal => self.received_total,
            Figure::ReceivedOnline => self.received_online,
            Figure::ReceivedDirectOrPost => self.received_direct_or_post,
            Figure::CarriedOver => self.carried_over,
            Figure::ResolvedTotal => self.resolved_total,
            Figure::ResolvedEarly => self.resolved_early,
            Figure::ResolvedOnTime => self.resolved_on_time,
            Figure::ResolvedLate => self.resolved_late,
            Figure::PendingTotal => self.pending_total,
            Figure::PendingInTime => self.pending_in_time,
            Figure::PendingOverdue => self.pending_overdue,
            Figure::WithdrawnOrRefused => self.withdrawn_or_refused,
        }
    }

    fn slot(&mut self, f: Figure) -> &mut u64 {
        match f {
            Figure::ReceivedTotal => &mut self.received_total,
            Figure::ReceivedOnline => &mut self.received_online,
            Figure::ReceivedDirectOrPost => &mut self.received_direct_or_post,
            Figure::CarriedOver => &mut self.carried_over,
            Figure::ResolvedTotal => &mut self.resolved_total,
            Figure::ResolvedEarly => &mut self.resolved_early,
            Figure::ResolvedOnTime => &mut self.resolved_on_time,
            Figure::ResolvedLate => &mut self.resolved_late,
            Figure::PendingTotal => &mut self.pending_total,
            Figure::PendingInTime => &mut self.pending_in_time,
            Figure::PendingOverdue => &mut self.pending_overdue,
            Figure::WithdrawnOrRefused => &mut self.withdrawn_or_refused,
        }
    }

    pub fn set(&mut self, f: Figure, n: u64) {
        *self.slot(f) = n;
    }

    /// Counts one dossier in each figure it belongs to.
    pub fn count(&mut self, figures: &[Figure]) {
        for &f in figures {
            *self.slot(f) += 1;
        }
    }

    pub fn add(&mut self, other: &Counts) {
        for f in Figure::ALL {
            *self.slot(f) += other.get(f);
        }
    }

    /// The form's sums hold: each total is the sum of its parts, and every dossier
    /// received is resolved, pending, or withdrawn or refused.
    pub fn is_consistent(&self) -> bool {
        self.received_total
            == self.received_online + self.received_direct_or_post + self.carried_over
            && self.resolved_total
                == self.resolved_early + self.resolved_on_time + self.resolved_late
            && self.pending_total == self.pending_in_time + self.pending_overdue
            && self.received_total
                == self.resolved_total + self.pending_total + self.withdrawn_or_refused
    }

    /// Resolved early or on time, as a share of resolved (1 when none was resolved).
    pub fn on_time_rate(&self) -> f64 {
        if self.resolved_total == 0 {
            return 1.0;
        }
        (self.resolved_early + self.resolved_on_time) as f64 / self.resolved_total as f64
    }
}

/// What the report needs to know of a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub channel: Channel,
    pub status: Status,
    pub received_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    /// See `Dossier::closed_at`.
    pub closed_at: Option<Timestamp>,
    /// Decided at return.
    pub timeliness: Option<Timeliness>,
}

impl From<&crate::dossier::Dossier> for Facts {
    fn from(d: &crate::dossier::Dossier) -> Facts {
        Facts {
            channel: d.channel,
            status: d.status,
            received_at: d.received_at,
            due_at: d.due_at,
            closed_at: d.closed_at(),
            timeliness: d.timeliness,
        }
    }
}

/// The figures a dossier counts in for the period; none when the period never saw
/// it open (received after it, closed before it, or never received at all).
///
/// - Received: in the period, online or direct/post by its channel; before it and
///   still open at its start, carried over.
/// - Resolved: its result returned in the period, early, on time or late as decided
///   at return (the day of return against the day of the due instant).
/// - Withdrawn or refused in the period: the added column.
/// - Pending: still open at the period's end; in time when its due instant is not
///   before that end.
pub fn classify(d: &Facts, period: &Period) -> Vec<Figure> {
    let (start, end) = (period.start(), period.end());
    let Some(received) = d.received_at else {
        return Vec::new();
    };
    if received >= end || d.closed_at.is_some_and(|c| c < start) {
        return Vec::new();
    }
    let mut figures = vec![Figure::ReceivedTotal];
    figures.push(if received < start {
        Figure::CarriedOver
    } else if d.channel.counts_as_online() {
        Figure::ReceivedOnline
    } else {
        Figure::ReceivedDirectOrPost
    });
    match d.closed_at {
        Some(closed) if closed < end => {
            if d.status == Status::Returned {
                figures.push(Figure::ResolvedTotal);
                let t = d.timeliness.unwrap_or_else(|| match d.due_at {
                    Some(due) => timeliness(closed, due),
                    None => Timeliness::OnTime,
                });
                figures.push(match t {
                    Timeliness::Early => Figure::ResolvedEarly,
                    Timeliness::OnTime => Figure::ResolvedOnTime,
                    Timeliness::Late => Figure::ResolvedLate,
                });
            } else {
                figures.push(Figure::WithdrawnOrRefused);
            }
        }
        _ => {
            figures.push(Figure::PendingTotal);
            figures.push(match d.due_at {
                Some(due) if due < end => Figure::PendingOverdue,
                _ => Figure::PendingInTime,
            });
        }
    }
    figures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::test_support::at;
    use jiff::civil::date;

    fn q1() -> Period {
        Period::new(date(2026, 1, 1), date(2026, 3, 31)).expect("period")
    }

    fn facts(
        status: Status,
        received: Timestamp,
        due: Timestamp,
        closed: Option<Timestamp>,
    ) -> Facts {
        Facts {
            channel: Channel::Counter,
            status,
            received_at: Some(received),
            due_at: Some(due),
            closed_at: closed,
            timeliness: closed
                .filter(|_| status == Status::Returned)
                .map(|c| timeliness(c, due)),
        }
    }

    use Figure::*;

    #[test]
    fn each_column_on_its_edge() {
        let p = q1();
        let cases: Vec<(&str, Facts, Vec<Figure>)> = vec![
            (
                "received on the first day, returned the day before it was due",
                facts(
                    Status::Returned,
                    at(2026, 1, 1, 0, 0),
                    at(2026, 1, 6, 17, 0),
                    Some(at(2026, 1, 5, 10, 0)),
                ),
                vec![
                    ReceivedTotal,
                    ReceivedDirectOrPost,
                    ResolvedTotal,
                    ResolvedEarly,
                ],
            ),
            (
                "returned on the due day, before the due instant",
                facts(
                    Status::Returned,
                    at(2026, 2, 2, 8, 0),
                    at(2026, 2, 5, 17, 0),
                    Some(at(2026, 2, 5, 16, 59)),
                ),
                vec![
                    ReceivedTotal,
                    ReceivedDirectOrPost,
                    ResolvedTotal,
                    ResolvedOnTime,
                ],
            ),
            (
                "returned on the due day, after the due instant",
                facts(
                    Status::Returned,
                    at(2026, 2, 2, 8, 0),
                    at(2026, 2, 5, 15, 0),
                    Some(at(2026, 2, 5, 16, 0)),
                ),
                vec![
                    ReceivedTotal,
                    ReceivedDirectOrPost,
                    ResolvedTotal,
                    ResolvedLate,
                ],
            ),
            (
                "received last year, still open at the start: carried over (and overdue by the end)",
                facts(
                    Status::InReview,
                    at(2025, 12, 31, 16, 0),
                    at(2026, 1, 7, 17, 0),
                    None,
                ),
                vec![ReceivedTotal, CarriedOver, PendingTotal, PendingOverdue],
            ),
            (
                "received last year, returned the last minute of last year: not in the report",
                facts(
                    Status::Returned,
                    at(2025, 12, 29, 8, 0),
                    at(2026, 1, 2, 17, 0),
                    Some(at(2025, 12, 31, 23, 59)),
                ),
                vec![],
            ),
            (
                "received at midnight after the period: not in it",
                facts(
                    Status::Received,
                    at(2026, 4, 1, 0, 0),
                    at(2026, 4, 6, 17, 0),
                    None,
                ),
                vec![],
            ),
            (
                "pending, due on the period's last day: overdue at its end",
                facts(
                    Status::InReview,
                    at(2026, 3, 25, 8, 0),
                    at(2026, 3, 31, 17, 0),
                    None,
                ),
                vec![
                    ReceivedTotal,
                    ReceivedDirectOrPost,
                    PendingTotal,
                    PendingOverdue,
                ],
            ),
            (
                "pending, due at the first instant after the period: in time",
                facts(
                    Status::InReview,
                    at(2026, 3, 25, 8, 0),
                    at(2026, 4, 1, 0, 0),
                    None,
                ),
                vec![
                    ReceivedTotal,
                    ReceivedDirectOrPost,
                    PendingTotal,
                    PendingInTime,
                ],
            ),
            (
                "returned after the period: pending at its end",
                facts(
                    Status::Returned,
                    at(2026, 3, 30, 8, 0),
                    at(2026, 4, 2, 17, 0),
                    Some(at(2026, 4, 1, 9, 0)),
                ),
                vec![
                    ReceivedTotal,
                    ReceivedDirectOrPost,
                    PendingTotal,
                    PendingInTime,
                ],
            ),
            (
                "withdrawn in the period",
                facts(
                    Status::Withdrawn,
                    at(2026, 3, 2, 8, 0),
                    at(2026, 3, 5, 17, 0),
                    Some(at(2026, 3, 3, 8, 0)),
                ),
                vec![ReceivedTotal, ReceivedDirectOrPost, WithdrawnOrRefused],
            ),
            (
                "refused in the period, carried over",
                facts(
                    Status::Rejected,
                    at(2025, 12, 30, 8, 0),
                    at(2026, 1, 5, 17, 0),
                    Some(at(2026, 1, 2, 8, 0)),
                ),
                vec![ReceivedTotal, CarriedOver, WithdrawnOrRefused],
            ),
        ];
        for (what, f, expected) in cases {
            assert_eq!(classify(&f, &p), expected, "{what}");
        }
    }

    #[test]
    fn channels_and_dossiers_never_received() {
        let p = q1();
        let mut f = facts(
            Status::Received,
            at(2026, 2, 2, 8, 0),
            at(2026, 2, 5, 17, 0),
            None,
        );
        for (channel, online) in [
            (Channel::Online, true),
            (Channel::Assisted, true),
            (Channel::Counter, false),
            (Channel::Post, false),
            (Channel::Home, false),
        ] {
            f.channel = channel;
            let figures = classify(&f, &p);
            assert_eq!(figures.contains(&ReceivedOnline), online, "{channel:?}");
            assert_eq!(
                figures.contains(&ReceivedDirectOrPost),
                !online,
                "{channel:?}"
            );
        }
        // Submitted online and never accepted: the one-stop never received it.
        f.status = Status::NotAccepted;
        f.received_at = None;
        f.closed_at = Some(at(2026, 2, 3, 8, 0));
        assert!(classify(&f, &p).is_empty());
    }

    #[test]
    fn the_sums_hold_for_any_mix() {
        let p = q1();
        let mut total = Counts::default();
        let statuses = [
            Status::InReview,
            Status::Returned,
            Status::Withdrawn,
            Status::Rejected,
            Status::ResultReady,
        ];
        for i in 0..2_000i64 {
            let received = at(2025, 11, 1, 8, 0) + jiff::SignedDuration::from_hours(i * 2 % 4_000);
            let due = received + jiff::SignedDuration::from_hours(24 * (1 + i % 9));
            let status = statuses[(i % 5) as usize];
            let closed = (!status.is_open())
                .then(|| received + jiff::SignedDuration::from_hours(24 * (i % 11)));
            let mut f = facts(status, received, due, closed);
            f.channel = Channel::ALL[(i % 5) as usize];
            total.count(&classify(&f, &p));
        }
        assert!(total.is_consistent(), "{total:?}");
        assert!(
            total.carried_over > 0 && total.resolved_late > 0 && total.pending_overdue > 0,
            "{total:?}"
        );
    }

    #[test]
    fn figures_round_trip_and_number_their_columns() {
        for (i, f) in Figure::ALL.into_iter().enumerate() {
            assert_eq!(Figure::parse(f.as_str()), Some(f));
            assert_eq!(usize::from(f.column()), i + 3);
        }
        assert_eq!(Figure::parse("nonsense"), None);
    }
}
