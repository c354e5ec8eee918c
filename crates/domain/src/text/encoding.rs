//! Vietnamese text typed before Unicode: TCVN3 (ABC) and VNI, as found in old
//! spreadsheets (legal-facts §8), decoded to Unicode NFC.
//!
//! Both encodings were 8-bit fonts: the bytes stored are Windows-1252 characters
//! that the font draws as Vietnamese letters. In an .xlsx or a BIFF8 .xls they
//! reach us as the Unicode characters U+00A1–U+00FF, so the tables below map
//! characters, not bytes.
//!
//! - TCVN3: one character per letter ("NguyÔn V¨n §øc"). There are no capitals
//!   with tone marks; the "…H" fonts (.VnTimeH) draw the lower-case codes as
//!   capitals, so text in such a font is decoded and then upper-cased.
//! - VNI: a base letter followed by one mark character that carries both the
//!   shape (circumflex, breve) and the tone ("Nguyeãn Vaên Ñöùc"); ơ, ư, đ, the
//!   toned i and ỵ are single characters. Decoded longest match first.
//!
//! Without a font name the encoding is guessed: a string is left as it is unless
//! reading it as Unicode gives text that is not Vietnamese and a decoding gives
//! text that is more plausibly Vietnamese (see [`implausibility`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::nfc;

/// A legacy encoding, as named by a cell's font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Legacy {
    /// TCVN3 (ABC) in a normal font such as ".VnTime".
    Tcvn3,
    /// TCVN3 in a capitals font such as ".VnTimeH": every letter shows as a capital.
    Tcvn3Capitals,
    /// VNI in a font such as "VNI-Times".
    Vni,
}

/// The encoding a font name implies, `None` for a Unicode font (Times New Roman,
/// Arial, Calibri…). TCVN3 fonts start with ".Vn" (.VnTime, .VnArial, .VnTimeH,
/// .VnArialH…); VNI fonts with "VNI-" (VNI-Times, VNI-Helve…).
pub fn encoding_of_font(font: &str) -> Option<Legacy> {
    let font = font.trim();
    let lower = font.to_ascii_lowercase();
    if lower.starts_with(".vn") {
        // The capitals variants end in an upper-case H (".VnTimeH", ".VnArialH");
        // ".VnArial NarrowH" too.
        if font.ends_with('H') {
            Some(Legacy::Tcvn3Capitals)
        } else {
            Some(Legacy::Tcvn3)
        }
    } else if lower.starts_with("vni-") || lower.starts_with("vni ") {
        Some(Legacy::Vni)
    } else {
        None
    }
}

/// Vowel rows (lower case) by tone: none, sắc, huyền, hỏi, ngã, nặng.
pub(crate) const VOWELS: [[char; 6]; 12] = [
    ['a', 'á', 'à', 'ả', 'ã', 'ạ'],
    ['ă', 'ắ', 'ằ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ấ', 'ầ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'é', 'è', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ế', 'ề', 'ể', 'ễ', 'ệ'],
    ['i', 'í', 'ì', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ó', 'ò', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ố', 'ồ', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ớ', 'ờ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ú', 'ù', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ứ', 'ừ', 'ử', 'ữ', 'ự'],
    ['y', 'ý', 'ỳ', 'ỷ', 'ỹ', 'ỵ'],
];

/// TCVN3 codes of [`VOWELS`], same layout (the plain a e i o u y are ASCII).
const TCVN3_VOWELS: [[char; 6]; 12] = [
    ['a', '¸', 'µ', '¶', '·', '¹'],
    ['¨', '¾', '»', '¼', '½', 'Æ'],
    ['©', 'Ê', 'Ç', 'È', 'É', 'Ë'],
    ['e', 'Ð', 'Ì', 'Î', 'Ï', 'Ñ'],
    ['ª', 'Õ', 'Ò', 'Ó', 'Ô', 'Ö'],
    ['i', 'Ý', '×', 'Ø', 'Ü', 'Þ'],
    ['o', 'ã', 'ß', 'á', 'â', 'ä'],
    ['«', 'è', 'å', 'æ', 'ç', 'é'],
    ['¬', 'í', 'ê', 'ë', 'ì', 'î'],
    ['u', 'ó', 'ï', 'ñ', 'ò', 'ô'],
    ['\u{ad}', 'ø', 'õ', 'ö', '÷', 'ù'],
    ['y', 'ý', 'ú', 'û', 'ü', 'þ'],
];

