//! Dates as legacy registers hold them: Excel serial numbers and the ways
//! Vietnamese officers type them. A date that does not exist is an error with a
//! Vietnamese reason, never a guess.

use jiff::civil::Date;
use motcua_domain::text::fold;

/// A date cell read: a full date, or a year alone ("năm sinh", or a date of
/// birth known only by its year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrYear {
    Date(Date),
    Year(i16),
}

/// Earliest and latest years accepted: registers start in the 19th century at
/// the earliest, and nothing is registered after 2100.
pub const MIN_YEAR: i16 = 1800;
pub const MAX_YEAR: i16 = 2100;

/// The last serial Excel can show as a date (31/12/9999).
const MAX_SERIAL: f64 = 2_958_465.0;

/// An Excel serial number to a date; the time of day, if any, is dropped.
///
/// In the 1900 system (the default) serial 1 is 01/01/1900 and Excel counts a
/// 29/02/1900 that never existed (serial 60, kept from Lotus 1-2-3): serials
/// below 60 are one day later than a plain count from 31/12/1899 would give,
/// and 60 itself is refused. In the 1904 system serial 0 is 01/01/1904.
pub fn from_serial(serial: f64, is_1904: bool) -> Result<Date, String> {
    if !serial.is_finite() || !(0.0..=MAX_SERIAL).contains(&serial) {
        return Err(format!("«{serial}» không phải số ngày hợp lệ của Excel."));
    }
    let days = serial.floor() as i64;
    let (epoch, offset) = if is_1904 {
        (Date::constant(1904, 1, 1), days)
    } else if days == 60 {
        return Err(
            "Số ngày 60 của Excel là ngày 29/02/1900, một ngày không có thật (lỗi lịch của Excel)."
                .to_string(),
        );
    } else if days == 0 {
        return Err("Số ngày 0 của Excel không phải một ngày.".to_string());
    } else if days < 60 {
        (Date::constant(1899, 12, 31), days)
    } else {
        (Date::constant(1899, 12, 30), days)
    };
    epoch
        .checked_add(jiff::Span::new().days(offset))
        .map_err(|_| format!("«{serial}» không phải số ngày hợp lệ của Excel."))
}

/// A date typed as text: `dd/mm/yyyy`, `d/m/yyyy`, `d/m/yy`, `dd-mm-yyyy`,
/// `dd.mm.yyyy`, `yyyy-mm-dd`, "ngày 05 tháng 3 năm 2014" (with or without
/// diacritics, any case), or a year alone (`1975`, "năm 1975").
///
/// Two-digit years: `yy` is 20yy when 20yy is not after `this_year`, 19yy
/// otherwise (a register records the past: in 2026, "5/3/14" is 2014 and
/// "5/3/58" is 1958). A person born in the 1920s written with two digits comes
/// out a century late only when 20yy ≤ this year; such dates should be typed
/// with four digits.
pub fn parse_text(text: &str, this_year: i16) -> Result<DateOrYear, String> {
    let folded = fold(text);
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = folded.as_str();
    // Digit groups, separated by / - . spaces or the words ngày, tháng, năm.
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let between = rest[..start].trim_matches(|c: char| " /-.,".contains(c));
        let words_ok = between
            .split(|c: char| " /-.,".contains(c))
            .filter(|w| !w.is_empty())
            .all(|w| matches!(w, "ngay" | "thang" | "nam"));
        if !words_ok {
            return Err(format!("Không đọc được ngày «{}».", text.trim()));
        }
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end > 0 {
            groups.push(&rest[..end]);
        }
        rest = &rest[end..];
    }
    let num = |s: &str| s.parse::<i32>().ok();
    let unreadable = || format!("Không đọc được ngày «{}».", text.trim());
    match groups.as_slice() {
        [year] if year.len() == 4 => {
            let y = num(year).ok_or_else(unreadable)?;
            year_in_range(y, text).map(DateOrYear::Year)
        }
        [y, m, d] if y.len() == 4 => {
            let (y, m, d) = (
                num(y).ok_or_else(unreadable)?,
                num(m).ok_or_else(unreadable)?,
                num(d).ok_or_else(unreadable)?,
            );
            make(y, m, d, text).map(DateOrYear::Date)
        }
        [d, m, y] if d.len() <= 2 && m.len() <= 2 && (y.len() == 4 || y.len() == 2) => {
            let (d, m) = (
                num(d).ok_or_else(unreadable)?,
                num(m).ok_or_else(unreadable)?,
            );
            let mut year = num(y).ok_or_else(unreadable)?;
            if y.len() == 2 {
                year += if 2000 + year <= i32::from(this_year) {
                    2000
                } else {
                    1900
                };
            }
            make(year, m, d, text).map(DateOrYear::Date)
        }
        [_, _] => Err(format!(
            "Ngày «{}» thiếu ngày, tháng hoặc năm.",
            text.trim()
        )),
        _ => Err(unreadable()),
    }
}

