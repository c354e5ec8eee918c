//! The working calendar: which days an agency works, in which sessions, and the
//! legal due dates that follow from it.
//!
//! The calendar is built in layers, later layers winning: the weekly pattern of
//! sessions, the statutory holidays of the Labour Code (computed, see
//! [`holidays`]), then official overrides as data — the nation's, each parent
//! agency's, the agency's own. Every instant is read at UTC+7, Vietnam's offset
//! since 1975 (no daylight saving), so no time-zone database is needed.

mod due;
pub mod holidays;
pub mod lunar;
pub mod typed_date;
mod working;

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub use due::{TimeLimit, TimeLimitError};
pub use holidays::{statutory_holidays, HolidayRules, NationalDayCompanion};
pub use working::{Session, WorkingCalendar, WorkingSessions};

/// Vietnam's offset from UTC in seconds.
pub const VN_OFFSET_SECONDS: i32 = 7 * 3600;

/// The time zone every calendar computation uses.
pub fn vietnam_time_zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(7))
}

/// What a day is for an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Working,
    Weekend,
    /// A statutory holiday itself (Labour Code 2019 art. 112).
    Holiday,
    /// A non-working day announced on top: compensation for a holiday on a
    /// weekend, a bridge day, an agency's own day off.
    DayOff,
    /// A weekend day made a working day (to pay back a bridge day).
    MakeupWorking,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::MakeupWorking)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Working => "working",
            DayKind::Weekend => "weekend",
            DayKind::Holiday => "holiday",
            DayKind::DayOff => "day_off",
            DayKind::MakeupWorking => "makeup_working",
        }
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DayKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "working" => DayKind::Working,
            "weekend" => DayKind::Weekend,
            "holiday" => DayKind::Holiday,
            "day_off" => DayKind::DayOff,
            "makeup_working" => DayKind::MakeupWorking,
            other => return Err(format!("unknown day kind {other:?}")),
        })
    }
}

/// An official decision about one day, stored as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOverride {
    pub date: Date,
    pub kind: DayKind,
    /// `None` keeps the name the day already has if the kind is unchanged, and
    /// clears it otherwise (a holiday's name would be wrong on a working day).
    pub name: Option<String>,
}

/// One day of a calendar, as listed by [`statutory_holidays`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: Date,
    pub kind: DayKind,
    pub name: String,
}

/// Errors of calendar computations; none of them is a bug of the caller's
/// making that should crash a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the instant or its due date falls outside the years of the working calendar")]
    OutsideCalendar,
    #[error(transparent)]
    InvalidTimeLimit(#[from] TimeLimitError),
    #[error("a working duration cannot be negative")]
    NegativeDuration,
    #[error("year {0} is outside the supported years of the lunar calendar")]
    UnsupportedYear(i32),
    #[error("line {line}: {message}")]
    BadOverride { line: usize, message: String },
}

impl CalendarError {
    /// The message to show a Vietnamese user.
    pub fn message_vi(&self) -> String {
        match self {
            CalendarError::OutsideCalendar => {
                "Ngày tính hạn nằm ngoài các năm đã có lịch làm việc.".to_string()
            }
            CalendarError::InvalidTimeLimit(e) => e.message_vi(),
            CalendarError::NegativeDuration => "Thời gian làm việc không được âm.".to_string(),
            CalendarError::UnsupportedYear(y) => {
                format!("Năm {y} nằm ngoài phạm vi lịch âm được hỗ trợ (1900–2199).")
            }
            CalendarError::BadOverride { line, message } => {
                format!("Dòng {line} của lịch ngày nghỉ không hợp lệ: {message}")
            }
        }
    }
}

/// Parses overrides written one per line as `YYYY-MM-DD kind name…`, where the
/// name (optional) runs to the end of the line. Blank lines and lines starting
/// with `#` are ignored.
pub fn parse_overrides(text: &str) -> Result<Vec<DayOverride>, CalendarError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |message: String| CalendarError::BadOverride {
            line: i + 1,
            message,
        };
        let (date_text, rest) = split_token(line);
        let (kind_text, rest) = split_token(rest);
        let date: Date = date_text
            .parse()
            .map_err(|_| bad(format!("invalid date {date_text:?}")))?;
        let kind: DayKind = kind_text.parse().map_err(bad)?;
        let name = rest.split_whitespace().collect::<Vec<_>>().join(" ");
        let name = (!name.is_empty()).then_some(name);
        out.push(DayOverride { date, kind, name });
    }
    Ok(out)
}

fn split_token(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

/// Official national days off and make-up days known when this code was
/// written, for the application to seed its database with. The database, edited
/// by an administrator, is the authority afterwards.
const NATIONAL_OVERRIDES: &str = include_str!("vn_2026.txt");

/// The overrides of [`NATIONAL_OVERRIDES`]; a test guarantees the file parses.
pub fn known_national_overrides() -> Vec<DayOverride> {
    parse_overrides(NATIONAL_OVERRIDES).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn national_data_file_parses_completely() {
        let parsed = parse_overrides(NATIONAL_OVERRIDES).expect("vn_2026.txt parses");
        let lines = NATIONAL_OVERRIDES
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .count();
        assert_eq!(parsed.len(), lines);
        assert_eq!(known_national_overrides(), parsed);
        assert!(parsed.iter().any(|o| o.date == date(2026, 4, 27)
            && o.kind == DayKind::DayOff
            && o.name.as_deref() == Some("Nghỉ bù Giỗ Tổ Hùng Vương")));
    }

    #[test]
    fn override_lines() {
        let parsed = parse_overrides(
            "# comment\n\n2026-03-07 makeup_working\n2026-03-09  day_off  Nghỉ  riêng \n",
        )
        .expect("valid");
        assert_eq!(
            parsed,
            vec![
                DayOverride {
                    date: date(2026, 3, 7),
                    kind: DayKind::MakeupWorking,
                    name: None
                },
                DayOverride {
                    date: date(2026, 3, 9),
                    kind: DayKind::DayOff,
                    name: Some("Nghỉ riêng".to_string())
                },
            ]
        );
        assert_eq!(
            parse_overrides("2026-02-30 holiday X"),
            Err(CalendarError::BadOverride {
                line: 1,
                message: "invalid date \"2026-02-30\"".to_string()
            })
        );
        assert!(matches!(
            parse_overrides("ok\n2026-02-03 party"),
            Err(CalendarError::BadOverride { line: 1, .. })
        ));
        assert!(matches!(
            parse_overrides("2026-02-03 party"),
            Err(CalendarError::BadOverride { line: 1, .. })
        ));
    }

    #[test]
    fn day_kind_text_matches_serde_names() {
        for kind in [
            DayKind::Working,
            DayKind::Weekend,
            DayKind::Holiday,
            DayKind::DayOff,
            DayKind::MakeupWorking,
        ] {
            assert_eq!(kind.to_string().parse::<DayKind>(), Ok(kind));
        }
        assert_eq!(DayKind::DayOff.as_str(), "day_off");
        assert_eq!(DayKind::MakeupWorking.as_str(), "makeup_working");
    }
}
