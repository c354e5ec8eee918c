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

    /// The period as the report's heading writes it.
    pub fn label_vi(&self) -> String {
        format!(
            "Từ ngày {} đến ngày {}",
            self.from.strftime("%d/%m/%Y"),
            self.to.strftime("%d/%m/%Y")
        )
    }
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
    fn whole_local_days() {
        let p = Period::new(date(2026, 1, 1), date(2026, 3, 31)).expect("valid");
        assert_eq!(p.start().to_string(), "2025-12-31T17:00:00Z");
        assert_eq!(p.end().to_string(), "2026-03-31T17:00:00Z");
        assert_eq!(p.label_vi(), "Từ ngày 01/01/2026 đến ngày 31/03/2026");
        let one = Period::new(date(2026, 5, 4), date(2026, 5, 4)).expect("one day");
        assert_eq!(one.end().duration_since(one.start()).as_hours(), 24);
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
