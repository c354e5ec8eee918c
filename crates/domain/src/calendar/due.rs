//! Time limits of procedures and their due instants.
//!
//! Rules applied (Nghị định 61/2018/NĐ-CP and its amendments on the one-stop
//! mechanism, as summarised in the design):
//!
//! * N working days: the period starts the day after receipt and ends at the
//!   close of the N-th working day (the end of that day's last session).
//! * Same day: due at the close of the day of receipt; a dossier received after
//!   the cut-off (15:00), after the close, or on a non-working day is due at the
//!   close of the next working day. One received before the first session of a
//!   working day is treated as received at its opening (the agency still has
//!   the whole day), and one received during the lunch break as received that
//!   day.
//! * N working hours: counted inside sessions from the instant of receipt; a
//!   receipt outside sessions starts counting at the next session.
//! * Immediate: due at receipt.
//! * N days (calendar days, "ngày" without "làm việc"): Bộ luật Dân sự 2015,
//!   art. 147 and 148. The day of receipt is not counted, whatever its hour;
//!   the period ends at the end of its N-th day, and when that day is a weekend
//!   day or a public holiday, at the end of the next working day. For an office
//!   the end of a day is the close of its last session.

use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::working::local_parts;
use super::{CalendarError, WorkingCalendar};

/// Above these a limit is surely a typing mistake (a year of working days).
const MAX_WORKING_DAYS: u16 = 365;
const MAX_WORKING_HOURS: u16 = 2000;
const MAX_CALENDAR_DAYS: u16 = 365;

/// The legal time limit of a procedure, written "immediate", "same_day",
/// "3wd" (working days), "8wh" (working hours) or "15cd" (calendar days).
///
/// Calendar days take "cd", not a bare "d": a limit typed as "15d" is refused
/// rather than silently read as the kind its writer perhaps did not mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TimeLimit {
    Immediate,
    SameDay,
    WorkingDays(u16),
    WorkingHours(u16),
    /// Days by the calendar, as the law writes "15 ngày" (not "ngày làm việc").
    CalendarDays(u16),
}

/// Why a time limit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeLimitError {
    #[error("malformed time limit {0:?}: expected immediate, same_day, <n>wd, <n>wh or <n>cd")]
    Malformed(String),
    #[error("time limit {0:?} is zero")]
    Zero(String),
    #[error("time limit {0:?} exceeds 365 working days, 2000 working hours or 365 days")]
    TooLarge(String),
}

impl TimeLimitError {
    /// The message to show a Vietnamese user.
    pub fn message_vi(&self) -> String {
        match self {
            TimeLimitError::Malformed(s) => format!(
                "Thời hạn không hợp lệ: «{s}». Cần ghi immediate, same_day, số ngày làm việc (ví dụ 3wd), số giờ làm việc (ví dụ 8wh) hoặc số ngày theo lịch (ví dụ 15cd)."
            ),
            TimeLimitError::Zero(s) => {
                format!("Thời hạn không hợp lệ: «{s}». Thời hạn phải lớn hơn 0.")
            }
            TimeLimitError::TooLarge(s) => format!(
                "Thời hạn không hợp lệ: «{s}». Tối đa 365 ngày làm việc, 2000 giờ làm việc hoặc 365 ngày theo lịch."
            ),
        }
    }
}

