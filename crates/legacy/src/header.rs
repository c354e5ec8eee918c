//! Finding the header row and mapping Vietnamese column titles to the shared
//! field names (/work/wt/FIELDS.md, `Field::as_str` of the registers domain).

use std::collections::BTreeMap;

use motcua_domain::text::fold;

/// Caller's corrections to the automatic mapping: column title (compared
/// without case, marks or extra spaces) → field name. An empty field name
/// means "ignore this column" (it is then not reported as unmapped).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub columns: BTreeMap<String, String>,
}

impl Mapping {
    pub fn new() -> Mapping {
        Mapping::default()
    }

    /// Adds one correction (builder style).
    pub fn with(mut self, header: &str, field: &str) -> Mapping {
        self.columns.insert(header.to_string(), field.to_string());
        self
    }

    pub(crate) fn lookup(&self, key: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(h, _)| normalise(h) == key)
            .map(|(_, f)| f.as_str())
    }
}

/// The register a workbook holds, as far as column names go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Birth,
    Death,
    Marriage,
    /// Recognition, marital-status confirmation, guardianship…: the names that fit.
    Other,
}

impl Family {
    /// The family of a register kind: "birth", "death", "marriage", and any
    /// other kind ("recognition", "birth_reregistration"…) by the word it contains.
    pub fn of_kind(kind: &str) -> Option<Family> {
        let k = kind.trim().to_ascii_lowercase();
        if k.is_empty() {
            None
        } else if k.contains("birth") {
            Some(Family::Birth)
        } else if k.contains("death") {
            Some(Family::Death)
        } else if k.contains("marriage") && !k.contains("marital") {
            Some(Family::Marriage)
        } else {
            Some(Family::Other)
        }
    }
}

/// How a field's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    /// A date, or a year alone when only the year is known.
    Date,
    Year,
    PersonalId,
    /// The entry number: an integer when the cell holds one.
    Number,
}

