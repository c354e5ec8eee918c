//! The incremental update that carries a signature.
//!
//! `lopdf` reads the original (trailer, catalog, first page); the update
//! itself is written here by hand because the signature needs what no PDF
//! writer crate offers: a `/Contents` placeholder and a `/ByteRange` whose
//! byte offsets are known, so that the digest can be computed over the final
//! bytes and the CMS written into the hole without moving anything. The
//! original bytes are kept as they are (a rewrite would break an earlier
//! signature and the PDF/A conformance of the renderer's output).

use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest, Sha256};

use crate::{cms_build, SignError, Signer};

/// What the signature dictionary says besides the signature itself.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// `/Name`: the signer as a person reads it.
    pub name: String,
    /// `/Reason`, e.g. "Chứng thực bản sao từ bản chính".
    pub reason: String,
    /// `/Location`, e.g. the agency's commune.
    pub location: String,
    /// `/M` and the CMS signing-time.
    pub time: jiff::Timestamp,
}

/// Room for the CMS beyond the certificates it embeds: signature (512 bytes
/// for RSA-4096), signed attributes and ASN.1 framing with a wide margin.
const CMS_OVERHEAD: usize = 4096;

/// Width of each number of the `/ByteRange` placeholder: enough for 9.3 GB.
const RANGE_DIGITS: usize = 10;

fn pdf_err(err: impl std::fmt::Display) -> SignError {
    SignError::Pdf(err.to_string())
}