impl TimeLimit {
    /// Checks the bounds, for limits built directly rather than parsed.
    pub fn validate(self) -> Result<TimeLimit, TimeLimitError> {
        match self {
            TimeLimit::WorkingDays(0) | TimeLimit::WorkingHours(0) | TimeLimit::CalendarDays(0) => {
                Err(TimeLimitError::Zero(self.to_string()))
            }
            TimeLimit::WorkingDays(n) if n > MAX_WORKING_DAYS => {
                Err(TimeLimitError::TooLarge(self.to_string()))
            }
            TimeLimit::WorkingHours(n) if n > MAX_WORKING_HOURS => {
                Err(TimeLimitError::TooLarge(self.to_string()))
            }
            TimeLimit::CalendarDays(n) if n > MAX_CALENDAR_DAYS => {
                Err(TimeLimitError::TooLarge(self.to_string()))
            }
            _ => Ok(self),
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeLimit::Immediate => f.write_str("immediate"),
            TimeLimit::SameDay => f.write_str("same_day"),
            TimeLimit::WorkingDays(n) => write!(f, "{n}wd"),
            TimeLimit::WorkingHours(n) => write!(f, "{n}wh"),
            TimeLimit::CalendarDays(n) => write!(f, "{n}cd"),
        }
    }
}

impl FromStr for TimeLimit {
    type Err = TimeLimitError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let malformed = || TimeLimitError::Malformed(s.to_string());
        let limit = match text {
            "immediate" => TimeLimit::Immediate,
            "same_day" => TimeLimit::SameDay,
            _ => {
                let (digits, constructor): (&str, fn(u16) -> TimeLimit) =
                    if let Some(d) = text.strip_suffix("wd") {
                        (d, TimeLimit::WorkingDays)
                    } else if let Some(d) = text.strip_suffix("wh") {
                        (d, TimeLimit::WorkingHours)
                    } else if let Some(d) = text.strip_suffix("cd") {
                        (d, TimeLimit::CalendarDays)
                    } else {
                        return Err(malformed());
                    };
                // Only plain ASCII digits: u16::from_str would accept a '+' sign.
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(malformed());
                }
                match digits.parse::<u16>() {
                    Ok(n) => constructor(n),
                    // All digits but too many of them: too large, not malformed.
                    Err(_) => return Err(TimeLimitError::TooLarge(s.to_string())),
                }
            }
        };
        limit.validate().map_err(|e| match e {
            TimeLimitError::Zero(_) => TimeLimitError::Zero(s.to_string()),
            TimeLimitError::TooLarge(_) => TimeLimitError::TooLarge(s.to_string()),
            other => other,
        })
    }
}

