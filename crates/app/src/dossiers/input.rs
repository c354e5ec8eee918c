//! Reading what people type and send: dates as they write them, cleaned text,
//! and files as received.

use jiff::civil::Date;
use motcua_domain::text;
use serde::Serialize;
use sha2::Digest as _;

/// A file sent with a request (a scan, a result), as received: the web layer
/// decodes whatever its transport used (multipart, base64 in JSON).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A request's fingerprint names a file by its digest rather than spelling out
/// its bytes.
impl Serialize for Upload {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("Upload", 3)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("content_type", &self.content_type)?;
        st.serialize_field("sha256", &hex::encode(sha2::Sha256::digest(&self.bytes)))?;
        st.end()
    }
}

/// Cleaned text, or none when nothing is left.
pub(crate) fn opt_clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(text::clean).filter(|s| !s.is_empty())
}

pub(crate) fn parse_date(s: &str) -> Option<Date> {
    read_date(s).ok()
}

/// A date as people write it (dd/mm/yyyy, or yyyy-mm-dd), or, for a day/month/year
/// that does not exist (31/02/2020), what is wrong with it in Vietnamese; `None` in
/// the error when it is not written as a date at all.
pub(crate) fn read_date(s: &str) -> Result<Date, Option<String>> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = s.split('/').map(str::trim).collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(None);
    };
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) else {
        return Err(None);
    };
    if !(1..=12).contains(&m) {
        return Err(Some(format!("Không có tháng {m}: tháng ghi từ 1 đến 12.")));
    }
    if !(1000..=9999).contains(&y) {
        return Err(Some("Năm ghi đủ bốn chữ số, ví dụ 1987.".into()));
    }
    Date::new(y, m, d).map_err(|_| {
        let days = Date::new(y, m, 1).map_or(31, |first| first.days_in_month());
        Some(format!(
            "Ngày {d} không có trong tháng {m}/{y} (tháng này có {days} ngày)."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_date_says_the_day_does_not_exist_in_that_month() {
        assert_eq!(read_date("05/09/1987"), Ok(Date::new(1987, 9, 5).unwrap()));
        assert_eq!(
            read_date("31/02/2020"),
            Err(Some(
                "Ngày 31 không có trong tháng 2/2020 (tháng này có 29 ngày).".into()
            ))
        );
        assert_eq!(
            read_date("29/02/2021"),
            Err(Some(
                "Ngày 29 không có trong tháng 2/2021 (tháng này có 28 ngày).".into()
            ))
        );
        assert!(matches!(read_date("01/13/2020"), Err(Some(m)) if m.contains("tháng 13")));
        assert_eq!(read_date("hôm qua"), Err(None));
    }
}