/// TCVN3's only capitals: the seven letters without a tone mark that are not ASCII.
const TCVN3_CAPITALS: [(char, char); 7] = [
    ('¡', 'Ă'),
    ('¢', 'Â'),
    ('£', 'Ê'),
    ('¤', 'Ô'),
    ('¥', 'Ơ'),
    ('¦', 'Ư'),
    ('§', 'Đ'),
];
const TCVN3_D: char = '®';

/// VNI spellings of [`VOWELS`] in lower case; the capitals are the same strings
/// upper-cased ("aù" → "AÙ" = Á).
const VNI_VOWELS: [[&str; 6]; 12] = [
    ["a", "aù", "aø", "aû", "aõ", "aï"],
    ["aê", "aé", "aè", "aú", "aü", "aë"],
    ["aâ", "aá", "aà", "aå", "aã", "aä"],
    ["e", "eù", "eø", "eû", "eõ", "eï"],
    ["eâ", "eá", "eà", "eå", "eã", "eä"],
    ["i", "í", "ì", "æ", "ó", "ò"],
    ["o", "où", "oø", "oû", "oõ", "oï"],
    ["oâ", "oá", "oà", "oå", "oã", "oä"],
    ["ô", "ôù", "ôø", "ôû", "ôõ", "ôï"],
    ["u", "uù", "uø", "uû", "uõ", "uï"],
    ["ö", "öù", "öø", "öû", "öõ", "öï"],
    ["y", "yù", "yø", "yû", "yõ", "î"],
];
const VNI_D: &str = "ñ";

struct Tables {
    tcvn3: HashMap<char, char>,
    vni_single: HashMap<char, char>,
    vni_pair: HashMap<(char, char), char>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut tcvn3 = HashMap::new();
        let mut vni_single = HashMap::new();
        let mut vni_pair = HashMap::new();
        for (row, codes) in VOWELS.iter().zip(TCVN3_VOWELS.iter()) {
            for (&letter, &code) in row.iter().zip(codes.iter()) {
                if code != letter {
                    tcvn3.insert(code, letter);
                }
            }
        }
        tcvn3.insert(TCVN3_D, 'đ');
        for (code, letter) in TCVN3_CAPITALS {
            tcvn3.insert(code, letter);
        }
        let mut add_vni = |spelling: &str, letter: char| {
            let upper_letter = upper(letter);
            let chars: Vec<char> = spelling.chars().collect();
            match chars.as_slice() {
                [one] if *one != letter => {
                    vni_single.insert(*one, letter);
                    vni_single.insert(upper(*one), upper_letter);
                }
                [base, mark] => {
                    vni_pair.insert((*base, *mark), letter);
                    vni_pair.insert((upper(*base), upper(*mark)), upper_letter);
                    // A capital typed before a lower-case mark ("Aùnh") is still a
                    // capital; so is a lower-case base before a capital mark.
                    vni_pair.insert((upper(*base), *mark), upper_letter);
                }
                _ => {}
            }
        };
        for (row, spellings) in VOWELS.iter().zip(VNI_VOWELS.iter()) {
            for (&letter, &spelling) in row.iter().zip(spellings.iter()) {
                add_vni(spelling, letter);
            }
        }
        add_vni(VNI_D, 'đ');
        Tables {
            tcvn3,
            vni_single,
            vni_pair,
        }
    })
}

fn upper(c: char) -> char {
    c.to_uppercase().next().unwrap_or(c)
}

