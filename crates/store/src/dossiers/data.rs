//! How an event's `data` (JSON text) is kept: deflated when that saves space, as
//! its UTF-8 bytes otherwise. The chain's hash is over the text, never over these
//! bytes, so the storage form can change without touching a chain.

use std::io::{Read, Write};

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

/// Marks deflated data. JSON text never starts with a control character, so
/// plain data (including every event stored before compression) reads as itself.
const DEFLATED: u8 = 0x01;

/// Below this, deflate's own framing eats most of the gain (most events' data
/// is `{}` or one instant); the intake, about 1 KB, is the one worth it.
const WORTH_DEFLATING: usize = 160;

/// The bytes to store for `text`.
pub fn encode(text: &str) -> Vec<u8> {
    if text.len() >= WORTH_DEFLATING {
        let mut out = Vec::with_capacity(text.len() / 2 + 8);
        out.push(DEFLATED);
        let mut z = DeflateEncoder::new(out, Compression::default());
        // Writing into a Vec cannot fail.
        if z.write_all(text.as_bytes()).is_ok() {
            if let Ok(out) = z.finish() {
                if out.len() < text.len() {
                    return out;
                }
            }
        }
    }
    text.as_bytes().to_vec()
}

/// Why stored bytes are not event data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("deflated data does not inflate: {0}")]
    Inflate(std::io::Error),
    #[error("not UTF-8: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

/// The text stored as `bytes` (by `encode`, or plain before it existed).
pub fn decode(bytes: &[u8]) -> Result<String, DataError> {
    let text = match bytes.split_first() {
        Some((&DEFLATED, rest)) => {
            let mut out = Vec::with_capacity(rest.len() * 3);
            DeflateDecoder::new(rest)
                .read_to_end(&mut out)
                .map_err(DataError::Inflate)?;
            out
        }
        _ => bytes.to_vec(),
    };
    Ok(String::from_utf8(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_data_is_deflated_and_reads_back_as_the_same_text() {
        let text = format!(
            "{{\"applicant\":{{\"full_name\":\"Nguyễn Văn An\"}},\"documents\":[{}]}}",
            ["{\"name\":\"Tờ khai đăng ký khai sinh\",\"copies\":1}"; 8].join(",")
        );
        let stored = encode(&text);
        assert_eq!(stored[0], DEFLATED);
        assert!(
            stored.len() < text.len() / 2,
            "{} of {}",
            stored.len(),
            text.len()
        );
        assert_eq!(decode(&stored).unwrap(), text);
    }

    #[test]
    fn small_and_old_data_stay_plain() {
        for text in [
            "{}",
            "{\"due_at\":\"2026-12-01T08:00:00Z\"}",
            "null",
            "\"x\"",
        ] {
            assert_eq!(encode(text), text.as_bytes());
            assert_eq!(decode(text.as_bytes()).unwrap(), text);
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        assert!(decode(&[DEFLATED, 0xff, 0x00, 0x13]).is_err());
        assert!(decode(&[0xc3, 0x28]).is_err());
    }
}
