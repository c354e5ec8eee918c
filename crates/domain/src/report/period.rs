//! A report's period: whole local days, from the first to the last inclusive.

use jiff::civil::Date;
use jiff::Timestamp;

use crate::calendar::vietnam_time_zone;
use crate::validation::FieldError;

/// Longer periods than this are not a report anyone files; refusing them keeps a
/// mistyped year (20266) from scanning the whole database.
const MAX_DAYS: i32 = 10 * 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn new(from: Date, to: Date) -> Result<Period, FieldError> {
        if from > to {
            return Err(FieldError::new(
                "to",
                format!(
                    "Ngày cuối kỳ ({}) phải từ ngày đầu kỳ ({}) trở đi.",
                    to.strftime("%d/%m/%Y"),
                    from.strftime("%d/%m/%Y")
                ),
            ));
        }
        if (to - from).get_days() >= MAX_DAYS {
            return Err(FieldError::new(
                "to",
                "Kỳ báo cáo dài nhất là 10 năm.".to_string(),
            ));
        }
        Ok(Period { from, to })
    }

    /// 00:00 of the first day, Vietnam time.
    pub fn start(&self) -> Timestamp {
        local_midnight(self.from)
    }

    /// 00:00 of the day after the last: the period is `[start, end)`.
    pub fn end(&self) -> Timestamp {
        match self.to.tomorrow() {
            Ok(next) => local_midnight(next),
            Err(_) => Timestamp::MAX,
        }
    }

    /// The calendar months the period touches, each cut to the period: the bars
    /// of a monthly trend.
    pub fn months(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut first = self.from.first_of_month();
        while first <= self.to {
            let from = first.max(self.from);
            let to = first.last_of_month().min(self.to);
            out.push(Period { from, to });
            match first.last_of_month().tomorrow() {
                Ok(next) => first = next,
                Err(_) => break,
            }
        }
        out
    }

    /// The period as the report's heading writes it.
    pub fn label_vi(&self) -> String {
        format!(
            "Từ ngày {} đến ngày {}",
            self.from.strftime("%d/%m/%Y"),
            self.to.strftime("%d/%m/%Y")
        )
    }
}

/// The periods a report page offers in one click, as of `today`: this month, this
/// quarter and this year so far (to their last day), and last year.
pub fn presets(today: Date) -> Vec<(&'static str, Period)> {
    let y = today.year();
    let m = today.month();
    let first_of = |year: i16, month: i8| Date::new(year, month, 1).ok();
    let last_of = |year: i16, month: i8| first_of(year, month).map(|d| d.last_of_month());
    let q = (m - 1) / 3 * 3 + 1;
    [
        ("Tháng này", first_of(y, m), last_of(y, m)),
        ("Quý này", first_of(y, q), last_of(y, q + 2)),
        ("Năm nay", first_of(y, 1), last_of(y, 12)),
        ("Năm trước", first_of(y - 1, 1), last_of(y - 1, 12)),
    ]
    .into_iter()
    .filter_map(|(label, from, to)| Some((label, Period::new(from?, to?).ok()?)))
    .collect()
}

fn local_midnight(day: Date) -> Timestamp {
    // Vietnam keeps one offset all year, so every local midnight exists.
    day.to_zoned(vietnam_time_zone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn months_are_cut_to_the_period() {
        let p = Period::new(date(2025, 11, 15), date(2026, 2, 3)).expect("valid");
        let months: Vec<(Date, Date)> = p.months().iter().map(|m| (m.from, m.to)).collect();
        assert_eq!(
            months,
            vec![
                (date(2025, 11, 15), date(2025, 11, 30)),
                (date(2025, 12, 1), date(2025, 12, 31)),
                (date(2026, 1, 1), date(2026, 1, 31)),
                (date(2026, 2, 1), date(2026, 2, 3)),
            ]
        );
        assert_eq!(
            Period::new(date(2026, 5, 4), date(2026, 5, 4))
                .expect("day")
                .months()
                .len(),
            1
        );
    }

    #[test]
    fn whole_local_days() {
        let p = Period::new(date(2026, 1, 1), date(2026, 3, 31)).expect("valid");
        assert_eq!(p.start().to_string(), "2025-12-31T17:00:00Z");
        assert_eq!(p.end().to_string(), "2026-03-31T17:00:00Z");
        assert_eq!(p.label_vi(), "Từ ngày 01/01/2026 đến ngày 31/03/2026");
        let one = Period::new(date(2026, 5, 4), date(2026, 5, 4)).expect("one day");
        assert_eq!(one.end().duration_since(one.start()).as_hours(), 24);
    }

    #[test]
    fn presets_cover_whole_months() {
        let p = presets(date(2026, 5, 14));
        let shown: Vec<String> = p
            .iter()
            .map(|(l, p)| format!("{l} {} {}", p.from, p.to))
            .collect();
        assert_eq!(
            shown,
            [
                "Tháng này 2026-05-01 2026-05-31",
                "Quý này 2026-04-01 2026-06-30",
                "Năm nay 2026-01-01 2026-12-31",
                "Năm trước 2025-01-01 2025-12-31"
            ]
        );
    }

    #[test]
    fn backwards_or_endless_periods_are_refused() {
        let e = Period::new(date(2026, 2, 1), date(2026, 1, 31)).expect_err("backwards");
        assert_eq!(e.field, "to");
        assert!(e.message.contains("31/01/2026"), "{}", e.message);
        assert!(Period::new(date(2016, 1, 1), date(2026, 12, 31)).is_err());
        assert!(Period::new(date(2017, 1, 1), date(2026, 12, 31)).is_ok());
    }
}
