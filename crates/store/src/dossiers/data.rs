//! How an event's `data` (JSON text) is kept: deflated against a preset
//! dictionary when that saves space, as its UTF-8 bytes otherwise. The chain's
//! hash is over the text, never over these bytes, so the storage form can change
//! without touching a chain.

use std::cell::RefCell;
use std::io::Read;

use flate2::read::DeflateDecoder;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// Marks data deflated without a dictionary (migration 0016 to 0024). JSON text
/// never starts with a control character, so plain data (including every event
/// stored before compression) reads as itself.
const DEFLATED: u8 = 0x01;

/// Marks data deflated (raw, no zlib header) against [`DICTIONARY_V1`].
const DEFLATED_V1: u8 = 0x02;

/// What event data is made of, for deflate to refer back to from the first byte
/// on: the names of the seed catalogue's procedures and documents (an intake
/// copies its procedure's name and its documents' names), common words of
/// Vietnamese addresses and names, and the shapes of an intake and of the small
/// changes (assignment, handover, new due instant), the commonest last (the
/// nearest). Frozen: data stored against it must read back forever, so a
/// better dictionary is a new file with a marker of its own (a test holds this
/// one's SHA-256). Deflating the events of 8,000 generated dossiers against it
/// took the intake from 617 to 213 bytes and the other events from 313 to 147
/// bytes a dossier.
const DICTIONARY_V1: &[u8] = include_bytes!("data_dictionary_v1.txt");

/// Below this, deflate's own framing eats the gain (most events' data is `{}`).
const WORTH_DEFLATING: usize = 24;

/// The bytes to store for `text`.
pub fn encode(text: &str) -> Vec<u8> {
    if text.len() >= WORTH_DEFLATING {
        if let Some(out) = deflate_v1(text) {
            if out.len() < text.len() {
                return out;
            }
        }
    }
    text.as_bytes().to_vec()
}

/// `text` deflated against the dictionary, checked by reading it back: stored
/// history must never depend on a compressor's corner case.
fn deflate_v1(text: &str) -> Option<Vec<u8>> {
    let out = DEFLATER.with(|slot| {
        let mut slot = slot.borrow_mut();
        let z = slot.get_or_insert_with(|| Compress::new(Compression::default(), false));
        z.reset();
        z.set_dictionary(DICTIONARY_V1).ok()?;
        let (start_in, input) = (z.total_in(), text.as_bytes());
        let mut out = Vec::with_capacity(text.len() / 2 + 64);
        out.push(DEFLATED_V1);
        for _ in 0..MAX_ROUNDS {
            let consumed = usize::try_from(z.total_in() - start_in).ok()?;
            let rest = input.get(consumed..)?;
            match z.compress_vec(rest, &mut out, FlushCompress::Finish).ok()? {
                Status::StreamEnd => return Some(out),
                Status::Ok | Status::BufError => out.reserve(out.capacity()),
            }
        }
        None
    })?;
    let back = inflate_v1(&out[1..]).ok()?;
    (back.as_slice() == text.as_bytes()).then_some(out)
}

fn inflate_v1(deflated: &[u8]) -> std::io::Result<Vec<u8>> {
    let damaged = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_owned());
    INFLATER.with(|slot| {
        let mut slot = slot.borrow_mut();
        let z = slot.get_or_insert_with(|| Decompress::new(false));
        z.reset(false);
        z.set_dictionary(DICTIONARY_V1)
            .map_err(std::io::Error::other)?;
        let start_in = z.total_in();
        let mut out = Vec::with_capacity(deflated.len() * 4 + 64);
        for _ in 0..MAX_ROUNDS {
            let consumed =
                usize::try_from(z.total_in() - start_in).map_err(|_| damaged("too long"))?;
            let rest = deflated.get(consumed..).ok_or_else(|| damaged("overrun"))?;
            let status = z
                .decompress_vec(rest, &mut out, FlushDecompress::Finish)
                .map_err(std::io::Error::other)?;
            match status {
                Status::StreamEnd => return Ok(out),
                // Input left over or output full: room for more, and go on.
                _ if out.len() == out.capacity() => out.reserve(out.capacity()),
                _ => return Err(damaged("the deflated data ends early")),
            }
        }
        Err(damaged("the deflated data does not end"))
    })
}

