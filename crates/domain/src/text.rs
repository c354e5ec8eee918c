//! Vietnamese text: normalisation for storage and folding for search.

pub mod encoding;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Text as stored: NFC, trimmed, inner runs of white space collapsed to one space.
/// Input typed with combining marks (NFD, common on macOS and some phones) and
/// input pasted from Word with non-breaking spaces end up identical.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
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
}
