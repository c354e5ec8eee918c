//! The font of each text cell of an .xls (BIFF8) workbook, which calamine reads
//! the values of but not the formats: an old register's names are often typed
//! with .VnTimeH, whose lowercase TCVN3 codes are drawn as capitals, and only
//! the cell's font tells them from lowercase .VnTime text (the bytes are the
//! same). Written by hand because no crate reads BIFF8 formats; it reads only
//! the few records it needs ([MS-XLS] 2.4): FONT and XF in the workbook's
//! globals, BOUNDSHEET8 for where each sheet starts, and in each sheet the
//! records of text cells (LABELSST, LABEL, RSTRING), whose first six bytes are
//! the row, the column and the cell's XF.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use motcua_domain::text::encoding::{encoding_of_font, Legacy};

const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const FONT: u16 = 0x0031;
const BOUNDSHEET8: u16 = 0x0085;
const XF: u16 = 0x00E0;
const RSTRING: u16 = 0x00D6;
const LABELSST: u16 = 0x00FD;
const LABEL: u16 = 0x0204;

/// A sheet's text cells in a legacy font: ((row, column), encoding).
pub(crate) type Hinted = Vec<((u32, u32), Legacy)>;

/// Each sheet's text cells in a legacy font, by sheet name. Empty when the file is not a BIFF8 workbook that can be read (an older
/// BIFF5 "Book", an encrypted one): its cells then go without hints, as before.
pub(crate) fn text_cell_fonts(bytes: &[u8]) -> HashMap<String, Hinted> {
    let Some(stream) = workbook_stream(bytes) else {
        return HashMap::new();
    };
    let mut fonts: Vec<Option<Legacy>> = Vec::new();
    let mut palette: Vec<Option<Legacy>> = Vec::new();
    let mut sheets: Vec<(String, usize)> = Vec::new();
    for (kind, data) in records(&stream, 0) {
        match kind {
            FILEPASS => return HashMap::new(),
            FONT => fonts.push(
                data.get(14..)
                    .and_then(short_string)
                    .and_then(|name| encoding_of_font(&name)),
            ),
            XF => {
                // Font 4 does not exist: indexes above it count from one less.
                let font = data
                    .get(..2)
                    .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])));
                let font = font.map(|i| if i >= 4 { i - 1 } else { i });
                palette.push(font.and_then(|i| fonts.get(i).copied().flatten()));
            }
            BOUNDSHEET8 => {
                if let (Some(at), Some(name)) =
                    (data.get(..4), data.get(6..).and_then(short_string))
                {
                    sheets.push((
                        name,
                        u32::from_le_bytes([at[0], at[1], at[2], at[3]]) as usize,
                    ));
                }
            }
            EOF => break,
            _ => {}
        }
    }
    if palette.iter().all(Option::is_none) {
        return HashMap::new();
    }
    sheets
        .into_iter()
        .map(|(name, start)| {
            let mut cells = Vec::new();
            for (kind, data) in records(&stream, start) {
                match kind {
                    LABELSST | LABEL | RSTRING => {
                        let Some(head) = data.get(..6) else { continue };
                        let word = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
                        if let Some(Some(hint)) = palette.get(usize::from(word(4))) {
                            cells.push(((u32::from(word(0)), u32::from(word(2))), *hint));
                        }
                    }
                    EOF => break,
                    _ => {}
                }
            }
            (name, cells)
        })
        .collect()
}

/// The bytes of the compound file's "Workbook" stream (BIFF8).
fn workbook_stream(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut stream = file.open_stream("/Workbook").ok()?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).ok()?;
    Some(out)
}

/// The records from byte `start` on: (type, data). Stops at the end of the
/// stream, or at a record that runs past it.
fn records(stream: &[u8], start: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = start;
    std::iter::from_fn(move || {
        let head = stream.get(at..at.checked_add(4)?)?;
        let kind = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, data))
    })
}

/// A ShortXLUnicodeString: a count of characters, a flag byte (bit 0: UTF-16
/// rather than one byte a character), the characters.
fn short_string(data: &[u8]) -> Option<String> {
    let (&count, rest) = data.split_first()?;
    let (&flags, chars) = rest.split_first()?;
    let count = usize::from(count);
    if flags & 1 == 1 {
        let units: Vec<u16> = chars
            .get(..count * 2)?
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(chars.get(..count)?.iter().map(|&b| char::from(b)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XLS: &[u8] = include_bytes!("../../../tests/fixtures/so-khai-sinh-2015-vntimeh.xls");

    #[test]
    fn reads_the_fonts_of_the_text_cells() {
        let fonts = text_cell_fonts(XLS);
        let cells = &fonts["2015"];
        assert!(
            cells.contains(&((3, 3), Legacy::Tcvn3Capitals)),
            "{cells:?}"
        );
        assert!(cells.contains(&((5, 3), Legacy::Tcvn3)), "{cells:?}");
        // The headers are in the default (Unicode) font.
        assert!(!cells.iter().any(|(at, _)| at.0 == 2), "{cells:?}");
    }

    #[test]
    fn a_damaged_file_gives_no_fonts_and_no_panic() {
        for cut in (0..XLS.len()).step_by(97) {
            let _ = text_cell_fonts(&XLS[..cut]);
        }
        let mut flipped = XLS.to_vec();
        for i in (512..flipped.len()).step_by(13) {
            flipped[i] ^= 0xFF;
        }
        let _ = text_cell_fonts(&flipped);
        assert!(text_cell_fonts(b"not a workbook").is_empty());
    }
}
