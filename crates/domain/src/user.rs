//! Users: who they are (username, full name) and what they do (roles).

use crate::text;
use crate::validation::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Username(String);

impl Username {
    /// Usernames are compared without case: `NguyenVanA` and `nguyenvana` are one.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = input.trim().to_ascii_lowercase();
        let ok = (3..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && name.starts_with(|c: char| c.is_ascii_alphanumeric());
        if !ok {
            return Err(FieldError::new(
                "username",
                "Tên đăng nhập dài 3–64 ký tự, chỉ gồm chữ không dấu, chữ số và các dấu . _ -, bắt đầu bằng chữ hoặc số.",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FullName(String);

impl FullName {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name = text::clean(input);
        let len = text::char_len(&name);
        if len < 2 {
            return Err(FieldError::new("full_name", "Vui lòng nhập họ và tên."));
        }
        if len > 100 {
            return Err(FieldError::new("full_name", "Họ và tên dài quá 100 ký tự."));
        }
        if name
            .chars()
            .any(|c| c.is_control() || "<>{}[]$#@\\/".contains(c))
        {
            return Err(FieldError::new(
                "full_name",
                "Họ và tên chỉ gồm chữ cái, dấu cách và dấu gạch nối.",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password. Only the length is ruled: long passphrases beat composition rules
/// (NIST SP 800-63B), and officers must be able to type it.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_LEN: usize = 8;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let len = input.chars().count();
        if len < Self::MIN_LEN {
            return Err(FieldError::new(
                "password",
                format!("Mật khẩu phải có ít nhất {} ký tự.", Self::MIN_LEN),
            ));
        }
        if len > 256 {
            return Err(FieldError::new("password", "Mật khẩu dài quá 256 ký tự."));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CounterOfficer,
    Specialist,
    Leader,
    Supervisor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::CounterOfficer,
        Role::Specialist,
        Role::Leader,
        Role::Supervisor,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::CounterOfficer => "counter_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::CounterOfficer => "Cán bộ tiếp nhận (một cửa)",
            Role::Specialist => "Chuyên viên xử lý",
            Role::Leader => "Lãnh đạo",
            Role::Supervisor => "Giám sát (cấp trên)",
            Role::Admin => "Quản trị",
        }
    }

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                FieldError::new(
                    "roles",
                    format!(
                        "Vai trò «{s}» không tồn tại. Các vai trò: counter_officer, specialist, leader, supervisor, admin."
                    ),
                )
            })
    }

    /// Parses a list and removes duplicates; at least one role is required.
    pub fn parse_list<'a>(
        items: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Role>, FieldError> {
        let mut roles = Vec::new();
        for item in items {
            if item.trim().is_empty() {
                continue;
            }
            roles.push(Role::parse(item)?);
        }
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(FieldError::new("roles", "Chọn ít nhất một vai trò."));
        }
        Ok(roles)
    }
}

/// A sector code (lĩnh vực), e.g. `ho-tich`. The sectors themselves are data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SectorCode(String);

impl SectorCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_ascii_lowercase();
        if s.is_empty()
            || s.len() > 64
            || !s
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(FieldError::new(
                "sectors",
                format!("Mã lĩnh vực «{}» không hợp lệ.", input.trim()),
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" TiepNhan.01 ").unwrap().as_str(),
            "tiepnhan.01"
        );
        for bad in ["ab", "_abc", "nguyễn", "a b c", &"x".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_parse_and_dedupe() {
        assert_eq!(
            Role::parse_list(["admin", "leader", "admin", ""]).unwrap(),
            vec![Role::Leader, Role::Admin]
        );
        assert!(Role::parse_list(["boss"]).is_err());
        assert!(Role::parse_list([""]).is_err());
    }

    #[test]
    fn full_names() {
        assert_eq!(
            FullName::parse("  nguyễn   thị  hồng ").unwrap().as_str(),
            "nguyễn thị hồng"
        );
        assert!(FullName::parse("<script>").is_err());
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("đủ-tám-ký").is_ok());
    }
}