/// Signs `pdf`: returns the original bytes followed by an incremental update
/// with a signature field and its detached CMS signature.
pub fn sign_pdf(
    pdf: &[u8],
    signer: &dyn Signer,
    options: &SignOptions,
) -> Result<Vec<u8>, SignError> {
    let doc = Document::load_mem(pdf).map_err(pdf_err)?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err(SignError::Pdf("encrypted PDFs are not signed".into()));
    }
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(pdf_err)?;
    let size = match doc.trailer.get(b"Size").and_then(Object::as_i64) {
        Ok(size) => u32::try_from(size).map_err(pdf_err)?,
        Err(_) => doc.max_id + 1,
    }
    .max(doc.max_id + 1);
    let prev = last_startxref(pdf)?;

    let mut catalog = doc.get_dictionary(root_id).map_err(pdf_err)?.clone();
    let page_id = *doc
        .get_pages()
        .get(&1)
        .ok_or_else(|| SignError::Pdf("the document has no page".into()))?;
    let mut page = doc.get_dictionary(page_id).map_err(pdf_err)?.clone();

    let sig_id: ObjectId = (size, 0);
    let field_id: ObjectId = (size + 1, 0);
    let new_size = size + 2;

    // Fields already there (an earlier signature) stay; ours is added.
    let mut acroform = match catalog.get(b"AcroForm") {
        Ok(object) => resolve(&doc, object)?.as_dict().map_err(pdf_err)?.clone(),
        Err(_) => Dictionary::new(),
    };
    let mut fields = match acroform.get(b"Fields") {
        Ok(object) => resolve(&doc, object)?.as_array().map_err(pdf_err)?.clone(),
        Err(_) => Vec::new(),
    };
    let field_name = format!("Signature{}", fields.len() + 1);
    fields.push(Object::Reference(field_id));
    acroform.set("Fields", Object::Array(fields));
    // SignaturesExist | AppendOnly: readers must not rewrite the file.
    acroform.set("SigFlags", Object::Integer(3));
    catalog.set("AcroForm", Object::Dictionary(acroform));

    let mut annots = match page.get(b"Annots") {
        Ok(object) => resolve(&doc, object)?.as_array().map_err(pdf_err)?.clone(),
        Err(_) => Vec::new(),
    };
    annots.push(Object::Reference(field_id));
    page.set("Annots", Object::Array(annots));

    // An invisible widget (zero rectangle): PDF/A asks no appearance stream
    // of it; /F 132 = Print | Locked, Print being required by PDF/A.
    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", Object::string_literal(field_name));
    field.set("V", Object::Reference(sig_id));
    field.set("F", Object::Integer(132));
    field.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    field.set("P", Object::Reference(page_id));

    let contents_len = 2
        * (signer
            .certificate_chain()
            .iter()
            .map(Vec::len)
            .sum::<usize>()
            + CMS_OVERHEAD);
    // Offsets in the output: `update` starts right after the original.
    let base = pdf.len();
    let mut update: Vec<u8> = Vec::with_capacity(contents_len + 4096);
    update.push(b'\n');
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();

    offsets.push((sig_id, base + update.len()));
    write!(
        update,
        "{} {} obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange ",
        sig_id.0, sig_id.1
    )
    .map_err(pdf_err)?;
    let range_at = update.len();
    let range_placeholder = format!(
        "[0 {} {} {}]",
        "0".repeat(RANGE_DIGITS),
        "0".repeat(RANGE_DIGITS),
        "0".repeat(RANGE_DIGITS)
    );
    update.extend_from_slice(range_placeholder.as_bytes());
    update.extend_from_slice(b" /Contents ");
    let contents_at = update.len();
    update.push(b'<');
    update.resize(update.len() + contents_len, b'0');
    update.push(b'>');
    write!(
        update,
        " /M ({}) /Name {} /Reason {} /Location {} >>\nendobj\n",
        pdf_date(options.time),
        text_string(&options.name),
        text_string(&options.reason),
        text_string(&options.location),
    )
    .map_err(pdf_err)?;

    for (id, dict) in [(field_id, field), (page_id, page), (root_id, catalog)] {
        offsets.push((id, base + update.len()));
        writeln!(update, "{} {} obj", id.0, id.1).map_err(pdf_err)?;
        write_object(&mut update, &Object::Dictionary(dict))?;
        update.extend_from_slice(b"\nendobj\n");
    }

    let xref_at = base + update.len();
    offsets.sort_by_key(|(id, _)| id.0);
    update.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    for (id, offset) in &offsets {
        write!(update, "{} 1\n{:010} {:05} n\r\n", id.0, offset, id.1).map_err(pdf_err)?;
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(new_size)));
    trailer.set("Root", Object::Reference(root_id));
    trailer.set(
        "Prev",
        Object::Integer(i64::try_from(prev).map_err(pdf_err)?),
    );
    for key in [b"Info".as_slice(), b"ID".as_slice()] {
        if let Ok(value) = doc.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    update.extend_from_slice(b"trailer\n");
    write_object(&mut update, &Object::Dictionary(trailer))?;
    write!(update, "\nstartxref\n{xref_at}\n%%EOF\n").map_err(pdf_err)?;

    let mut out = Vec::with_capacity(pdf.len() + update.len());
    out.extend_from_slice(pdf);
    out.extend_from_slice(&update);

    // Positions in `out`: `update` starts at pdf.len() (its leading newline).
    let hole_start = pdf.len() + contents_at;
    let hole_end = hole_start + contents_len + 2;
    let range = format!("[0 {} {} {}", hole_start, hole_end, out.len() - hole_end);
    if range.len() > range_placeholder.len() - 1 {
        return Err(SignError::Pdf("the document is too large to sign".into()));
    }
    let range = format!("{range:<width$}]", width = range_placeholder.len() - 1);
    let range_start = pdf.len() + range_at;
    out[range_start..range_start + range.len()].copy_from_slice(range.as_bytes());

    let mut hasher = Sha256::new();
    hasher.update(&out[..hole_start]);
    hasher.update(&out[hole_end..]);
    let digest: [u8; 32] = hasher.finalize().into();
    let cms = cms_build::signed_data(&digest, options.time, signer)?;
    if cms.len() * 2 > contents_len {
        return Err(SignError::Signing(format!(
            "the signature ({} bytes) does not fit the {} bytes reserved",
            cms.len(),
            contents_len / 2
        )));
    }
    let hex = hex_upper(&cms);
    out[hole_start + 1..hole_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// Serialises a direct object (lopdf keeps its writer private). Strings go
/// out as hex, which needs no escaping and means the same bytes.
fn write_object(out: &mut Vec<u8>, object: &Object) -> Result<(), SignError> {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(value) => out.extend_from_slice(if *value { b"true" } else { b"false" }),
        Object::Integer(value) => out.extend_from_slice(value.to_string().as_bytes()),
        Object::Real(value) => {
            if value.is_finite() {
                out.extend_from_slice(format!("{value}").as_bytes())
            } else {
                out.extend_from_slice(b"0")
            }
        }
        Object::Name(name) => {
            out.push(b'/');
            for &b in name {
                // PDF 32000 §7.3.5: anything but regular printable characters as #xx.
                if b.is_ascii_graphic() && !b"#()<>[]{}/%".contains(&b) {
                    out.push(b);
                } else {
                    out.extend_from_slice(format!("#{b:02X}").as_bytes());
                }
            }
        }
        Object::String(bytes, _) => {
            out.push(b'<');
            out.extend_from_slice(hex_upper(bytes).as_bytes());
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item)?;
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => {
            out.extend_from_slice(b"<<");
            for (key, value) in dict.iter() {
                write_object(out, &Object::Name(key.clone()))?;
                out.push(b' ');
                write_object(out, value)?;
                out.push(b' ');
            }
            out.extend_from_slice(b">>");
        }
        Object::Reference(id) => out.extend_from_slice(format!("{} {} R", id.0, id.1).as_bytes()),
        Object::Stream(_) => {
            return Err(SignError::Pdf(
                "a stream where a direct object was expected".into(),
            ))
        }
    }
    Ok(())
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Result<&'a Object, SignError> {
    doc.dereference(object)
        .map(|(_, object)| object)
        .map_err(pdf_err)
}

/// Offset of the last cross-reference section, from the last `startxref`.
fn last_startxref(pdf: &[u8]) -> Result<usize, SignError> {
    let tail_start = pdf.len().saturating_sub(1024);
    let tail = &pdf[tail_start..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(|| SignError::Pdf("no startxref".into()))?;
    let digits: String = tail[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits
        .parse()
        .map_err(|_| SignError::Pdf("bad startxref".into()))
}

/// A PDF date in Vietnam's time (UTC+07:00, no daylight saving).
fn pdf_date(time: jiff::Timestamp) -> String {
    let local = time.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    format!("D:{}+07'00'", local.strftime("%Y%m%d%H%M%S"))
}

/// A PDF text string as UTF-16BE with its byte-order mark, in hex: the one
/// form that carries Vietnamese letters and needs no escaping.
fn text_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        out.push_str(&format!("{unit:04X}"));
    }
    out.push('>');
    out
}

fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_are_utf16_hex() {
        assert_eq!(text_string("Đ"), "<FEFF0110>");
    }

    #[test]
    fn dates_are_in_vietnam_time() {
        let time: jiff::Timestamp = "2026-03-05T01:02:03Z".parse().expect("valid");
        assert_eq!(pdf_date(time), "D:20260305080203+07'00'");
    }

    #[test]
    fn startxref_is_found() {
        assert_eq!(
            last_startxref(b"%PDF\nstartxref\n123\n%%EOF\n").ok(),
            Some(123)
        );
        assert!(last_startxref(b"nothing").is_err());
    }
}
