//! Validation failures that a person can read: each names the field and says, in
//! Vietnamese, what is wrong with it.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// The message for a control character in a field, naming it by its code point
/// (it has no visible shape to quote).
pub fn control_message(label: &str, c: char) -> String {
    let what = match c {
        '\t' => "dấu tab".to_owned(),
        '\n' | '\r' => "dấu xuống dòng".to_owned(),
        c => format!("ký tự điều khiển U+{:04X}", c as u32),
    };
    format!("{label} có {what}, không được phép; hãy gõ lại nội dung này.")
}

/// Collects every field error of a form so that the person fixes them all at once
/// instead of discovering them one submission at a time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the parsed value, or records the error and returns `None`.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks one text as typed: no control character (line breaks and tabs only
    /// where `multiline`) and at most `max_chars` characters. `label` names the field
    /// for a person, e.g. «Họ tên». Returns whether the text passed.
    pub fn check_text(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        max_chars: usize,
        multiline: bool,
    ) -> bool {
        if let Some(c) = crate::text::forbidden_control(value, multiline) {
            self.push(field, control_message(label, c));
            return false;
        }
        // Counted on the value as sent: the limit bounds the work, and a real
        // value is far below it with or without its surrounding spaces.
        if value.chars().nth(max_chars).is_some() && crate::text::char_len(value.trim()) > max_chars
        {
            self.push(field, format!("{label} dài quá {max_chars} ký tự."));
            return false;
        }
        true
    }

    /// [`Errors::check_text`] for a value that may be absent.
    pub fn check_opt_text(
        &mut self,
        field: &str,
        label: &str,
        value: Option<&str>,
        max_chars: usize,
        multiline: bool,
    ) -> bool {
        value.is_none_or(|v| self.check_text(field, label, v, max_chars, multiline))
    }

    /// Records an error when a list holds more than `max` items.
    pub fn check_count(&mut self, field: &str, label: &str, count: usize, max: usize) -> bool {
        if count > max {
            self.push(
                field,
                format!("{label}: tối đa {max} mục (đã gửi {count})."),
            );
            return false;
        }
        true
    }

    pub fn into_result(self) -> Result<(), Errors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for Errors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_checks_name_the_field_and_the_bound() {
        let mut e = Errors::new();
        assert!(e.check_text("note", "Ghi chú", "dòng 1\ndòng 2", 20, true));
        assert!(!e.check_text("a", "Họ tên", "An\u{0}", 100, false));
        assert!(!e.check_text("b", "Họ tên", "An\nBình", 100, false));
        assert!(!e.check_text("c", "Họ tên", &"A".repeat(101), 100, false));
        assert!(e.check_text("d", "Họ tên", &format!(" {} ", "A".repeat(100)), 100, false));
        assert!(!e.check_count("documents", "Giấy tờ", 101, 100));
        let messages: Vec<&str> = e.0.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Họ tên có ký tự điều khiển U+0000, không được phép; hãy gõ lại nội dung này.",
                "Họ tên có dấu xuống dòng, không được phép; hãy gõ lại nội dung này.",
                "Họ tên dài quá 100 ký tự.",
                "Giấy tờ: tối đa 100 mục (đã gửi 101).",
            ]
        );
    }
}