/// The type of a field name.
pub fn field_type(field: &str) -> FieldType {
    match field {
        "number" => FieldType::Number,
        "registered_on" | "date_of_death" => FieldType::Date,
        f if f.ends_with("date_of_birth") => FieldType::Date,
        f if f.ends_with("birth_year") || f == "book_year" => FieldType::Year,
        f if f.ends_with("personal_id") => FieldType::PersonalId,
        _ => FieldType::Text,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Subject,
    Mother,
    Father,
    Husband,
    Wife,
    Declarant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Name,
    Sex,
    DateOfBirth,
    BirthYear,
    PlaceOfBirth,
    Ethnicity,
    Nationality,
    HomeTown,
    Residence,
    PersonalId,
    Book,
    Number,
    RegisteredOn,
    DateOfDeath,
    PlaceOfDeath,
    Cause,
    Relationship,
    Signer,
    Note,
}

/// Title phrases (folded), longest first within a root where one is a prefix of
/// another. A title matches a phrase when it equals it or starts with it and a space.
const ROOTS: &[(&str, Root)] = &[
    ("so dinh danh ca nhan", Root::PersonalId),
    ("so dinh danh", Root::PersonalId),
    ("dinh danh ca nhan", Root::PersonalId),
    ("so cmnd cccd", Root::PersonalId),
    ("so cccd cmnd", Root::PersonalId),
    ("cmnd cccd", Root::PersonalId),
    ("cccd cmnd", Root::PersonalId),
    ("so cccd", Root::PersonalId),
    ("so cmnd", Root::PersonalId),
    ("cccd", Root::PersonalId),
    ("cmnd", Root::PersonalId),
    ("so can cuoc", Root::PersonalId),
    ("can cuoc cong dan", Root::PersonalId),
    ("can cuoc", Root::PersonalId),
    ("chung minh nhan dan", Root::PersonalId),
    ("so giay to tuy than", Root::PersonalId),
    ("giay to tuy than", Root::PersonalId),
    ("quyen so", Root::Book),
    ("so quyen", Root::Book),
    ("quyen", Root::Book),
    ("so dang ky", Root::Number),
    ("so dk", Root::Number),
    ("so", Root::Number),
    ("ngay thang nam dang ky", Root::RegisteredOn),
    ("ngay dang ky", Root::RegisteredOn),
    ("ngay dk", Root::RegisteredOn),
    ("dang ky ngay", Root::RegisteredOn),
    ("ho va ten", Root::Name),
    ("ho ten", Root::Name),
    ("ten", Root::Name),
    ("ngay thang nam sinh", Root::DateOfBirth),
    ("ngay sinh", Root::DateOfBirth),
    ("sinh ngay", Root::DateOfBirth),
    ("nam sinh", Root::BirthYear),
    ("gioi tinh", Root::Sex),
    ("nam nu", Root::Sex),
    ("noi sinh", Root::PlaceOfBirth),
    ("dan toc", Root::Ethnicity),
    ("quoc tich", Root::Nationality),
    ("que quan", Root::HomeTown),
    ("noi cu tru", Root::Residence),
    ("noi thuong tru", Root::Residence),
    ("noi o", Root::Residence),
    ("cu tru", Root::Residence),
    ("thuong tru", Root::Residence),
    ("dia chi", Root::Residence),
    ("tru quan", Root::Residence),
    ("ngay thang nam chet", Root::DateOfDeath),
    ("ngay gio chet", Root::DateOfDeath),
    ("ngay chet", Root::DateOfDeath),
    ("ngay mat", Root::DateOfDeath),
    ("ngay tu", Root::DateOfDeath),
    ("chet ngay", Root::DateOfDeath),
    ("noi chet", Root::PlaceOfDeath),
    ("noi mat", Root::PlaceOfDeath),
    ("nguyen nhan", Root::Cause),
    ("quan he", Root::Relationship),
    ("nguoi ky", Root::Signer),
    ("ghi chu", Root::Note),
];

/// Phrases naming whose value a column holds, removed before the root is looked up.
const ROLES: &[(&str, Role)] = &[
    ("nguoi di khai", Role::Declarant),
    ("nguoi di dang ky", Role::Declarant),
    ("nguoi khai", Role::Declarant),
    ("nguoi yeu cau", Role::Declarant),
    ("nguoi duoc khai sinh", Role::Subject),
    ("nguoi chet", Role::Subject),
    ("nguoi da chet", Role::Subject),
    ("nguoi mat", Role::Subject),
    ("thong tin ve", Role::Subject),
    ("me", Role::Mother),
    ("cha", Role::Father),
    ("bo", Role::Father),
    ("chong", Role::Husband),
    ("vo", Role::Wife),
];

/// A column title as compared: folded (no case, no marks, đ → d), punctuation
/// and line breaks turned into single spaces, "của" dropped.
pub fn normalise(title: &str) -> String {
    let folded = fold(title);
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "cua")
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field a column title names for `family`, if any.
pub fn field_for(title: &str, family: Family) -> Option<&'static str> {
    field_for_normalised(&normalise(title), family)
}

pub(crate) fn field_for_normalised(key: &str, family: Family) -> Option<&'static str> {
    if key.is_empty() {
        return None;
    }
    let mut words = format!(" {key} ");
    let mut role = None;
    for (phrase, r) in ROLES {
        let needle = format!(" {phrase} ");
        if let Some(at) = words.find(&needle) {
            if role.is_none() || *r != Role::Subject {
                role = Some(*r);
            }
            words.replace_range(at..at + needle.len(), " ");
        }
    }
    let rest = words.trim();
    let role = role.unwrap_or(Role::Subject);
    let root = if rest.is_empty() && role == Role::Declarant {
        Root::Name
    } else {
        ROOTS
            .iter()
            .find(|(p, _)| rest == *p || (rest.starts_with(p) && rest[p.len()..].starts_with(' ')))
            .map(|(_, r)| *r)?
    };
    // "Số" alone is the entry number; "Số nhà", "Số thứ tự" are not.
    if root == Root::Number && rest != "so" && !rest.starts_with("so d") {
        return None;
    }
    resolve(family, role, root)
}

