//! The dossier's clock: the internal steps' due instants, pauses added back, the
//! one extension's deadline, and timeliness at return.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::{vietnam_time_zone, CalendarError, TimeLimit, WorkingCalendar};
use crate::procedure::{ProcessStep, StepRole, StepShare};

/// A working day counts 8 hours (Labour Code 2019 art. 105), as step shares do.
const WORKING_HOUR: SignedDuration = SignedDuration::from_hours(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Timeliness> {
        [Timeliness::Early, Timeliness::OnTime, Timeliness::Late]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
        }
    }
}

/// As the provincial systems decide it: after the due instant is late; before the
/// due date (local day) is early; on the due day, by the due instant, is on time.
pub fn timeliness(done_at: Timestamp, due_at: Timestamp) -> Timeliness {
    if done_at > due_at {
        return Timeliness::Late;
    }
    let tz = vietnam_time_zone();
    if done_at.to_zoned(tz.clone()).date() < due_at.to_zoned(tz).date() {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

/// The due instant after a pause from `paused_at` to `resumed_at`: the time the pause
/// took is added back, in the limit's own unit. A limit in working days or hours gets
/// back the working time it lost; a limit in calendar days ("15 ngày" in law) gets
/// back the calendar days, its end moved off a day off as at intake (Civil Code
/// art. 148(5)).
pub fn resume_due_at(
    cal: &WorkingCalendar,
    limit: TimeLimit,
    due_at: Timestamp,
    paused_at: Timestamp,
    resumed_at: Timestamp,
) -> Result<Timestamp, CalendarError> {
    if let TimeLimit::CalendarDays(_) = limit {
        let tz = vietnam_time_zone();
        let from = paused_at.to_zoned(tz.clone()).date();
        let to = resumed_at.to_zoned(tz).date();
        let mut days = i64::from((to - from).get_days()).max(0);
        let mut due = due_at;
        // `due_at` takes at most a year of days at a time; a longer pause is rare
        // but must not fail.
        while days > 0 {
            let step = days.min(365);
            due = cal.due_at(due, TimeLimit::CalendarDays(step as u16))?;
            days -= step;
        }
        return Ok(due);
    }
    let paused = cal.working_time_between(paused_at, resumed_at);
    if paused.is_negative() {
        return Ok(due_at);
    }
    cal.add_working_time(due_at, paused)
}

/// The apology and new date must go out no later than one working day before the
/// due date (the one-stop rules, legal-facts §3): `now`'s local day must be
/// at or before the last working day before the due day.
pub fn extension_allowed(cal: &WorkingCalendar, now: Timestamp, due_at: Timestamp) -> bool {
    let tz = vietnam_time_zone();
    let today = now.to_zoned(tz.clone()).date();
    let mut day = due_at.to_zoned(tz).date();
    // The working day before the due day; a calendar edge ends the search.
    for _ in 0..60 {
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => return false,
        }
        if cal.is_working_day(day) {
            return today <= day;
        }
    }
    false
}

/// One internal step with its share of the time limit turned into instants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepPlan {
    pub name: String,
    pub role: StepRole,
    pub allowed: SignedDuration,
    pub due_at: Timestamp,
}

