//! Vietnamese text: normalisation for storage and folding for search.

pub mod encoding;

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Text as stored: NFC, trimmed, inner runs of white space collapsed to one space.
/// Input typed with combining marks (NFD, common on macOS and some phones) and
/// input pasted from Word with non-breaking spaces end up identical.
pub fn clean(input: &str) -> String {
    collapse_spaces(&nfc(input))
}

/// `input` in NFC. Most text already is (all ASCII text is), and checking is
/// far cheaper than composing: composing again was the costly part of reading
/// a legacy register's hundreds of thousands of cells.
fn nfc(input: &str) -> Cow<'_, str> {
    if input.is_ascii() || is_nfc_quick(input.chars()) == IsNormalized::Yes {
        Cow::Borrowed(input)
    } else {
        Cow::Owned(input.nfc().collect())
    }
}

fn collapse_spaces(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for word in input.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Search key: lowercase, without tone or vowel marks, đ → d. "ĐĂNG KÝ KẾT HÔN",
/// "Đăng ký kết hôn" and "dang ky ket hon" all fold to "dang ky ket hon".
/// Done in Rust rather than by SQLite's `remove_diacritics`, which leaves đ alone.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            c if c.is_whitespace() => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The prefixes of a folded term (a whole name, a given name…) under which a
/// name search finds it: at the start of each word, its first character and its
/// first three (the whole word when shorter), each with the words before it
/// ("nguyen van duc" → n, ngu, nguyen v, nguyen van, nguyen van d, nguyen van duc).
/// A query is then an equality on one prefix ([`prefix_bucket`]) read in
/// Vietnamese order, rather than a range whose matches must all be sorted.
/// Migration 0015 computes the same prefixes in SQL for the entries it finds.
pub fn search_prefixes(term: &str, out: &mut Vec<String>) {
    let mut slices = Vec::new();
    search_prefix_slices(term, &mut slices);
    out.extend(slices.into_iter().map(str::to_owned));
}

/// [`search_prefixes`] as slices of `term`: a bulk import writes millions of
/// them and need not copy each one.
pub fn search_prefix_slices<'a>(term: &'a str, out: &mut Vec<&'a str>) {
    let mut start = 0;
    for word in term.split(' ') {
        if !word.is_empty() {
            for n in [1, 3] {
                let end = word.char_indices().nth(n).map_or(word.len(), |(i, _)| i);
                out.push(&term[..start + end]);
            }
        }
        start += word.len() + 1;
    }
}

/// The prefix a folded query is looked up under, and whether every term under it
/// starts with the query (when not, the search checks each candidate's terms).
/// The query's last word decides: 1 or 3 characters of it are a prefix of their
/// own; 2 characters use the 1-character prefix, more the 3-character one.
pub fn prefix_bucket(query: &str) -> (String, bool) {
    let start = query.rfind(' ').map_or(0, |i| i + 1);
    let word = &query[start..];
    let chars = word.chars().count();
    let take = match chars {
        0 | 1 => return (query.to_owned(), true),
        2 => 1,
        _ => 3,
    };
    let end = word.char_indices().nth(take).map_or(word.len(), |(i, _)| i);
    (query[..start + end].to_owned(), chars == take)
}

/// The Vietnamese alphabet in its order, after the word break and the digits.
const ALPHABET: &[char] = &[
    'a', 'ă', 'â', 'b', 'c', 'd', 'đ', 'e', 'ê', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'ô', 'ơ', 'p', 'q', 'r', 's', 't', 'u', 'ư', 'v', 'w', 'x', 'y', 'z',
];