fn resolve(family: Family, role: Role, root: Root) -> Option<&'static str> {
    use Role::*;
    use Root::*;
    let common = match root {
        Book => Some("book"),
        Number => Some("number"),
        RegisteredOn => Some("registered_on"),
        Signer => Some("signer"),
        Note => Some("note"),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    if root == Relationship {
        return Some("declarant_relationship");
    }
    if role == Declarant {
        return (root == Name).then_some("declarant_name");
    }
    let parent = |prefix: &str| -> Option<&'static str> {
        Some(match (prefix, root) {
            ("mother", Name) => "mother_name",
            ("mother", DateOfBirth | BirthYear) => "mother_birth_year",
            ("mother", Ethnicity) => "mother_ethnicity",
            ("mother", Nationality) => "mother_nationality",
            ("mother", Residence) => "mother_residence",
            ("father", Name) => "father_name",
            ("father", DateOfBirth | BirthYear) => "father_birth_year",
            ("father", Ethnicity) => "father_ethnicity",
            ("father", Nationality) => "father_nationality",
            ("father", Residence) => "father_residence",
            _ => return None,
        })
    };
    let spouse = |prefix: &str| -> Option<&'static str> {
        Some(match (prefix, root) {
            ("husband", Name) => "husband_name",
            ("husband", DateOfBirth | BirthYear) => "husband_date_of_birth",
            ("husband", Ethnicity) => "husband_ethnicity",
            ("husband", Nationality) => "husband_nationality",
            ("husband", Residence) => "husband_residence",
            ("husband", PersonalId) => "husband_personal_id",
            ("wife", Name) => "wife_name",
            ("wife", DateOfBirth | BirthYear) => "wife_date_of_birth",
            ("wife", Ethnicity) => "wife_ethnicity",
            ("wife", Nationality) => "wife_nationality",
            ("wife", Residence) => "wife_residence",
            ("wife", PersonalId) => "wife_personal_id",
            _ => return None,
        })
    };
    match role {
        Mother => return parent("mother"),
        Father => return parent("father"),
        Husband => return spouse("husband"),
        Wife => return spouse("wife"),
        _ => {}
    }
    match (family, root) {
        (Family::Marriage, _) => None,
        (_, Name) => Some("full_name"),
        (_, Sex) => Some("sex"),
        (_, DateOfBirth | BirthYear) => Some("date_of_birth"),
        (_, Ethnicity) => Some("ethnicity"),
        (_, Nationality) => Some("nationality"),
        (_, PersonalId) => Some("personal_id"),
        (Family::Birth | Family::Other, PlaceOfBirth) => Some("place_of_birth"),
        (Family::Birth | Family::Other, HomeTown) => Some("home_town"),
        (Family::Death | Family::Other, Residence) => Some("residence"),
        (Family::Death, DateOfDeath) => Some("date_of_death"),
        (Family::Death, PlaceOfDeath) => Some("place_of_death"),
        (Family::Death, Cause) => Some("cause_of_death"),
        _ => None,
    }
}