/// TCVN3 text to Unicode NFC. Characters outside the table pass through.
pub fn decode_tcvn3(input: &str, capitals: bool) -> String {
    let map = &tables().tcvn3;
    let decoded: String = input
        .chars()
        .map(|c| map.get(&c).copied().unwrap_or(c))
        .collect();
    if capitals {
        decoded.to_uppercase()
    } else {
        decoded
    }
}

/// VNI text to Unicode NFC, longest match first (a base letter and its mark
/// before a single character). Characters outside the table pass through.
pub fn decode_vni(input: &str) -> String {
    let t = tables();
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(&next) = chars.peek() {
            if let Some(&letter) = t.vni_pair.get(&(c, next)) {
                out.push(letter);
                chars.next();
                continue;
            }
        }
        out.push(t.vni_single.get(&c).copied().unwrap_or(c));
    }
    out
}

/// Decodes one cell's text to Unicode NFC.
///
/// `hint` is the encoding named by the cell's font ([`encoding_of_font`]):
/// - text holding a character that neither legacy encoding can produce (ă, ơ,
///   ư, đ, ạ…, or a combining mark) is Unicode, whatever the font says
///   (someone pasted Unicode into an old-font cell): only composed to NFC;
/// - text in a legacy font is decoded, unless the decoding is less plausible
///   Vietnamese than the text as it is;
/// - without a hint, the text is decoded only when a decoding is strictly more
///   plausible than the text as it is (see [`detect`]): a string that reads as
///   Vietnamese Unicode is never changed.
pub fn decode(input: &str, hint: Option<Legacy>) -> String {
    if input.is_ascii() {
        return input.to_string();
    }
    if input.chars().any(is_unicode_only) {
        return nfc(input).into_owned();
    }
    let own = implausibility(input);
    match hint {
        Some(enc) => {
            let decoded = decode_as(input, enc);
            if implausibility(&decoded) <= own {
                decoded
            } else {
                nfc(input).into_owned()
            }
        }
        None => match guess(input, own) {
            Some(enc) => decode_as(input, enc),
            None => nfc(input).into_owned(),
        },
    }
}

/// The encoding [`decode`] would pick for `input` without a hint, `None` when it
/// keeps the text as Unicode.
pub fn detect(input: &str) -> Option<Legacy> {
    if input.is_ascii() || input.chars().any(is_unicode_only) {
        return None;
    }
    guess(input, implausibility(input))
}

/// The most plausible decoding, if strictly more plausible than `own` (the
/// score of the text as it is). On a tie between the two encodings: TCVN3 when
/// the text holds a character of U+00A1–U+00BF, which VNI never uses and TCVN3
/// uses for its most frequent letters (ă â ê ô ơ ư đ and the toned a), VNI
/// otherwise ("Huyønh Taán Phaùt" is also TCVN3 for "Huyứnh Taỏn Phaựt").
fn guess(input: &str, own: u32) -> Option<Legacy> {
    if own == 0 {
        return None;
    }
    let order = if input.chars().any(|c| ('\u{a1}'..='\u{bf}').contains(&c)) {
        [Legacy::Tcvn3, Legacy::Vni]
    } else {
        [Legacy::Vni, Legacy::Tcvn3]
    };
    let mut best = (own, None);
    for enc in order {
        let score = implausibility(&decode_as(input, enc));
        if score < best.0 {
            best = (score, Some(enc));
        }
    }
    best.1
}

fn decode_as(input: &str, enc: Legacy) -> String {
    match enc {
        Legacy::Tcvn3 => decode_tcvn3(input, false),
        Legacy::Tcvn3Capitals => decode_tcvn3(input, true),
        Legacy::Vni => decode_vni(input),
    }
}

/// A character only Unicode text holds: a Vietnamese letter beyond Latin-1
/// (both legacy encodings stay within U+00A1–U+00FF) or a Vietnamese combining mark.
fn is_unicode_only(c: char) -> bool {
    matches!(
        c,
        'ă' | 'Ă' | 'đ' | 'Đ' | 'ĩ' | 'Ĩ' | 'ũ' | 'Ũ' | 'ơ' | 'Ơ' | 'ư' | 'Ư'
    ) || ('\u{1ea0}'..='\u{1ef9}').contains(&c)
        || matches!(
            c,
            '\u{300}'
                | '\u{301}'
                | '\u{302}'
                | '\u{303}'
                | '\u{306}'
                | '\u{309}'
                | '\u{31b}'
                | '\u{323}'
        )
}