/// A key whose byte order is Vietnamese alphabetical order (a ă â b c d đ e ê …):
/// letters first (ă, â, đ, ê, ô, ơ, ư are letters of their own), then the tones
/// (none, huyền, hỏi, ngã, sắc, nặng, as dictionaries order them), then case. The
/// key is plain lowercase ASCII, so that it sorts alike under SQLite's binary
/// collation and any PostgreSQL collation; input precomposed or combining gives the
/// same key. Punctuation is ignored; other letters sort after z.
pub fn collation_key(input: &str) -> String {
    // (symbol, tone, upper): symbol 1 is a word break, 2..=11 digits, then letters.
    let mut symbols: Vec<(usize, u8, bool)> = Vec::with_capacity(input.len());
    for c in input.nfd() {
        if is_combining_mark(c) {
            let Some(last) = symbols.last_mut() else {
                continue;
            };
            let letter = |ch: char| ALPHABET.iter().position(|&a| a == ch).map(|i| i + 12);
            let base = last
                .0
                .checked_sub(12)
                .and_then(|i| ALPHABET.get(i))
                .copied();
            match (c, base) {
                ('\u{306}', Some('a')) => last.0 = letter('ă').unwrap_or(last.0),
                ('\u{302}', Some('a')) => last.0 = letter('â').unwrap_or(last.0),
                ('\u{302}', Some('e')) => last.0 = letter('ê').unwrap_or(last.0),
                ('\u{302}', Some('o')) => last.0 = letter('ô').unwrap_or(last.0),
                ('\u{31b}', Some('o')) => last.0 = letter('ơ').unwrap_or(last.0),
                ('\u{31b}', Some('u')) => last.0 = letter('ư').unwrap_or(last.0),
                ('\u{300}', _) => last.1 = 1,
                ('\u{309}', _) => last.1 = 2,
                ('\u{303}', _) => last.1 = 3,
                ('\u{301}', _) => last.1 = 4,
                ('\u{323}', _) => last.1 = 5,
                _ => {}
            }
            continue;
        }
        if c.is_whitespace() {
            if symbols.last().is_some_and(|s| s.0 != 1) {
                symbols.push((1, 0, false));
            }
            continue;
        }
        let upper = c.is_uppercase();
        let lower = c.to_lowercase().next().unwrap_or(c);
        if let Some(d) = lower.to_digit(10) {
            symbols.push((2 + d as usize, 0, false));
        } else if let Some(i) = ALPHABET.iter().position(|&a| a == lower) {
            symbols.push((12 + i, 0, upper));
        } else if lower.is_alphanumeric() {
            symbols.push((12 + ALPHABET.len(), 0, upper));
        }
    }
    if symbols.last().is_some_and(|s| s.0 == 1) {
        symbols.pop();
    }
    let mut key = String::with_capacity(symbols.len() * 4 + 2);
    for &(s, _, _) in &symbols {
        key.push((b'a' + (s / 26) as u8) as char);
        key.push((b'a' + (s % 26) as u8) as char);
    }
    // The end of the letters sorts before any letter: "An" before "Anh".
    key.push_str("aa");
    for &(_, tone, _) in &symbols {
        key.push((b'a' + tone) as char);
    }
    for &(_, _, upper) in &symbols {
        key.push(if upper { 'b' } else { 'a' });
    }
    key
}

/// Whether `c` is a control character that text may not hold: U+0000–U+001F and
/// U+007F, except tab, line feed and carriage return in multi-line text. PostgreSQL
/// cannot store U+0000 at all, and none of them is something a person types: they
/// come from broken clients or from someone probing, and are refused rather than
/// silently dropped so that both engines answer alike.
pub fn is_forbidden_control(c: char, multiline: bool) -> bool {
    (c <= '\u{1f}' || c == '\u{7f}') && !(multiline && matches!(c, '\t' | '\n' | '\r'))
}

/// The first forbidden control character of `s` (see [`is_forbidden_control`]).
pub fn forbidden_control(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|&c| is_forbidden_control(c, multiline))
}

/// Counts characters as a person sees them (NFC code points), for length limits.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Money as Vietnamese documents write it: `2.000 đ`, `1.250.000 đ`.
pub fn money(amount: i64) -> String {
    let mut out = grouped(amount);
    out.push_str(" đ");
    out
}

