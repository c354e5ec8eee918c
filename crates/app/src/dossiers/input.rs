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
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let mut it = s.split('/');
    let (d, m, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    Date::new(
        y.trim().parse().ok()?,
        m.trim().parse().ok()?,
        d.trim().parse().ok()?,
    )
    .ok()
}