fn year_in_range(y: i32, text: &str) -> Result<i16, String> {
    if (i32::from(MIN_YEAR)..=i32::from(MAX_YEAR)).contains(&y) {
        Ok(y as i16)
    } else {
        Err(format!(
            "Năm {y} trong «{}» nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}.",
            text.trim()
        ))
    }
}

fn make(y: i32, m: i32, d: i32, text: &str) -> Result<Date, String> {
    let year = year_in_range(y, text)?;
    if !(1..=12).contains(&m) {
        return Err(format!(
            "Ngày «{}» không có thật: không có tháng {m}.",
            text.trim()
        ));
    }
    let m = m as i8;
    let last = Date::new(year, m, 1)
        .map(|first| first.days_in_month())
        .unwrap_or(31);
    if d < 1 || d > i32::from(last) {
        return Err(format!(
            "Ngày {d:02}/{m:02}/{y} không có thật: tháng {m} năm {y} có {last} ngày."
        ));
    }
    Date::new(year, m, d as i8).map_err(|_| format!("Ngày «{}» không có thật.", text.trim()))
}

/// Formats a date as Vietnamese documents write it.
pub fn dmy(date: Date) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn d(s: &str) -> Result<DateOrYear, String> {
        parse_text(s, 2026)
    }

    #[test]
    fn serials_in_the_1900_system_keep_the_leap_year_bug() {
        assert_eq!(from_serial(1.0, false), Ok(date(1900, 1, 1)));
        assert_eq!(from_serial(59.0, false), Ok(date(1900, 2, 28)));
        assert!(from_serial(60.0, false).unwrap_err().contains("29/02/1900"));
        assert_eq!(from_serial(61.0, false), Ok(date(1900, 3, 1)));
        assert_eq!(from_serial(41703.0, false), Ok(date(2014, 3, 5)));
        assert_eq!(from_serial(41703.75, false), Ok(date(2014, 3, 5)));
        assert_eq!(from_serial(0.0, true), Ok(date(1904, 1, 1)));
        assert_eq!(from_serial(40241.0, true), Ok(date(2014, 3, 5)));
        assert!(from_serial(-1.0, false).is_err());
        assert!(from_serial(f64::NAN, false).is_err());
        assert!(from_serial(3e6, false).is_err());
    }

    #[test]
    fn every_typed_form_reads() {
        let want = DateOrYear::Date(date(2014, 3, 5));
        for s in [
            "05/03/2014",
            "5/3/2014",
            "5/3/14",
            "05-03-2014",
            "05.03.2014",
            "2014-03-05",
            " 05 / 03 / 2014 ",
            "ngày 05 tháng 3 năm 2014",
            "Ngày 5 tháng 03 năm 2014",
            "NGÀY 05 THÁNG 3 NĂM 2014",
            "ngay 05 thang 3 nam 2014",
            "Ngày 05/3/2014",
        ] {
            assert_eq!(d(s), Ok(want), "{s:?}");
        }
        assert_eq!(d("1975"), Ok(DateOrYear::Year(1975)));
        assert_eq!(d("năm 1975"), Ok(DateOrYear::Year(1975)));
    }

    #[test]
    fn two_digit_years_follow_the_century_rule() {
        assert_eq!(d("1/1/26"), Ok(DateOrYear::Date(date(2026, 1, 1))));
        assert_eq!(d("1/1/27"), Ok(DateOrYear::Date(date(1927, 1, 1))));
        assert_eq!(d("1/1/58"), Ok(DateOrYear::Date(date(1958, 1, 1))));
        assert_eq!(d("1/1/00"), Ok(DateOrYear::Date(date(2000, 1, 1))));
    }

    #[test]
    fn impossible_dates_are_errors_in_vietnamese() {
        let e = d("31/02/2014").unwrap_err();
        assert!(e.contains("không có thật") && e.contains("28 ngày"), "{e}");
        assert!(d("29/02/2023").is_err());
        assert_eq!(d("29/02/2024"), Ok(DateOrYear::Date(date(2024, 2, 29))));
        assert!(d("15/13/2014").unwrap_err().contains("tháng 13"));
        assert!(d("00/01/2014").is_err());
        assert!(d("31/04/2014").unwrap_err().contains("30 ngày"));
        assert!(d("3/2014").unwrap_err().contains("thiếu"));
        assert!(d("hôm qua").is_err());
        assert!(d("05/03/2014 xyz").is_err());
        assert!(d("1700").is_err());
        assert!(d("").is_err());
    }
}
