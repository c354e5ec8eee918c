//! Statutory holidays of the Labour Code 2019 (Bộ luật Lao động 2019), art. 112.
//!
//! The rules give the days; the Prime Minister fixes the exact Tết and National
//! Day arrangement each year, which the application stores as overrides. These
//! rules are only the seed and the fallback when no decision has been recorded.

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use super::lunar::{self, LunarDate};
use super::{CalendarDay, CalendarError, DayKind};

/// Which day accompanies Quốc khánh 2/9 ("01 ngày liền kề trước hoặc sau").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalDayCompanion {
    /// 1/9.
    DayBefore,
    /// 3/9.
    DayAfter,
    /// The adjacent day that joins the break to a weekend, as the government has
    /// chosen since the rule took effect in 2021: 2/9 on Monday → 3/9 (2024),
    /// Tuesday → 1/9 (2025), Thursday → 3/9 (2021), Friday → 1/9 (2022),
    /// Saturday → 1/9 (2023), Sunday → 3/9. On a Wednesday neither joins a
    /// weekend; 3/9 is then taken by convention, to be corrected by the decision
    /// of that year.
    #[default]
    Auto,
}

/// Parameters of the statutory rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HolidayRules {
    pub national_day_companion: NationalDayCompanion,
}

struct Statutory {
    date: Date,
    name: String,
    /// Name of the holiday a compensation day is for.
    short: &'static str,
}