/// A number with its thousands grouped by dots, as Vietnamese writes it: `10.000`.
pub fn grouped(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn search_prefixes_and_buckets_agree() {
        let mut keys = Vec::new();
        search_prefixes("nguyen van duc", &mut keys);
        assert_eq!(
            keys,
            [
                "n",
                "ngu",
                "nguyen v",
                "nguyen van",
                "nguyen van d",
                "nguyen van duc"
            ]
        );
        keys.clear();
        search_prefixes("an", &mut keys);
        assert_eq!(keys, ["a", "an"]);
        assert_eq!(
            prefix_bucket("nguyen van duc"),
            ("nguyen van duc".into(), true)
        );
        assert_eq!(
            prefix_bucket("nguyen van dung"),
            ("nguyen van dun".into(), false)
        );
        assert_eq!(prefix_bucket("nguyen v"), ("nguyen v".into(), true));
        assert_eq!(prefix_bucket("ng"), ("n".into(), false));
        assert_eq!(prefix_bucket("d"), ("d".into(), true));
        // Every prefix of a term is found under a bucket the term has.
        for term in ["nguyen van duc", "an thi binh", "le a", "tran thi ngoc anh"] {
            let mut keys = Vec::new();
            search_prefixes(term, &mut keys);
            for end in 1..=term.len() {
                let (bucket, _) = prefix_bucket(&term[..end]);
                if term[..end].ends_with(' ') {
                    continue;
                }
                assert!(keys.contains(&bucket), "{term} / {}", &term[..end]);
            }
        }
    }
    use super::*;

    #[test]
    fn money_groups_thousands_with_dots() {
        assert_eq!(money(0), "0 đ");
        assert_eq!(money(2000), "2.000 đ");
        assert_eq!(money(200_000), "200.000 đ");
        assert_eq!(money(1_250_000), "1.250.000 đ");
        assert_eq!(money(-8000), "-8.000 đ");
    }

    #[test]
    fn folding_ignores_case_marks_and_d_bar() {
        for input in [
            "Đăng ký kết hôn",
            "ĐĂNG KÝ KẾT HÔN",
            "dang ky ket hon",
            "  Đăng   ký\u{a0}kết hôn ",
            // Combining (NFD) input.
            "D\u{0306}a\u{0306}ng ky\u{0301} ke\u{0302}\u{0301}t ho\u{0302}n",
        ] {
            assert_eq!(fold(input), "dang ky ket hon", "{input:?}");
        }
    }

    #[test]
    fn control_characters_are_found_but_line_breaks_allowed_in_free_text() {
        assert_eq!(forbidden_control("a\u{0}b", true), Some('\u{0}'));
        assert_eq!(forbidden_control("a\u{7f}b", true), Some('\u{7f}'));
        assert_eq!(forbidden_control("a\u{1b}[31m", false), Some('\u{1b}'));
        assert_eq!(forbidden_control("dòng 1\r\ndòng 2\tcột", true), None);
        assert_eq!(forbidden_control("Nguyễn\tVăn", false), Some('\t'));
        assert_eq!(forbidden_control("Nguyễn Văn Đức", false), None);
    }

    #[test]
    fn cleaning_composes_and_collapses() {
        assert_eq!(
            clean(" Nguye\u{0302}\u{0303}n  Văn\tĐức "),
            "Nguyễn Văn Đức"
        );
        assert_eq!(char_len("Nguyễn"), 6);
    }
    #[test]
    fn collation_follows_the_vietnamese_alphabet() {
        let sorted = [
            "An", "Anh", "Ao", "Ăn", "Âu", "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Bình", "Cường",
            "Dũng", "Đào", "Đức", "Em", "Ê", "Giang", "Hà", "Ô", "Ơn", "Uyên", "Ưng", "Vân", "Yến",
        ];
        for w in sorted.windows(2) {
            assert!(
                collation_key(w[0]) < collation_key(w[1]),
                "{} should sort before {}",
                w[0],
                w[1]
            );
        }
        assert!(collation_key("Nguyễn Văn An") < collation_key("Nguyễn Văn Anh"));
        assert!(collation_key("Lê Văn Ân") < collation_key("Lê Văn Z"));
        assert!(collation_key("Lê Văn Z") < collation_key("Lê Vănh"));
        // Combining input, extra spaces: the same key.
        assert_eq!(
            collation_key("Nguye\u{0302}\u{0303}n  Đức"),
            collation_key("Nguyễn Đức")
        );
        assert!(collation_key("Đức").bytes().all(|b| b.is_ascii_lowercase()));
    }
}

