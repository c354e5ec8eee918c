//! Comparing units: the rates a supervisor ranks the communes below by, and the
//! ranking itself (ties share a place, as in a league table: 1, 2, 2, 4).

use serde::Serialize;

use super::Counts;

/// What units are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// Resolved early or on time, as a share of resolved: highest first.
    OnTime,
    /// Pending past their due instant at the end of the period: fewest first.
    Overdue,
    /// Received online, as a share of received in the period: highest first.
    Online,
}

impl RankBy {
    pub const ALL: [RankBy; 3] = [RankBy::OnTime, RankBy::Overdue, RankBy::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            RankBy::OnTime => "on_time",
            RankBy::Overdue => "overdue",
            RankBy::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<RankBy> {
        RankBy::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            RankBy::OnTime => "Tỷ lệ trả đúng hạn, trước hạn",
            RankBy::Overdue => "Số hồ sơ đang quá hạn",
            RankBy::Online => "Tỷ lệ nộp trực tuyến",
        }
    }
}

/// A unit's rates, each `None` when it has nothing to be a share of (a unit that
/// resolved nothing has no on-time rate, rather than a perfect one).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rates {
    pub on_time_rate: Option<f64>,
    pub early_rate: Option<f64>,
    pub online_share: Option<f64>,
    pub overdue: u64,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Rates {
    pub fn of(c: &Counts) -> Rates {
        let new = c.received_online + c.received_direct_or_post;
        Rates {
            on_time_rate: share(c.resolved_early + c.resolved_on_time, c.resolved_total),
            early_rate: share(c.resolved_early, c.resolved_total),
            online_share: share(c.received_online, new),
            overdue: c.pending_overdue,
        }
    }
}

/// Orders `rows` by `by`, best first, the other two criteria breaking ties; a
/// unit without the rate ranked by comes after every unit with one. Returns each
/// row's index in that order with its place; rows equal on every criterion share
/// their place.
pub fn rank(rows: &[Counts], by: RankBy) -> Vec<(usize, usize)> {
    // Each key sorts ascending: better is smaller.
    let key = |c: &Counts| {
        let r = Rates::of(c);
        let rate = |v: Option<f64>| v.map_or(f64::INFINITY, |x| -x);
        let overdue = r.overdue as f64;
        let (on_time, online) = (rate(r.on_time_rate), rate(r.online_share));
        match by {
            RankBy::OnTime => [on_time, overdue, online],
            RankBy::Overdue => [overdue, on_time, online],
            RankBy::Online => [online, on_time, overdue],
        }
    };
    let keys: Vec<[f64; 3]> = rows.iter().map(key).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .iter()
            .zip(&keys[b])
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut places = Vec::with_capacity(order.len());
    for (i, &row) in order.iter().enumerate() {
        let place = match places.last() {
            Some(&(prev, place)) if keys[prev] == keys[row] => place,
            _ => i + 1,
        };
        places.push((row, place));
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(early: u64, on_time: u64, late: u64, online: u64, direct: u64, overdue: u64) -> Counts {
        Counts {
            received_total: online + direct,
            received_online: online,
            received_direct_or_post: direct,
            resolved_total: early + on_time + late,
            resolved_early: early,
            resolved_on_time: on_time,
            resolved_late: late,
            pending_total: overdue,
            pending_overdue: overdue,
            ..Counts::default()
        }
    }

    #[test]
    fn rates_are_shares_and_none_without_a_whole() {
        let r = Rates::of(&unit(97, 2, 1, 30, 70, 3));
        assert_eq!(r.on_time_rate, Some(0.99));
        assert_eq!(r.early_rate, Some(0.97));
        assert_eq!(r.online_share, Some(0.3));
        assert_eq!(r.overdue, 3);
        let none = Rates::of(&Counts::default());
        assert_eq!((none.on_time_rate, none.online_share), (None, None));
    }

    #[test]
    fn ranks_best_first_with_shared_places() {
        let rows = [
            unit(5, 5, 10, 10, 10, 0), // 50 % on time
            unit(10, 0, 0, 1, 9, 2),   // 100 %, 2 overdue
            unit(9, 1, 0, 1, 9, 2),    // 100 %, 2 overdue: same keys as the last
            unit(0, 0, 0, 0, 0, 0),    // resolved nothing: last
            unit(10, 0, 0, 5, 5, 0),   // 100 %, none overdue: first
        ];
        let places = rank(&rows, RankBy::OnTime);
        assert_eq!(places, vec![(4, 1), (1, 2), (2, 2), (0, 4), (3, 5)]);
        let by_overdue = rank(&rows, RankBy::Overdue);
        assert_eq!(by_overdue[0], (4, 1));
        assert_eq!(by_overdue[1], (0, 2));
        let by_online = rank(&rows, RankBy::Online);
        // Rows 4 and 0 both receive half online; row 4's on-time rate breaks the tie.
        assert_eq!((by_online[0].0, by_online[1].0), (4, 0));
        assert_eq!(by_online.last().map(|p| p.0), Some(3));
        assert_eq!(RankBy::parse("overdue"), Some(RankBy::Overdue));
        assert_eq!(RankBy::parse("x"), None);
    }
}