/// Whether `c` (NFC) is a letter of the Vietnamese alphabet with a mark.
fn is_vietnamese_marked(c: char) -> bool {
    let lower = c.to_lowercase().next().unwrap_or(c);
    lower == 'đ' || VOWELS.iter().any(|row| row.contains(&lower))
}

fn has_tone(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    c.nfd()
        .any(|m| matches!(m, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'))
}

/// Vowel groups of a Vietnamese syllable, marks removed (ươ → uo, iê → ie…),
/// after "gi" and "qu" have been read as consonants.
const NUCLEI: [&str; 41] = [
    "a", "e", "i", "o", "u", "y", "ai", "ao", "au", "ay", "eo", "eu", "ia", "ie", "iu", "oa", "oe",
    "oi", "oo", "ua", "ue", "ui", "uo", "uu", "uy", "ya", "ye", "ieu", "yeu", "oai", "oay", "oao",
    "oeo", "uay", "uoi", "uou", "uya", "uye", "uyu", "uoa", "ueu",
];

/// How far `text` (read as Unicode) is from Vietnamese: 2 for each character of
/// U+00A1–U+00FF that is not a Vietnamese letter, 1 for each word with a capital
/// after a small letter, more than one tone mark, or a vowel group no
/// Vietnamese syllable has. 0 for ordinary Vietnamese (and for ASCII).
pub fn implausibility(text: &str) -> u32 {
    let mut score = 0;
    for c in text.chars() {
        if ('\u{a1}'..='\u{ff}').contains(&c) && !is_vietnamese_marked(c) {
            score += 2;
        }
    }
    for word in text
        .split(|c: char| !c.is_alphabetic() && !is_combining_mark(c))
        .filter(|w| !w.is_empty())
    {
        if word.is_ascii() {
            continue;
        }
        let word = nfc(word);
        let mut prev_lower = false;
        let mut case_break = false;
        let mut tones = 0;
        for c in word.chars() {
            if c.is_uppercase() && prev_lower {
                case_break = true;
            }
            prev_lower = c.is_lowercase();
            if has_tone(c) {
                tones += 1;
            }
        }
        if case_break || tones > 1 || !plausible_vowels(&word) {
            score += 1;
        }
    }
    score
}

fn plausible_vowels(word: &str) -> bool {
    let base: String = crate::text::fold(word);
    let mut s = base.as_str();
    // "gi" before a vowel and "qu" are consonants: "giường" has the vowels ươ.
    let gi =
        s.len() > 2 && s.starts_with("gi") && s[2..].starts_with(['a', 'e', 'i', 'o', 'u', 'y']);
    if gi || s.starts_with("qu") {
        s = &s[2..];
    }
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut groups = s.split(|c: char| !is_vowel(c)).filter(|g| !g.is_empty());
    match (groups.next(), groups.next()) {
        (None, _) => true,
        (Some(group), None) => NUCLEI.contains(&group),
        (Some(_), Some(_)) => false,
    }
}

/// Test and benchmark helper: encodes Unicode Vietnamese to TCVN3 (capitals
/// other than the seven TCVN3 has are written as lower-case codes, as they
/// would be typed in a ".VnTimeH" font). Characters without a code pass through.
pub fn encode_tcvn3(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.nfc() {
        if let Some(&(code, _)) = TCVN3_CAPITALS.iter().find(|(_, l)| *l == c) {
            out.push(code);
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        if lower == 'đ' {
            out.push(TCVN3_D);
            continue;
        }
        match position(lower) {
            Some((r, t)) if lower != c && TCVN3_VOWELS[r][t].is_ascii() => {
                out.push(upper(TCVN3_VOWELS[r][t]))
            }
            Some((r, t)) => out.push(TCVN3_VOWELS[r][t]),
            None => out.push(c),
        }
    }
    out
}

/// Test and benchmark helper: encodes Unicode Vietnamese to VNI.
pub fn encode_vni(input: &str) -> String {
    let mut out = String::with_capacity(input.len() * 2);
    for c in input.nfc() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let spelling = if lower == 'đ' {
            Some(VNI_D)
        } else {
            position(lower).map(|(r, t)| VNI_VOWELS[r][t])
        };
        match spelling {
            Some(s) if lower != c => out.push_str(&s.to_uppercase()),
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    out
}

fn position(lower: char) -> Option<(usize, usize)> {
    VOWELS
        .iter()
        .enumerate()
        .find_map(|(r, row)| row.iter().position(|&l| l == lower).map(|t| (r, t)))
}

/// The 134 precomposed Vietnamese letters (67 small, then their capitals).
pub fn precomposed_letters() -> Vec<char> {
    let mut small: Vec<char> = VOWELS
        .iter()
        .flatten()
        .copied()
        .filter(|c| !c.is_ascii())
        .collect();
    small.push('đ');
    let capitals: Vec<char> = small.iter().map(|&c| upper(c)).collect();
    small.extend(capitals);
    small
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_134_precomposed_letters() {
        let letters = precomposed_letters();
        assert_eq!(letters.len(), 134);
        let unique: std::collections::HashSet<char> = letters.iter().copied().collect();
        assert_eq!(unique.len(), 134);
        for c in letters {
            assert_eq!(
                c.to_string(),
                c.to_string().nfc().collect::<String>(),
                "{c}"
            );
        }
    }

    #[test]
    fn every_letter_round_trips_through_tcvn3() {
        for c in precomposed_letters() {
            let s = c.to_string();
            let encoded = encode_tcvn3(&s);
            assert!(encoded.chars().all(|e| e <= '\u{ff}'), "{c} → {encoded:?}");
            assert_eq!(encoded.chars().count(), 1, "{c}: one code per letter");
            if c.is_lowercase() || TCVN3_CAPITALS.iter().any(|(_, l)| *l == c) {
                assert_eq!(decode_tcvn3(&encoded, false), s, "{c}");
                assert_eq!(decode(&encoded, Some(Legacy::Tcvn3)), s, "{c}");
            } else {
                // Toned capitals exist only in the capitals fonts.
                assert_eq!(decode_tcvn3(&encoded, true), s, "{c}");
                assert_eq!(decode(&encoded, Some(Legacy::Tcvn3Capitals)), s, "{c}");
            }
        }
        // 67 small letters and 7 capitals, less ý whose TCVN3 code is U+00FD itself.
        assert_eq!(tables().tcvn3.len(), 67 + 7 - 1);
    }

    #[test]
    fn every_letter_round_trips_through_vni() {
        for c in precomposed_letters() {
            let s = c.to_string();
            let encoded = encode_vni(&s);
            assert!(encoded.chars().all(|e| e <= '\u{ff}'), "{c} → {encoded:?}");
            assert_eq!(decode_vni(&encoded), s, "{c} ← {encoded:?}");
            assert_eq!(decode(&encoded, Some(Legacy::Vni)), s, "{c}");
            // In a word, after a consonant, and before one.
            let word = format!("Th{c}n");
            assert_eq!(decode_vni(&encode_vni(&word)), word);
        }
    }

    #[test]
    fn the_legal_facts_examples_decode() {
        assert_eq!(decode_tcvn3("NguyÔn V¨n §øc", false), "Nguyễn Văn Đức");
        assert_eq!(decode_vni("Nguyeãn Vaên Ñöùc"), "Nguyễn Văn Đức");
        assert_eq!(decode("NguyÔn V¨n §øc", None), "Nguyễn Văn Đức");
        assert_eq!(decode("Nguyeãn Vaên Ñöùc", None), "Nguyễn Văn Đức");
        assert_eq!(detect("NguyÔn V¨n §øc"), Some(Legacy::Tcvn3));
        assert_eq!(detect("Nguyeãn Vaên Ñöùc"), Some(Legacy::Vni));
        assert_eq!(
            decode("nguyÔn v¨n ®øc", Some(Legacy::Tcvn3Capitals)),
            "NGUYỄN VĂN ĐỨC"
        );
    }

    #[test]
    fn vni_decodes_longest_match_first() {
        // ô alone is ơ, ô followed by ù is ớ, o followed by â is ô.
        assert_eq!(decode_vni("ô"), "ơ");
        assert_eq!(decode_vni("ôù"), "ớ");
        assert_eq!(decode_vni("oâ"), "ô");
        assert_eq!(decode_vni("Tröôøng"), "Trường");
        assert_eq!(decode_vni("AÙnh Aùnh"), "Ánh Ánh");
    }

    #[test]
    fn unicode_vietnamese_is_never_decoded() {
        for s in [
            "ă â ê ô ơ ư đ",
            "Ă Â Ê Ô Ơ Ư Đ",
            "Nguyễn Văn Đức",
            "Lê Hà",
            "Tô Hoài",
            "Hồ Thị Thủy",
            "Phạm Ngọc Ánh",
            "Cà Mau",
            "Ông bà",
            "Thò",
            "Đoàn Thị Huế",
        ] {
            assert_eq!(decode(s, None), s, "{s}");
            assert_eq!(detect(s), None, "{s}");
        }
        // Whatever the font says, text only Unicode can hold stays as it is.
        assert_eq!(decode("Trần Văn Ba", Some(Legacy::Tcvn3)), "Trần Văn Ba");
        assert_eq!(decode("Trần Văn Ba", Some(Legacy::Vni)), "Trần Văn Ba");
        // Every precomposed letter alone, and in a word.
        for c in precomposed_letters() {
            let s = c.to_string();
            assert_eq!(decode(&s, None), s);
            let word = format!("{c}n");
            assert_eq!(decode(&word, None), word.nfc().collect::<String>());
        }
    }

    #[test]
    fn combining_unicode_is_composed() {
        let nfd: String = "Nguyễn Văn Đức".nfd().collect();
        assert_ne!(nfd, "Nguyễn Văn Đức");
        assert_eq!(decode(&nfd, None), "Nguyễn Văn Đức");
        assert_eq!(decode(&nfd, Some(Legacy::Tcvn3)), "Nguyễn Văn Đức");
    }

    #[test]
    fn whole_names_are_detected() {
        for name in [
            "Nguyễn Thị Hồng Nhung",
            "Trần Quốc Tuấn",
            "Lê Thị Bích Ngọc",
            "Phạm Văn Đồng",
            "Hoàng Thị Thu Hường",
            "Đặng Thùy Trâm",
            "Võ Nguyên Giáp",
            "Bùi Xuân Phái",
            "Huỳnh Tấn Phát",
            "Dương Thị Xuân Quỳnh",
            "Xã Quỳnh Lưu, tỉnh Nghệ An",
            "Thành phố Hồ Chí Minh",
        ] {
            let t = encode_tcvn3(name);
            assert_eq!(decode(&t, None), name, "TCVN3 {t:?}");
            let v = encode_vni(name);
            assert_eq!(decode(&v, None), name, "VNI {v:?}");
        }
    }

    #[test]
    fn fonts_name_their_encoding() {
        assert_eq!(encoding_of_font(".VnTime"), Some(Legacy::Tcvn3));
        assert_eq!(encoding_of_font(".VnArial"), Some(Legacy::Tcvn3));
        assert_eq!(encoding_of_font(".VnTimeH"), Some(Legacy::Tcvn3Capitals));
        assert_eq!(encoding_of_font("VNI-Times"), Some(Legacy::Vni));
        assert_eq!(encoding_of_font("VNI-Helve"), Some(Legacy::Vni));
        assert_eq!(encoding_of_font("Times New Roman"), None);
        assert_eq!(encoding_of_font("Calibri"), None);
    }
}