impl TryFrom<String> for TimeLimit {
    type Error = TimeLimitError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<TimeLimit> for String {
    fn from(value: TimeLimit) -> Self {
        value.to_string()
    }
}

impl WorkingCalendar {
    /// The instant a dossier received at `received_at` is due under `limit`.
    pub fn due_at(
        &self,
        received_at: Timestamp,
        limit: TimeLimit,
    ) -> Result<Timestamp, CalendarError> {
        let limit = limit.validate()?;
        match limit {
            TimeLimit::Immediate => Ok(received_at),
            TimeLimit::SameDay => {
                let (day, nod) = local_parts(received_at);
                let i = self.index(day).ok_or(CalendarError::OutsideCalendar)?;
                if self.is_working_index(i)
                    && nod <= self.cutoff()
                    && nod < self.template(i).close()
                {
                    return self.close_of(i);
                }
                let next = self.nth_working_after(i, 1)?;
                self.close_of(next)
            }
            TimeLimit::WorkingDays(n) => {
                let (day, _) = local_parts(received_at);
                let i = self.index(day).ok_or(CalendarError::OutsideCalendar)?;
                let due = self.nth_working_after(i, u32::from(n))?;
                self.close_of(due)
            }
            TimeLimit::WorkingHours(n) => {
                self.add_working_time(received_at, SignedDuration::from_hours(i64::from(n)))
            }
            TimeLimit::CalendarDays(n) => {
                // The hour of receipt does not matter: art. 147 starts the period
                // the next day even for a dossier received after the close.
                let (day, _) = local_parts(received_at);
                self.index(day).ok_or(CalendarError::OutsideCalendar)?;
                let last = self
                    .index(day + i64::from(n))
                    .ok_or(CalendarError::OutsideCalendar)?;
                if self.is_working_index(last) {
                    return self.close_of(last);
                }
                // Art. 148(5): a last day off moves the end to the next working day.
                let next = self.nth_working_after(last, 1)?;
                self.close_of(next)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{known_national_overrides, DayKind, DayOverride, WorkingSessions};
    use jiff::civil::date;

    /// An instant written in Vietnam's local time.
    fn vn(text: &str) -> Timestamp {
        format!("{text}+07:00").parse().expect("valid instant")
    }

    fn national() -> WorkingCalendar {
        let national = known_national_overrides();
        WorkingCalendar::build(2025..=2027, WorkingSessions::default(), &[&national])
    }

    fn agency(own: &[DayOverride]) -> WorkingCalendar {
        let national = known_national_overrides();
        WorkingCalendar::build(2025..=2027, WorkingSessions::default(), &[&national, own])
    }

    fn override_(d: jiff::civil::Date, kind: DayKind, name: Option<&str>) -> DayOverride {
        DayOverride {
            date: d,
            kind,
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn legal_cases() {
        let cal = national();
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "3 working days from Friday 13/2/2026 skip the Tết break 14–22/2",
                "2026-02-13T10:00:00",
                "3wd",
                "2026-02-25T17:00:00",
            ),
            (
                "same day after the 15:00 cut-off on the Friday before Tết",
                "2026-02-13T15:30:00",
                "same_day",
                "2026-02-23T17:00:00",
            ),
            (
                "3 working days over Giỗ Tổ (off Monday 27/4), 30/4 and 1/5",
                "2026-04-24T10:00:00",
                "3wd",
                "2026-05-04T17:00:00",
            ),
            (
                "same day received at 10:00 on a working day",
                "2026-03-10T10:00:00",
                "same_day",
                "2026-03-10T17:00:00",
            ),
            (
                "same day received exactly at the cut-off",
                "2026-03-10T15:00:00",
                "same_day",
                "2026-03-10T17:00:00",
            ),
            (
                "same day received one second after the cut-off",
                "2026-03-10T15:00:01",
                "same_day",
                "2026-03-11T17:00:00",
            ),
            (
                "same day received before opening counts from the opening",
                "2026-03-10T06:00:00",
                "same_day",
                "2026-03-10T17:00:00",
            ),
            (
                "same day received during the lunch break",
                "2026-03-10T12:15:00",
                "same_day",
                "2026-03-10T17:00:00",
            ),
            (
                "same day received on Saturday",
                "2026-03-07T09:00:00",
                "same_day",
                "2026-03-09T17:00:00",
            ),
            (
                "same day received on a holiday (30/4)",
                "2026-04-30T09:00:00",
                "same_day",
                "2026-05-04T17:00:00",
            ),
            (
                "8 working hours from 16:00 Monday: 1 h Monday, 4 h + 3 h Tuesday",
                "2026-03-09T16:00:00",
                "8wh",
                "2026-03-10T16:30:00",
            ),
            (
                "working hours from a receipt in the lunch break start at 13:30",
                "2026-03-10T12:00:00",
                "2wh",
                "2026-03-10T15:30:00",
            ),
            (
                "working hours ending exactly at a session end stop there",
                "2026-03-10T07:30:00",
                "4wh",
                "2026-03-10T11:30:00",
            ),
            (
                "working hours from a Saturday start on Monday morning",
                "2026-03-07T09:00:00",
                "1wh",
                "2026-03-09T08:30:00",
            ),
            (
                "1 working day received on Sunday is Monday's close",
                "2026-03-08T09:00:00",
                "1wd",
                "2026-03-09T17:00:00",
            ),
            (
                "immediate is due at receipt",
                "2026-03-08T09:00:00",
                "immediate",
                "2026-03-08T09:00:00",
            ),
        ];
        for &(name, received, limit, expected) in cases {
            let limit: TimeLimit = limit.parse().expect("valid limit");
            assert_eq!(cal.due_at(vn(received), limit), Ok(vn(expected)), "{name}");
        }
    }

    /// Bộ luật Dân sự 2015 art. 147–148: periods in days, not working days.
    #[test]
    fn calendar_days_by_the_civil_code() {
        let cal = national();
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "ending on a weekday: 15 days from Tuesday 3/3 end on Wednesday 18/3",
                "2026-03-03T10:00:00",
                "15cd",
                "2026-03-18T17:00:00",
            ),
            (
                "ending on a Saturday: 15 days from Friday 6/3 end on Monday 23/3",
                "2026-03-06T10:00:00",
                "15cd",
                "2026-03-23T17:00:00",
            ),
            (
                "ending on a Sunday: 30 days from Friday 6/3 end on Monday 6/4",
                "2026-03-06T10:00:00",
                "30cd",
                "2026-04-06T17:00:00",
            ),
            (
                "ending inside Tết (14–22/2/2026): the first working day after it",
                "2026-02-02T10:00:00",
                "15cd",
                "2026-02-23T17:00:00",
            ),
            (
                "holidays inside the period are counted: 15 days from 10/2 end on 25/2",
                "2026-02-10T10:00:00",
                "15cd",
                "2026-02-25T17:00:00",
            ),
            (
                "ending on the day off in lieu of Giỗ Tổ (Monday 27/4): Tuesday 28/4",
                "2026-04-12T10:00:00",
                "15cd",
                "2026-04-28T17:00:00",
            ),
            (
                "ending on 30/4, then 1/5 and the weekend: Monday 4/5",
                "2026-04-15T10:00:00",
                "15cd",
                "2026-05-04T17:00:00",
            ),
            (
                "received after hours: the period still starts the next day",
                "2026-03-03T18:30:00",
                "15cd",
                "2026-03-18T17:00:00",
            ),
            (
                "received just before midnight local time counts from the next day",
                "2026-03-03T23:59:59",
                "15cd",
                "2026-03-18T17:00:00",
            ),
            (
                "received on a Saturday: day 1 is the Sunday",
                "2026-03-07T09:00:00",
                "15cd",
                "2026-03-23T17:00:00",
            ),
            (
                "1 day from a Friday ends on the Saturday, so on Monday",
                "2026-03-06T16:00:00",
                "1cd",
                "2026-03-09T17:00:00",
            ),
        ];
        for &(name, received, limit, expected) in cases {
            let limit: TimeLimit = limit.parse().expect("valid limit");
            assert_eq!(cal.due_at(vn(received), limit), Ok(vn(expected)), "{name}");
        }
        // A Saturday opened for work is a working day: the period ends on it.
        let cal = agency(&[override_(date(2026, 3, 21), DayKind::MakeupWorking, None)]);
        assert_eq!(
            cal.due_at(vn("2026-03-06T10:00:00"), TimeLimit::CalendarDays(15)),
            Ok(vn("2026-03-21T17:00:00"))
        );
    }

    #[test]
    fn makeup_working_saturday_counts() {
        let received = vn("2026-03-05T10:00:00");
        let limit = TimeLimit::WorkingDays(3);
        // Without it: Friday 6, Monday 9, Tuesday 10.
        assert_eq!(
            national().due_at(received, limit),
            Ok(vn("2026-03-10T17:00:00"))
        );
        let cal = agency(&[override_(date(2026, 3, 7), DayKind::MakeupWorking, None)]);
        assert_eq!(cal.due_at(received, limit), Ok(vn("2026-03-09T17:00:00")));
        // A make-up Saturday works Monday's sessions.
        assert_eq!(
            cal.due_at(vn("2026-03-07T16:30:00"), TimeLimit::WorkingHours(1)),
            Ok(vn("2026-03-09T08:00:00"))
        );
        assert!(cal.is_working_day(date(2026, 3, 7)));
    }

    #[test]
    fn agency_extra_day_off_counts_and_wins_over_the_nation() {
        let cal = agency(&[
            override_(date(2026, 3, 9), DayKind::DayOff, Some("Nghỉ riêng của xã")),
            // An agency may open a national day off (e.g. to clear a backlog).
            override_(date(2026, 4, 27), DayKind::Working, None),
        ]);
        assert_eq!(
            cal.due_at(vn("2026-03-06T10:00:00"), TimeLimit::WorkingDays(1)),
            Ok(vn("2026-03-10T17:00:00"))
        );
        assert_eq!(
            cal.day(date(2026, 3, 9)),
            (DayKind::DayOff, Some("Nghỉ riêng của xã"))
        );
        assert_eq!(cal.day(date(2026, 4, 27)), (DayKind::Working, None));
        assert_eq!(
            national().day(date(2026, 4, 27)),
            (DayKind::DayOff, Some("Nghỉ bù Giỗ Tổ Hùng Vương"))
        );
        assert_eq!(
            national().day(date(2026, 2, 17)),
            (DayKind::Holiday, Some("Tết Nguyên đán – mùng 1"))
        );
        let special = national().special_days();
        assert!(special.iter().any(|d| d.date == date(2026, 4, 27)
            && d.kind == DayKind::DayOff
            && d.name == "Nghỉ bù Giỗ Tổ Hùng Vương"));
        assert!(special.iter().all(|d| d.date != date(2026, 3, 10)));
    }

    #[test]
    fn saturday_morning_session() {
        let national = known_national_overrides();
        let cal = WorkingCalendar::build(
            2026..=2026,
            WorkingSessions::default().with_saturday_morning(),
            &[&national],
        );
        assert_eq!(
            cal.due_at(vn("2026-03-07T09:00:00"), TimeLimit::SameDay),
            Ok(vn("2026-03-07T11:30:00"))
        );
        // After Saturday's close, even before 15:00, it is Monday's.
        assert_eq!(
            cal.due_at(vn("2026-03-07T12:00:00"), TimeLimit::SameDay),
            Ok(vn("2026-03-09T17:00:00"))
        );
        // The Saturday of the Tết break stays off.
        assert!(!cal.is_working_day(date(2026, 2, 14)));
        assert!(cal.is_working_day(date(2026, 3, 7)));
    }

    #[test]
    fn working_time_between_instants() {
        let cal = national();
        let between = |a: &str, b: &str| cal.working_time_between(vn(a), vn(b));
        // Across the lunch break: 11:00–11:30 and 13:30–14:00.
        assert_eq!(
            between("2026-03-10T11:00:00", "2026-03-10T14:00:00"),
            SignedDuration::from_hours(1)
        );
        // Across a weekend: 16:00–17:00 Friday and 07:30–09:00 Monday.
        assert_eq!(
            between("2026-03-06T16:00:00", "2026-03-09T09:00:00"),
            SignedDuration::from_mins(150)
        );
        assert_eq!(
            between("2026-03-09T09:00:00", "2026-03-06T16:00:00"),
            SignedDuration::from_mins(-150)
        );
        // The whole Tết break is not working time.
        assert_eq!(
            between("2026-02-13T17:00:00", "2026-02-23T07:30:00"),
            SignedDuration::ZERO
        );
        // add_working_time is its inverse.
        let start = vn("2026-03-06T16:00:00");
        let end = cal
            .add_working_time(start, SignedDuration::from_mins(150))
            .expect("in range");
        assert_eq!(end, vn("2026-03-09T09:00:00"));
        assert_eq!(
            cal.add_working_time(start, SignedDuration::from_mins(-1)),
            Err(CalendarError::NegativeDuration)
        );
    }

    #[test]
    fn outside_the_built_years_is_an_error() {
        let cal = national();
        assert_eq!(
            cal.due_at(vn("2027-12-30T10:00:00"), TimeLimit::WorkingDays(5)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(vn("2024-12-31T10:00:00"), TimeLimit::SameDay),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(vn("2027-12-31T16:00:00"), TimeLimit::WorkingHours(8)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(vn("2027-12-20T10:00:00"), TimeLimit::CalendarDays(15)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(Timestamp::MAX, TimeLimit::CalendarDays(1)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(Timestamp::MAX, TimeLimit::WorkingDays(1)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(Timestamp::MIN, TimeLimit::WorkingHours(1)),
            Err(CalendarError::OutsideCalendar)
        );
        assert_eq!(
            cal.due_at(vn("2026-03-10T10:00:00"), TimeLimit::WorkingDays(0)),
            Err(CalendarError::InvalidTimeLimit(TimeLimitError::Zero(
                "0wd".to_string()
            )))
        );
    }

    #[test]
    fn longest_limits_stay_in_range() {
        let cal = national();
        assert!(cal
            .due_at(vn("2026-01-05T10:00:00"), TimeLimit::WorkingDays(365))
            .is_ok());
        assert!(cal
            .due_at(vn("2026-01-05T10:00:00"), TimeLimit::WorkingHours(2000))
            .is_ok());
        assert!(cal
            .due_at(vn("2026-01-05T10:00:00"), TimeLimit::CalendarDays(365))
            .is_ok());
    }

    #[test]
    fn time_limit_text() {
        for (text, limit) in [
            ("immediate", TimeLimit::Immediate),
            ("same_day", TimeLimit::SameDay),
            ("3wd", TimeLimit::WorkingDays(3)),
            ("365wd", TimeLimit::WorkingDays(365)),
            ("8wh", TimeLimit::WorkingHours(8)),
            ("2000wh", TimeLimit::WorkingHours(2000)),
            ("15cd", TimeLimit::CalendarDays(15)),
            ("365cd", TimeLimit::CalendarDays(365)),
        ] {
            assert_eq!(text.parse::<TimeLimit>(), Ok(limit));
            assert_eq!(limit.to_string(), text);
        }
        assert_eq!(" 3wd ".parse::<TimeLimit>(), Ok(TimeLimit::WorkingDays(3)));
        for bad in [
            "", "3", "wd", "3 wd", "+3wd", "-1wd", "3WD", "3.5wh", "abc", "ba ngày", "15d", "15CD",
            "cd", "+15cd",
        ] {
            assert_eq!(
                bad.parse::<TimeLimit>(),
                Err(TimeLimitError::Malformed(bad.to_string())),
                "{bad:?}"
            );
        }
        assert_eq!(
            "0wd".parse::<TimeLimit>(),
            Err(TimeLimitError::Zero("0wd".to_string()))
        );
        assert_eq!(
            "0wh".parse::<TimeLimit>(),
            Err(TimeLimitError::Zero("0wh".to_string()))
        );
        assert_eq!(
            "0cd".parse::<TimeLimit>(),
            Err(TimeLimitError::Zero("0cd".to_string()))
        );
        for big in ["366wd", "2001wh", "366cd", "99999999999cd"] {
            assert_eq!(
                big.parse::<TimeLimit>(),
                Err(TimeLimitError::TooLarge(big.to_string()))
            );
        }
        assert_eq!(
            TimeLimitError::Malformed("abc".to_string()).message_vi(),
            "Thời hạn không hợp lệ: «abc». Cần ghi immediate, same_day, số ngày làm việc (ví dụ 3wd), số giờ làm việc (ví dụ 8wh) hoặc số ngày theo lịch (ví dụ 15cd)."
        );
        assert!(TimeLimitError::Zero("0wd".to_string())
            .message_vi()
            .starts_with("Thời hạn không hợp lệ: «0wd»"));
        assert!(TimeLimitError::TooLarge("366cd".to_string())
            .message_vi()
            .ends_with("Tối đa 365 ngày làm việc, 2000 giờ làm việc hoặc 365 ngày theo lịch."));
    }
}
