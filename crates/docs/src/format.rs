//! Formatting conventions of Vietnamese papers: money, dates, times.
//!
//! Pure functions; the results go to templates through `sys.inputs`.

use jiff::civil::{Date, DateTime};
use motcua_domain::calendar::vietnam_time_zone;

/// Money in đồng as printed on Vietnamese papers: dots group thousands and
/// the unit follows after a space (`2.000 đ`).
pub fn money(dong: i64) -> String {
    let digits = dong.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if dong < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    grouped.push_str(" đ");
    grouped
}

/// A count as printed on Vietnamese papers: dots group thousands (`12.001`).
pub fn count(n: u64) -> String {
    let money = money(i64::try_from(n).unwrap_or(i64::MAX));
    money.trim_end_matches(" đ").to_string()
}

/// Short date, day first with two-digit day and month: `05/03/2026`.
pub fn date_vn(date: Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// Time then date, as on receipts and appointment slips:
/// `14:05 ngày 05/03/2026`.
pub fn datetime_vn(at: DateTime) -> String {
    format!(
        "{:02}:{:02} ngày {}",
        at.hour(),
        at.minute(),
        date_vn(at.date())
    )
}

/// An instant (stored in UTC) as the wall-clock time in Vietnam, where
/// every printed paper is read.
pub fn vietnam_datetime(at: jiff::Timestamp) -> DateTime {
    at.to_zoned(vietnam_time_zone()).datetime()
}

/// Hours and minutes in words, then the short date, as the one-stop forms
/// print the time a dossier was received and the appointment:
/// `09 giờ 15 phút, ngày 22/11/2026`.
pub fn time_date_vn(at: DateTime) -> String {
    format!(
        "{:02} giờ {:02} phút, ngày {}",
        at.hour(),
        at.minute(),
        date_vn(at.date())
    )
}

/// The date in words as in the place-and-date line of an official paper:
/// `ngày 05 tháng 3 năm 2026`.
///
/// Nghị định 30/2020/NĐ-CP, Phụ lục I: days below 10 and the months 1 and
/// 2 take a leading zero, other months do not (`ngày 01 tháng 02 năm 2023`,
/// `ngày 05 tháng 7 năm 2023`). The zero is there so that nobody can turn
/// day 5 into 15 or month 1 into 11 by adding a digit; no month 13 exists,
/// so months from 3 on need no guard.
pub fn date_words(date: Date) -> String {
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    format!("ngày {:02} tháng {} năm {}", date.day(), month, date.year())
}

/// The place-and-date line under the national motto:
/// `Phường Ỷ La, ngày 05 tháng 3 năm 2026`.
pub fn place_date(place: &str, date: Date) -> String {
    format!("{place}, {}", date_words(date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn money_groups_thousands_with_dots() {
        let cases = [
            (0, "0 đ"),
            (5, "5 đ"),
            (999, "999 đ"),
            (1_000, "1.000 đ"),
            (2_000, "2.000 đ"),
            (15_000, "15.000 đ"),
            (100_000, "100.000 đ"),
            (1_250_000, "1.250.000 đ"),
            (-50_000, "-50.000 đ"),
            (i64::MIN, "-9.223.372.036.854.775.808 đ"),
        ];
        for (dong, want) in cases {
            assert_eq!(money(dong), want, "money({dong})");
        }
    }

    #[test]
    fn short_date_pads_day_and_month() {
        assert_eq!(date_vn(date(2026, 3, 5)), "05/03/2026");
        assert_eq!(date_vn(date(2025, 12, 31)), "31/12/2025");
    }

    #[test]
    fn datetime_puts_time_first() {
        assert_eq!(
            datetime_vn(date(2026, 3, 5).at(14, 5, 0, 0)),
            "14:05 ngày 05/03/2026"
        );
        assert_eq!(
            datetime_vn(date(2026, 1, 9).at(7, 30, 59, 0)),
            "07:30 ngày 09/01/2026"
        );
    }

    #[test]
    fn instants_print_in_vietnam_time() {
        let at: jiff::Timestamp = "2026-11-22T02:15:00Z".parse().expect("valid instant");
        assert_eq!(vietnam_datetime(at), date(2026, 11, 22).at(9, 15, 0, 0));
        // 17:30 UTC is already the next day in Vietnam.
        let late: jiff::Timestamp = "2026-12-31T17:30:00Z".parse().expect("valid instant");
        assert_eq!(vietnam_datetime(late), date(2027, 1, 1).at(0, 30, 0, 0));
    }

    #[test]
    fn time_date_spells_hours_and_minutes() {
        assert_eq!(
            time_date_vn(date(2026, 11, 22).at(9, 15, 0, 0)),
            "09 giờ 15 phút, ngày 22/11/2026"
        );
        assert_eq!(
            time_date_vn(date(2026, 3, 5).at(16, 0, 59, 0)),
            "16 giờ 00 phút, ngày 05/03/2026"
        );
    }

    #[test]
    fn date_words_follow_decree_30_2020() {
        let cases = [
            // Examples of Phụ lục I itself.
            (date(2023, 2, 1), "ngày 01 tháng 02 năm 2023"),
            (date(2023, 7, 5), "ngày 05 tháng 7 năm 2023"),
            (date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
            (date(2026, 1, 10), "ngày 10 tháng 01 năm 2026"),
            (date(2026, 10, 9), "ngày 09 tháng 10 năm 2026"),
            (date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        ];
        for (d, want) in cases {
            assert_eq!(date_words(d), want, "{d}");
        }
    }

    #[test]
    fn place_date_joins_with_comma() {
        assert_eq!(
            place_date("Phường Ỷ La", date(2026, 3, 5)),
            "Phường Ỷ La, ngày 05 tháng 3 năm 2026"
        );
    }
}