/// A sheet name that names a year ("2014", "Năm 2015", "KS 2016") gives the
/// book year.
pub fn year_of_sheet(name: &str) -> Option<i16> {
    let folded = fold(name);
    folded
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| g.len() == 4)
        .filter_map(|g| g.parse::<i16>().ok())
        .find(|y| (1900..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_titles_map_with_or_without_marks() {
        let f = |t| field_for(t, Family::Birth);
        assert_eq!(f("Họ và tên"), Some("full_name"));
        assert_eq!(f("HO TEN"), Some("full_name"));
        assert_eq!(f("  họ  và\ntên "), Some("full_name"));
        assert_eq!(f("Ngày sinh"), Some("date_of_birth"));
        assert_eq!(f("Ngày, tháng, năm sinh"), Some("date_of_birth"));
        assert_eq!(f("Số"), Some("number"));
        assert_eq!(f("STT"), None);
        assert_eq!(f("Số thứ tự"), None);
        assert_eq!(f("Quyển số"), Some("book"));
        assert_eq!(f("Ngày đăng ký"), Some("registered_on"));
        assert_eq!(f("Họ tên mẹ"), Some("mother_name"));
        assert_eq!(f("Họ và tên của cha"), Some("father_name"));
        assert_eq!(f("Năm sinh mẹ"), Some("mother_birth_year"));
        assert_eq!(f("Dân tộc cha"), Some("father_ethnicity"));
        assert_eq!(f("Nơi cư trú của mẹ"), Some("mother_residence"));
        assert_eq!(f("Nơi sinh"), Some("place_of_birth"));
        assert_eq!(f("Giới tính"), Some("sex"));
        assert_eq!(f("Dân tộc"), Some("ethnicity"));
        assert_eq!(f("Quốc tịch"), Some("nationality"));
        assert_eq!(f("Quê quán"), Some("home_town"));
        assert_eq!(f("Số định danh cá nhân"), Some("personal_id"));
        assert_eq!(f("CCCD"), Some("personal_id"));
        assert_eq!(f("Số CMND/CCCD"), Some("personal_id"));
        assert_eq!(f("Người đi khai"), Some("declarant_name"));
        assert_eq!(f("Họ tên người đi khai"), Some("declarant_name"));
        assert_eq!(
            f("Quan hệ với người được khai sinh"),
            Some("declarant_relationship")
        );
        assert_eq!(f("Người ký"), Some("signer"));
        assert_eq!(f("Ghi chú"), Some("note"));
        assert_eq!(f("Ngày chết"), None);
    }

    #[test]
    fn death_and_marriage_titles_map() {
        let d = |t| field_for(t, Family::Death);
        assert_eq!(d("Họ tên người chết"), Some("full_name"));
        assert_eq!(d("Ngày chết"), Some("date_of_death"));
        assert_eq!(d("Ngày mất"), Some("date_of_death"));
        assert_eq!(d("Nơi chết"), Some("place_of_death"));
        assert_eq!(d("Nguyên nhân"), Some("cause_of_death"));
        assert_eq!(d("Nguyên nhân chết"), Some("cause_of_death"));
        assert_eq!(d("Nơi cư trú cuối cùng"), Some("residence"));
        let m = |t| field_for(t, Family::Marriage);
        assert_eq!(m("Họ tên chồng"), Some("husband_name"));
        assert_eq!(m("Họ tên vợ"), Some("wife_name"));
        assert_eq!(m("Ngày sinh chồng"), Some("husband_date_of_birth"));
        assert_eq!(m("Năm sinh của vợ"), Some("wife_date_of_birth"));
        assert_eq!(m("CCCD vợ"), Some("wife_personal_id"));
        assert_eq!(m("Dân tộc chồng"), Some("husband_ethnicity"));
        assert_eq!(m("Họ và tên"), None);
    }

    #[test]
    fn field_types() {
        assert_eq!(field_type("registered_on"), FieldType::Date);
        assert_eq!(field_type("wife_date_of_birth"), FieldType::Date);
        assert_eq!(field_type("mother_birth_year"), FieldType::Year);
        assert_eq!(field_type("husband_personal_id"), FieldType::PersonalId);
        assert_eq!(field_type("number"), FieldType::Number);
        assert_eq!(field_type("full_name"), FieldType::Text);
    }

    #[test]
    fn sheet_names_give_years() {
        assert_eq!(year_of_sheet("2014"), Some(2014));
        assert_eq!(year_of_sheet("Năm 2015"), Some(2015));
        assert_eq!(year_of_sheet("KS-2016"), Some(2016));
        assert_eq!(year_of_sheet("Sheet1"), None);
        assert_eq!(year_of_sheet("12345"), None);
    }
}
