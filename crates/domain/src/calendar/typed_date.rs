//! A date as a person types it in a form: `dd/mm/yyyy` (also with `-` or `.`),
//! or `YYYY-MM-DD`; and, when it is not one, a Vietnamese message that says what
//! is wrong: the shape, or a day that does not exist in that month (31/02/2020).

use jiff::civil::Date;

/// Why a typed date is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedDateError {
    /// Not `dd/mm/yyyy`.
    Shape(String),
    /// The month does not exist (13/13/2020).
    Month { typed: String, month: i64 },
    /// The day does not exist in that month (31/02/2020, 29/02/2023).
    Day {
        typed: String,
        day: i64,
        month: i8,
        year: i16,
        days_in_month: i8,
    },
}

impl TypedDateError {
    pub fn message_vi(&self) -> String {
        match self {
            TypedDateError::Shape(t) => format!(
                "«{t}» không phải là ngày hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 05/02/2027."
            ),
            TypedDateError::Month { typed, month } => {
                format!("Ngày «{typed}» không tồn tại: không có tháng {month}.")
            }
            TypedDateError::Day {
                typed,
                day,
                month,
                year,
                days_in_month,
            } => format!(
                "Ngày «{typed}» không tồn tại: tháng {month}/{year} chỉ có {days_in_month} ngày, không có ngày {day}."
            ),
        }
    }
}

/// Reads a typed date; a date that does not exist is an error naming why, never
/// a neighbouring day.
pub fn parse_typed_date(input: &str) -> Result<Date, TypedDateError> {
    let typed = input.trim();
    let shape = || TypedDateError::Shape(typed.to_owned());
    let parts: Vec<&str> = typed.split(['/', '-', '.']).collect();
    let numeric = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || !parts.iter().all(numeric) {
        return Err(shape());
    }
    // `YYYY-MM-DD` (what a date field sends) or `dd/mm/yyyy`.
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 && parts[0].len() <= 2 && parts[1].len() <= 2 {
        (parts[2], parts[1], parts[0])
    } else {
        return Err(shape());
    };
    let year: i16 = y.parse().map_err(|_| shape())?;
    let month: i64 = m.parse().map_err(|_| shape())?;
    let day: i64 = d.parse().map_err(|_| shape())?;
    if !(1..=12).contains(&month) {
        return Err(TypedDateError::Month {
            typed: typed.to_owned(),
            month,
        });
    }
    let month = month as i8;
    let first = Date::new(year, month, 1).map_err(|_| shape())?;
    let days_in_month = first.days_in_month();
    if day < 1 || day > i64::from(days_in_month) {
        return Err(TypedDateError::Day {
            typed: typed.to_owned(),
            day,
            month,
            year,
            days_in_month,
        });
    }
    Date::new(year, month, day as i8).map_err(|_| shape())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn reads_the_vietnamese_and_the_iso_forms() {
        for typed in [
            "05/02/2027",
            "5/2/2027",
            "05-02-2027",
            "05.02.2027",
            "2027-02-05",
            " 05/02/2027 ",
        ] {
            assert_eq!(parse_typed_date(typed), Ok(date(2027, 2, 5)), "{typed}");
        }
    }

    #[test]
    fn an_impossible_day_says_the_month_has_fewer_days() {
        let e = parse_typed_date("31/02/2020").unwrap_err();
        assert_eq!(
            e.message_vi(),
            "Ngày «31/02/2020» không tồn tại: tháng 2/2020 chỉ có 29 ngày, không có ngày 31."
        );
        let e = parse_typed_date("29/02/2023").unwrap_err();
        assert!(
            e.message_vi().contains("chỉ có 28 ngày"),
            "{}",
            e.message_vi()
        );
        let e = parse_typed_date("31/04/2026").unwrap_err();
        assert!(e.message_vi().contains("chỉ có 30 ngày"));
        assert_eq!(
            parse_typed_date("01/13/2020").unwrap_err().message_vi(),
            "Ngày «01/13/2020» không tồn tại: không có tháng 13."
        );
    }

    #[test]
    fn other_text_is_a_shape_error() {
        for typed in [
            "",
            "hôm nay",
            "2020/02",
            "1/2/20",
            "12345/1/2020",
            "-1/02/2020",
        ] {
            assert!(
                matches!(parse_typed_date(typed), Err(TypedDateError::Shape(_))),
                "{typed}"
            );
        }
    }
}