/// An amount of money in Vietnamese words, as receipts and certification books
/// write it under the figures: "Năm nghìn đồng", "Hai trăm nghìn đồng",
/// "Một triệu không trăm linh năm nghìn đồng". Negative amounts read "Âm …".
pub fn money_in_words(amount: i64) -> String {
    let mut words = number_in_words(amount.unsigned_abs());
    if amount < 0 {
        words.insert_str(0, "âm ");
    }
    words.push_str(" đồng");
    capitalize_first(&words)
}

/// A whole number in Vietnamese words, lower case: 1.005.000 → "một triệu không
/// trăm linh năm nghìn". Numbers from a billion up read as "<n> tỷ" followed by
/// the rest, so 2.000.000.000.000 is "hai nghìn tỷ", as Vietnamese says it.
pub fn number_in_words(n: u64) -> String {
    if n == 0 {
        return "không".to_owned();
    }
    const BILLION: u64 = 1_000_000_000;
    let (billions, rest) = (n / BILLION, n % BILLION);
    let mut parts: Vec<String> = Vec::new();
    if billions > 0 {
        parts.push(format!("{} tỷ", number_in_words(billions)));
    }
    // Groups of three below a billion: millions, thousands, units.
    let groups = [
        (rest / 1_000_000, "triệu"),
        ((rest / 1_000) % 1_000, "nghìn"),
        (rest % 1_000, ""),
    ];
    for (value, unit) in groups {
        if value == 0 {
            continue;
        }
        // A group after a spoken one reads its hundreds even when zero:
        // "một triệu không trăm linh năm nghìn".
        let full = !parts.is_empty();
        let mut text = triple_in_words(value as u16, full);
        if !unit.is_empty() {
            text.push(' ');
            text.push_str(unit);
        }
        parts.push(text);
    }
    parts.join(" ")
}

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// 1–999 in words; `full` reads the hundreds even when they are zero.
fn triple_in_words(n: u16, full: bool) -> String {
    let (h, t, u) = (n / 100, (n / 10) % 10, n % 10);
    let mut out: Vec<&str> = Vec::new();
    if h > 0 || full {
        out.push(DIGITS[usize::from(h)]);
        out.push("trăm");
    }
    match t {
        0 => {
            if u > 0 && !out.is_empty() {
                out.push("linh");
            }
        }
        1 => out.push("mười"),
        _ => {
            out.push(DIGITS[usize::from(t)]);
            out.push("mươi");
        }
    }
    if u > 0 {
        out.push(match (t, u) {
            (2..=9, 1) => "mốt",
            (1..=9, 5) => "lăm",
            _ => DIGITS[usize::from(u)],
        });
    }
    out.join(" ")
}

fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod words_tests {
    use super::*;

    #[test]
    fn amounts_read_as_receipts_write_them() {
        let cases: &[(i64, &str)] = &[
            (0, "Không đồng"),
            (5_000, "Năm nghìn đồng"),
            (2_000, "Hai nghìn đồng"),
            (10_000, "Mười nghìn đồng"),
            (15_000, "Mười lăm nghìn đồng"),
            (21_000, "Hai mươi mốt nghìn đồng"),
            (25_000, "Hai mươi lăm nghìn đồng"),
            (30_000, "Ba mươi nghìn đồng"),
            (105_000, "Một trăm linh năm nghìn đồng"),
            (110_000, "Một trăm mười nghìn đồng"),
            (199_000, "Một trăm chín mươi chín nghìn đồng"),
            (200_000, "Hai trăm nghìn đồng"),
            (1_000_000, "Một triệu đồng"),
            (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
            (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
            (2_000_500, "Hai triệu năm trăm đồng"),
            (1_000_001, "Một triệu không trăm linh một đồng"),
            (11_111, "Mười một nghìn một trăm mười một đồng"),
            (1_000_000_000, "Một tỷ đồng"),
            (
                1_200_345_000,
                "Một tỷ hai trăm triệu ba trăm bốn mươi lăm nghìn đồng",
            ),
            (2_000_000_000_000, "Hai nghìn tỷ đồng"),
            (-5_000, "Âm năm nghìn đồng"),
        ];
        for (amount, words) in cases {
            assert_eq!(money_in_words(*amount), *words, "{amount}");
        }
        // The extremes do not panic.
        assert!(money_in_words(i64::MIN).starts_with("Âm "));
        assert!(money_in_words(i64::MAX).ends_with(" đồng"));
    }
}