/// The statutory holidays of solar year `year` and the compensating days off
/// ("nghỉ bù") for those falling on Saturday or Sunday, sorted by date.
///
/// A compensating day is the first weekday after the holiday that is neither a
/// holiday nor already a compensating day, so for a run of holidays (Tết) the
/// compensating days follow the run in order.
pub fn statutory_holidays(
    year: i16,
    rules: &HolidayRules,
) -> Result<Vec<CalendarDay>, CalendarError> {
    let lunar_year = i32::from(year);
    let unsupported = || CalendarError::UnsupportedYear(lunar_year);
    let solar = |month: i8, day: i8| Date::new(year, month, day).map_err(|_| unsupported());
    let lunar = |month: u8, day: u8| {
        lunar::lunar_to_solar(LunarDate {
            day,
            month,
            year: lunar_year,
            leap_month: false,
        })
        .ok_or_else(unsupported)
    };

    let mut days = vec![Statutory {
        date: solar(1, 1)?,
        name: "Tết Dương lịch".to_string(),
        short: "Tết Dương lịch",
    }];

    // Tết: the last day of the previous lunar year (29 or 30 of the 12th month)
    // and the first four days of the new one.
    let tet = lunar(1, 1)?;
    let eve = tet.yesterday().map_err(|_| unsupported())?;
    let eve_day = lunar::solar_to_lunar(eve).day;
    days.push(Statutory {
        date: eve,
        name: format!("Tết Nguyên đán – {eve_day} tháng Chạp"),
        short: "Tết Nguyên đán",
    });
    for n in 1..=4u8 {
        days.push(Statutory {
            date: lunar(1, n)?,
            name: format!("Tết Nguyên đán – mùng {n}"),
            short: "Tết Nguyên đán",
        });
    }

    days.push(Statutory {
        date: lunar(3, 10)?,
        name: "Giỗ Tổ Hùng Vương".to_string(),
        short: "Giỗ Tổ Hùng Vương",
    });
    days.push(Statutory {
        date: solar(4, 30)?,
        name: "Ngày Chiến thắng".to_string(),
        short: "Ngày Chiến thắng",
    });
    days.push(Statutory {
        date: solar(5, 1)?,
        name: "Ngày Quốc tế Lao động".to_string(),
        short: "Ngày Quốc tế Lao động",
    });

    let national_day = solar(9, 2)?;
    let after = match rules.national_day_companion {
        NationalDayCompanion::DayBefore => false,
        NationalDayCompanion::DayAfter => true,
        NationalDayCompanion::Auto => !matches!(
            national_day.weekday(),
            Weekday::Tuesday | Weekday::Friday | Weekday::Saturday
        ),
    };
    let companion = if after { solar(9, 3)? } else { solar(9, 1)? };
    days.push(Statutory {
        date: national_day,
        name: "Quốc khánh".to_string(),
        short: "Quốc khánh",
    });
    days.push(Statutory {
        date: companion,
        name: "Quốc khánh – ngày liền kề".to_string(),
        short: "Quốc khánh",
    });
    days.sort_by_key(|d| d.date);
    // Two holidays on one date give one day off, not two (10/3 lunar fell on
    // 30/4 in 1917 and 1947; it cannot again before 2200). Keep both names.
    days.dedup_by(|later, earlier| {
        if later.date != earlier.date {
            return false;
        }
        earlier.name = format!("{}; {}", earlier.name, later.name);
        true
    });

    let is_weekend = |d: Date| matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
    let mut compensations: Vec<CalendarDay> = Vec::new();
    for holiday in days.iter().filter(|h| is_weekend(h.date)) {
        let mut candidate = holiday.date;
        // A handful of steps always suffices (at most five holidays in a run
        // plus a weekend); the bound only guards against a logic error.
        for _ in 0..31 {
            candidate = candidate.tomorrow().map_err(|_| unsupported())?;
            let taken = days.iter().any(|h| h.date == candidate)
                || compensations.iter().any(|c| c.date == candidate);
            if !is_weekend(candidate) && !taken {
                compensations.push(CalendarDay {
                    date: candidate,
                    kind: DayKind::DayOff,
                    name: format!("Nghỉ bù {}", holiday.short),
                });
                break;
            }
        }
    }

    let mut out: Vec<CalendarDay> = days
        .into_iter()
        .map(|h| CalendarDay {
            date: h.date,
            kind: DayKind::Holiday,
            name: h.name,
        })
        .chain(compensations)
        .collect();
    out.sort_by_key(|d| d.date);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn list(year: i16, rules: HolidayRules) -> Vec<(Date, DayKind, String)> {
        statutory_holidays(year, &rules)
            .expect("supported year")
            .into_iter()
            .map(|d| (d.date, d.kind, d.name))
            .collect()
    }

    fn hol(d: Date, name: &str) -> (Date, DayKind, String) {
        (d, DayKind::Holiday, name.to_string())
    }

    fn off(d: Date, name: &str) -> (Date, DayKind, String) {
        (d, DayKind::DayOff, name.to_string())
    }

    #[test]
    fn year_2026() {
        assert_eq!(
            list(2026, HolidayRules::default()),
            vec![
                hol(date(2026, 1, 1), "Tết Dương lịch"),
                hol(date(2026, 2, 16), "Tết Nguyên đán – 29 tháng Chạp"),
                hol(date(2026, 2, 17), "Tết Nguyên đán – mùng 1"),
                hol(date(2026, 2, 18), "Tết Nguyên đán – mùng 2"),
                hol(date(2026, 2, 19), "Tết Nguyên đán – mùng 3"),
                hol(date(2026, 2, 20), "Tết Nguyên đán – mùng 4"),
                // 10/3 Bính Ngọ is Sunday 26/4: Monday 27/4 is off.
                hol(date(2026, 4, 26), "Giỗ Tổ Hùng Vương"),
                off(date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương"),
                hol(date(2026, 4, 30), "Ngày Chiến thắng"),
                hol(date(2026, 5, 1), "Ngày Quốc tế Lao động"),
                hol(date(2026, 9, 2), "Quốc khánh"),
                hol(date(2026, 9, 3), "Quốc khánh – ngày liền kề"),
            ]
        );
    }

    #[test]
    fn tet_run_over_a_weekend_is_compensated_after_the_run() {
        // Tết 2023 was Sunday 22/1; the last day of Nhâm Dần (30 tháng Chạp) was
        // Saturday 21/1. Both weekend holidays are compensated after mùng 4.
        let days = list(2023, HolidayRules::default());
        let tet: Vec<_> = days
            .iter()
            .filter(|d| d.0 >= date(2023, 1, 20) && d.0 <= date(2023, 1, 31))
            .cloned()
            .collect();
        assert_eq!(
            tet,
            vec![
                hol(date(2023, 1, 21), "Tết Nguyên đán – 30 tháng Chạp"),
                hol(date(2023, 1, 22), "Tết Nguyên đán – mùng 1"),
                hol(date(2023, 1, 23), "Tết Nguyên đán – mùng 2"),
                hol(date(2023, 1, 24), "Tết Nguyên đán – mùng 3"),
                hol(date(2023, 1, 25), "Tết Nguyên đán – mùng 4"),
                off(date(2023, 1, 26), "Nghỉ bù Tết Nguyên đán"),
                off(date(2023, 1, 27), "Nghỉ bù Tết Nguyên đán"),
            ]
        );
    }

    #[test]
    fn national_day_companion_follows_past_decisions() {
        let companion = |year: i16| {
            list(year, HolidayRules::default())
                .into_iter()
                .filter(|d| d.0.month() == 9)
                .collect::<Vec<_>>()
        };
        // 2021: Thursday 2/9 with Friday 3/9.
        assert_eq!(companion(2021)[1].0, date(2021, 9, 3));
        // 2022: Friday 2/9 with Thursday 1/9.
        assert_eq!(companion(2022)[0].0, date(2022, 9, 1));
        // 2023: Saturday 2/9 with Friday 1/9, compensated on Monday 4/9.
        assert_eq!(
            companion(2023),
            vec![
                hol(date(2023, 9, 1), "Quốc khánh – ngày liền kề"),
                hol(date(2023, 9, 2), "Quốc khánh"),
                off(date(2023, 9, 4), "Nghỉ bù Quốc khánh"),
            ]
        );
        // 2024: Monday 2/9 with Tuesday 3/9; 2025: Tuesday 2/9 with Monday 1/9.
        assert_eq!(companion(2024)[1].0, date(2024, 9, 3));
        assert_eq!(companion(2025)[0].0, date(2025, 9, 1));
        // An explicit choice wins over the rule of thumb.
        let before = HolidayRules {
            national_day_companion: NationalDayCompanion::DayBefore,
        };
        assert_eq!(list(2026, before)[10].0, date(2026, 9, 1));
    }

    #[test]
    fn every_supported_year_has_its_eleven_holiday_days() {
        for year in 1900..=2199 {
            let days = statutory_holidays(year, &HolidayRules::default()).expect("supported");
            let holidays = days.iter().filter(|d| d.kind == DayKind::Holiday).count();
            let expected = if matches!(year, 1917 | 1947) { 10 } else { 11 };
            assert_eq!(holidays, expected, "{year}");
            assert!(days.iter().all(|d| d.date.year() == year), "{year}");
            // Compensation days are weekdays that are not holidays themselves.
            for d in days.iter().filter(|d| d.kind == DayKind::DayOff) {
                assert!(!matches!(
                    d.date.weekday(),
                    Weekday::Saturday | Weekday::Sunday
                ));
            }
        }
    }

    #[test]
    fn coinciding_holidays_make_one_day() {
        let days = list(1947, HolidayRules::default());
        assert!(days.contains(&hol(
            date(1947, 4, 30),
            "Giỗ Tổ Hùng Vương; Ngày Chiến thắng"
        )));
    }

    #[test]
    fn new_year_on_a_weekend_and_unsupported_years() {
        // 1/1/2022 was a Saturday: Monday 3/1 off.
        let days = list(2022, HolidayRules::default());
        assert_eq!(days[1], off(date(2022, 1, 3), "Nghỉ bù Tết Dương lịch"));
        assert_eq!(
            statutory_holidays(2200, &HolidayRules::default()),
            Err(CalendarError::UnsupportedYear(2200))
        );
        assert_eq!(
            statutory_holidays(i16::MIN, &HolidayRules::default()),
            Err(CalendarError::UnsupportedYear(i32::from(i16::MIN)))
        );
    }
}