/// Rounds of doubling the output: 2^40 bytes, far beyond any event, so a stream
/// that never ends is an error rather than a loop.
const MAX_ROUNDS: usize = 40;

thread_local! {
    // One (de)compressor a thread, reset between uses: setting one up costs more
    // than deflating a small change (its tables are ~256 KB).
    static DEFLATER: RefCell<Option<Compress>> = const { RefCell::new(None) };
    static INFLATER: RefCell<Option<Decompress>> = const { RefCell::new(None) };
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
        Some((&DEFLATED_V1, rest)) => inflate_v1(rest).map_err(DataError::Inflate)?,
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
    use sha2::{Digest, Sha256};
    use std::io::Write;

    fn intake() -> String {
        format!(
            "{{\"applicant\":{{\"full_name\":\"Nguyễn Văn An\"}},\"documents\":[{}]}}",
            ["{\"name\":\"Tờ khai đăng ký khai sinh\",\"copies\":1}"; 8].join(",")
        )
    }

    #[test]
    fn large_data_is_deflated_and_reads_back_as_the_same_text() {
        let text = intake();
        let stored = encode(&text);
        assert_eq!(stored[0], DEFLATED_V1);
        assert!(
            stored.len() < text.len() / 4,
            "{} of {}",
            stored.len(),
            text.len()
        );
        assert_eq!(decode(&stored).unwrap(), text);
    }

    #[test]
    fn the_dictionary_shortens_small_changes_too() {
        for text in [
            "{\"due_at\":\"2026-12-01T08:00:00Z\"}",
            "{\"handover\":{\"method\":\"counter\"},\"timeliness\":\"on_time\"}",
        ] {
            let stored = encode(text);
            assert_eq!(stored[0], DEFLATED_V1, "{text}");
            assert!(stored.len() < text.len() / 2, "{text}: {}", stored.len());
            assert_eq!(decode(&stored).unwrap(), text);
        }
    }

    #[test]
    fn small_and_old_data_stay_readable() {
        for text in ["{}", "null", "\"x\"", "{\"assignee\":\"a\"}"] {
            assert_eq!(encode(text), text.as_bytes());
            assert_eq!(decode(text.as_bytes()).unwrap(), text);
        }
        // Deflated without a dictionary, as stored from migration 0016 on.
        let text = intake();
        let mut z = flate2::write::DeflateEncoder::new(vec![DEFLATED], Compression::default());
        z.write_all(text.as_bytes()).unwrap();
        assert_eq!(decode(&z.finish().unwrap()).unwrap(), text);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        assert!(decode(&[DEFLATED, 0xff, 0x00, 0x13]).is_err());
        assert!(decode(&[DEFLATED_V1, 0xff, 0x00, 0x13]).is_err());
        let mut cut = encode(&intake());
        cut.truncate(cut.len() / 2);
        assert!(decode(&cut).is_err());
        assert!(decode(&[0xc3, 0x28]).is_err());
    }

    #[test]
    fn long_data_of_any_kind_reads_back() {
        // Compresses to a few bytes and inflates over many rounds of room.
        let repeated = "{\"x\":\"".to_owned() + &"Nguyễn Văn An, ".repeat(20_000) + "\"}";
        let stored = encode(&repeated);
        assert!(stored.len() < 2_000, "{}", stored.len());
        assert_eq!(decode(&stored).unwrap(), repeated);
        // Does not compress: kept as it is, or deflated if that is still shorter.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let noise: String = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 90) as u8)
            })
            .collect();
        assert_eq!(decode(&encode(&noise)).unwrap(), noise);
    }

    /// Data stored against the dictionary reads back only with the same bytes.
    #[test]
    fn the_dictionary_never_changes() {
        assert_eq!(
            hex::encode(Sha256::digest(DICTIONARY_V1)),
            "55efa629143658e6fc68921b2d984508878eab1df1e0bf433abc99509a7cef18"
        );
    }
}