/// The steps' due instants, one after the other from `start`, each given its share
/// of the working time between `start` and `due_at` (a percentage of it, or a
/// number of working hours). The last step always ends at `due_at`, so rounding or
/// hour shares that do not add up never move the dossier's own deadline.
pub fn plan_steps(
    cal: &WorkingCalendar,
    start: Timestamp,
    due_at: Timestamp,
    steps: &[ProcessStep],
) -> Result<Vec<StepPlan>, CalendarError> {
    let total = cal
        .working_time_between(start, due_at)
        .max(SignedDuration::ZERO);
    let mut at = start;
    let mut plan = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        let allowed = match step.share {
            StepShare::Percent(p) => total * i32::from(p) / 100,
            StepShare::WorkingHours(h) => WORKING_HOUR * i32::from(h),
        };
        let step_due = if i + 1 == steps.len() {
            due_at
        } else {
            cal.add_working_time(at, allowed)?.min(due_at)
        };
        plan.push(StepPlan {
            name: step.name.clone(),
            role: step.role,
            allowed,
            due_at: step_due,
        });
        at = step_due;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{at, cal};
    use super::*;

    #[test]
    fn timeliness_by_day_and_instant() {
        let due = at(2026, 11, 25, 17, 0);
        assert_eq!(timeliness(at(2026, 11, 24, 10, 0), due), Timeliness::Early);
        assert_eq!(timeliness(at(2026, 11, 25, 8, 0), due), Timeliness::OnTime);
        assert_eq!(timeliness(due, due), Timeliness::OnTime);
        assert_eq!(timeliness(at(2026, 11, 25, 17, 1), due), Timeliness::Late);
        assert_eq!(timeliness(at(2026, 11, 26, 8, 0), due), Timeliness::Late);
    }

    #[test]
    fn a_pause_is_added_back_in_working_time() {
        let c = cal();
        let due = at(2026, 11, 25, 17, 0);
        // Paused Friday 16:00, resumed Monday 9:00: 1 h Friday + 1 h Monday morning.
        let resumed = resume_due_at(
            &c,
            TimeLimit::WorkingDays(5),
            due,
            at(2026, 11, 20, 16, 0),
            at(2026, 11, 23, 9, 0),
        );
        let expected = c
            .add_working_time(
                due,
                c.working_time_between(at(2026, 11, 20, 16, 0), at(2026, 11, 23, 9, 0)),
            )
            .expect("in calendar");
        assert_eq!(resumed, Ok(expected));
        assert!(expected > due);
        assert_eq!(
            c.working_time_between(due, expected),
            c.working_time_between(at(2026, 11, 20, 16, 0), at(2026, 11, 23, 9, 0))
        );
    }

    #[test]
    fn a_pause_under_a_calendar_day_limit_gives_back_calendar_days() {
        let c = cal();
        let limit = TimeLimit::CalendarDays(15);
        let due = at(2026, 11, 25, 17, 0);
        // Paused Friday, resumed Monday: three calendar days, not the working time.
        let resumed = resume_due_at(
            &c,
            limit,
            due,
            at(2026, 11, 20, 16, 0),
            at(2026, 11, 23, 9, 0),
        )
        .expect("in calendar");
        // 25/11 + 3 days is Saturday 28/11, a day off: the end moves to Monday.
        assert_eq!(
            resumed.to_zoned(vietnam_time_zone()).date(),
            jiff::civil::date(2026, 11, 30)
        );
        assert_eq!(Ok(resumed), c.due_at(due, TimeLimit::CalendarDays(3)));
        assert!(
            resumed
                > c.add_working_time(
                    due,
                    c.working_time_between(at(2026, 11, 20, 16, 0), at(2026, 11, 23, 9, 0))
                )
                .expect("in calendar")
        );
        // A pause that ends the day it began gives nothing back.
        assert_eq!(
            resume_due_at(
                &c,
                limit,
                due,
                at(2026, 11, 20, 8, 0),
                at(2026, 11, 20, 16, 0)
            ),
            Ok(due)
        );
    }

    #[test]
    fn extension_no_later_than_a_working_day_before_the_due_date() {
        let c = cal();
        // Due Monday 23/11/2026: the last day to extend is Friday 20/11.
        let due = at(2026, 11, 23, 17, 0);
        assert!(extension_allowed(&c, at(2026, 11, 20, 16, 59), due));
        assert!(!extension_allowed(&c, at(2026, 11, 21, 9, 0), due));
        assert!(!extension_allowed(&c, at(2026, 11, 23, 8, 0), due));
        // Due Wednesday 25/2/2026, after Tết (14–22/2 off): Tuesday 24/2 is the last day.
        let due = at(2026, 2, 25, 17, 0);
        assert!(extension_allowed(&c, at(2026, 2, 24, 10, 0), due));
        assert!(!extension_allowed(&c, at(2026, 2, 25, 10, 0), due));
    }

    #[test]
    fn steps_share_the_limit_and_end_at_the_due_instant() {
        let c = cal();
        let steps: Vec<ProcessStep> = serde_json::from_str(
            r#"[{"name":"Tiếp nhận","role":"counter_officer","share":"2wh"},
                {"name":"Thẩm định","role":"specialist","share":"14wh"},
                {"name":"Phê duyệt","role":"leader","share":"4wh"},
                {"name":"Trả kết quả","role":"counter_officer","share":"4wh"}]"#,
        )
        .expect("steps");
        // Received Monday 23/11/2026 08:00, 3 working days → due Thursday 26/11 17:00.
        let start = at(2026, 11, 23, 8, 0);
        let due = at(2026, 11, 26, 17, 0);
        let plan = plan_steps(&c, start, due, &steps).expect("plan");
        assert_eq!(plan.len(), 4);
        assert_eq!(plan[0].due_at, at(2026, 11, 23, 10, 0));
        assert_eq!(plan[1].allowed, SignedDuration::from_hours(14));
        assert_eq!(plan[3].due_at, due);
        assert!(plan.windows(2).all(|w| w[0].due_at <= w[1].due_at));

        let percent: Vec<ProcessStep> = serde_json::from_str(
            r#"[{"name":"A","role":"counter_officer","share":"10%"},
                {"name":"B","role":"specialist","share":"60%"},
                {"name":"C","role":"leader","share":"20%"},
                {"name":"D","role":"counter_officer","share":"10%"}]"#,
        )
        .expect("steps");
        // Same day from 8:00: 7 working hours to 17:00; 10 % is 42 minutes.
        let plan = plan_steps(
            &c,
            at(2026, 11, 23, 8, 0),
            at(2026, 11, 23, 17, 0),
            &percent,
        )
        .expect("plan");
        assert_eq!(plan[0].allowed, SignedDuration::from_mins(42));
        assert_eq!(plan[0].due_at, at(2026, 11, 23, 8, 42));
        assert_eq!(plan[3].due_at, at(2026, 11, 23, 17, 0));
    }
}
