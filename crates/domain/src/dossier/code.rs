//! The dossier code `{agency identifier}-{yyMMdd}-{NNNN}` (NĐ 61/2018, kept by
//! NĐ 118/2025): a sequence per agency per day.

use jiff::civil::Date;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DossierCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed dossier code {0:?}")]
pub struct DossierCodeError(pub String);

impl DossierCodeError {
    pub fn message_vi(&self) -> String {
        format!(
            "Mã hồ sơ «{}» không đúng dạng «mã cơ quan-năm tháng ngày-số thứ tự», ví dụ 000.00.06.H56-231027-0361.",
            self.0
        )
    }
}

impl DossierCode {
    /// The code of the `seq`-th dossier of `day` at `agency`. Four digits, as the
    /// rule prints them; a day beyond 9,999 dossiers widens rather than fails.
    pub fn new(agency: &str, day: Date, seq: u32) -> DossierCode {
        DossierCode(format!("{agency}-{}-{seq:04}", day_part(day)))
    }

    pub fn parse(input: &str) -> Result<DossierCode, DossierCodeError> {
        let text = input.trim().to_ascii_uppercase();
        let bad = || DossierCodeError(input.trim().to_string());
        let mut parts = text.rsplitn(3, '-');
        let (seq, day, agency) = match (parts.next(), parts.next(), parts.next()) {
            (Some(s), Some(d), Some(a)) => (s, d, a),
            _ => return Err(bad()),
        };
        let digits = |s: &str, min: usize, max: usize| {
            (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(seq, 4, 6) || !digits(day, 6, 6) || agency.is_empty() || agency.len() > 40 {
            return Err(bad());
        }
        let ok_agency = agency
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
        if !ok_agency || parse_day(day).is_none() {
            return Err(bad());
        }
        Ok(DossierCode(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `yyMMdd-NNNN`: the code without its agency, unique within the agency; what
    /// a citizen copies and types.
    pub fn short(&self) -> &str {
        let agency = self.agency().len();
        self.0.get(agency + 1..).unwrap_or_default()
    }

    /// A short code as typed (`251201-0001`, also with a space or a dot, or none,
    /// between the day and the number), as `yyMMdd-NNNN`; `None` when it is not one.
    pub fn parse_short(input: &str) -> Option<String> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '.'))
            .collect();
        let ok = (10..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        let (day, seq) = (digits.get(..6)?, digits.get(6..)?);
        (ok && parse_day(day).is_some()).then(|| format!("{day}-{seq}"))
    }

    pub fn agency(&self) -> &str {
        self.0.rsplitn(3, '-').nth(2).unwrap_or_default()
    }

    pub fn day(&self) -> Option<Date> {
        parse_day(self.0.rsplit('-').nth(1)?)
    }

    pub fn seq(&self) -> u32 {
        self.0
            .rsplit('-')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `yyMMdd`, the key of the daily sequence.
pub fn day_part(day: Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        day.year().rem_euclid(100),
        day.month(),
        day.day()
    )
}

fn parse_day(s: &str) -> Option<Date> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i8>().ok();
    Date::new(2000 + i16::from(n(0..2)?), n(2..4)?, n(4..6)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_short_code_is_the_code_without_its_agency() {
        let c = DossierCode::new("000.00.06.H56", date(2023, 10, 27), 361);
        assert_eq!(c.short(), "231027-0361");
        assert_eq!(
            DossierCode::parse_short(" 231027-0361 ").as_deref(),
            Some("231027-0361")
        );
        assert_eq!(
            DossierCode::parse_short("231027 0361").as_deref(),
            Some("231027-0361")
        );
        assert_eq!(
            DossierCode::parse_short("2310270361").as_deref(),
            Some("231027-0361")
        );
        assert_eq!(DossierCode::parse_short("231327-0361"), None);
        assert_eq!(DossierCode::parse_short("231027-03"), None);
        assert_eq!(DossierCode::parse_short("000.00.06.H56-231027-0361"), None);
    }

    #[test]
    fn formats_as_the_decree_prints_it() {
        let c = DossierCode::new("000.00.06.H56", date(2023, 10, 27), 361);
        assert_eq!(c.as_str(), "000.00.06.H56-231027-0361");
        assert_eq!(c.agency(), "000.00.06.H56");
        assert_eq!(c.day(), Some(date(2023, 10, 27)));
        assert_eq!(c.seq(), 361);
        assert_eq!(
            DossierCode::new("X", date(2026, 1, 2), 12345).as_str(),
            "X-260102-12345"
        );
    }

    #[test]
    fn parses_what_it_prints_and_nothing_else() {
        let c = DossierCode::parse(" 000.00.06.h56-231027-0361 ").expect("valid");
        assert_eq!(c.as_str(), "000.00.06.H56-231027-0361");
        for bad in [
            "",
            "abc",
            "000.00.06.H56-231027-361",
            "000.00.06.H56-231327-0361",
            "000.00.06.H56-2310270-0361",
            "-231027-0361",
            "000 00-231027-0361",
            "' OR 1=1 --231027-0361",
        ] {
            assert!(
                DossierCode::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
        assert!(DossierCodeError("x".into())
            .message_vi()
            .contains("Mã hồ sơ"));
    }
}
