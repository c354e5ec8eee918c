//! Agencies (cơ quan, đơn vị): their national identifier codes, names and levels.

use crate::text;
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};

/// National identifier of an agency (mã định danh, QĐ 20/2020/QĐ-TTg), e.g.
/// `000.00.06.H56`. It prefixes every dossier code (`{code}-{yyMMdd}-{NNNN}`), so it
/// may not contain `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

impl AgencyCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let code = input.trim().to_ascii_uppercase();
        let bad = || {
            FieldError::new(
                "code",
                format!(
                    "Mã định danh cơ quan «{}» không hợp lệ: chỉ gồm chữ in hoa không dấu, chữ số và dấu chấm, dài 3–32 ký tự, ví dụ 000.00.06.H56.",
                    input.trim()
                ),
            )
        };
        if code.len() < 3 || code.len() > 32 {
            return Err(bad());
        }
        if !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '.')
        {
            return Err(bad());
        }
        if code.starts_with('.') || code.ends_with('.') || code.contains("..") {
            return Err(bad());
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgencyCode {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AgencyCode> for String {
    fn from(c: AgencyCode) -> Self {
        c.0
    }
}

impl std::fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Display name, e.g. "UBND phường Hồng Hà".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyName(String);

impl AgencyName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = text::clean(input);
        let len = text::char_len(&name);
        if len < 2 {
            return Err(FieldError::new("name", "Vui lòng nhập tên cơ quan."));
        }
        if len > 200 {
            return Err(FieldError::new("name", "Tên cơ quan dài quá 200 ký tự."));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A level of government. Levels are data (the table `agency_levels`): the two-level
/// government since 1 July 2025 uses `province` → `commune`, older trees also have
/// `district`. A level has a rank; a child's rank must be greater than its parent's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelCode(String);

impl LevelCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let code = input.trim().to_ascii_lowercase();
        if code.is_empty()
            || code.len() > 32
            || !code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            return Err(FieldError::new(
                "level",
                format!("Cấp hành chính «{}» không hợp lệ.", input.trim()),
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an agency of rank `child` may sit under one of rank `parent`.
pub fn level_fits_under(parent_rank: i64, child_rank: i64) -> bool {
    child_rank > parent_rank
}

/// Materialised path of an agency: the ids from the root down, each followed by `/`,
/// e.g. `/p1/d7/w3/`. A subtree is every path that starts with its root's path, which
/// is one indexed prefix scan on both engines.
pub fn child_path(parent_path: &str, child_id: &str) -> String {
    format!("{parent_path}{child_id}/")
}

pub fn root_path(id: &str) -> String {
    format!("/{id}/")
}

/// Is `path` the agency at `ancestor` or below it?
pub fn is_within(path: &str, ancestor: &str) -> bool {
    path.starts_with(ancestor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes() {
        assert_eq!(
            AgencyCode::parse(" 000.00.06.h56 ").unwrap().as_str(),
            "000.00.06.H56"
        );
        for bad in ["", "ab", "000-00", ".000", "000..1", "000.", "Phường 1"] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            AgencyName::parse("  UBND  phường   Hồng Hà ")
                .unwrap()
                .as_str(),
            "UBND phường Hồng Hà"
        );
        assert!(AgencyName::parse(" ").is_err());
    }

    #[test]
    fn subtree_by_path() {
        let p = root_path("p");
        let d = child_path(&p, "d");
        let w = child_path(&d, "w");
        assert!(is_within(&w, &p));
        assert!(is_within(&w, &w));
        assert!(!is_within(&p, &w));
        // "/p/d/" must not contain "/p/dx/".
        assert!(!is_within(&child_path(&p, "dx"), &d));
        assert!(level_fits_under(1, 3));
        assert!(!level_fits_under(3, 3));
    }
}
