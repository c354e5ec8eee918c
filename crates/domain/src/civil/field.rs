//! The fields of the registers, named as FIELDS.md names them (shared with the
//! legacy-import library), with the kind of value each holds.

use serde::{Deserialize, Serialize};

/// What a field holds, which decides how its input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A person's name: text, at most `limits::NAME_CHARS`.
    Name,
    /// Short text (ethnicity, nationality, signer…), at most `limits::SHORT_CHARS`
    /// unless it is a place (`limits::ADDRESS_CHARS`).
    Text(usize),
    /// A calendar date.
    Date,
    /// A year alone (the parents' years of birth).
    Year,
    /// Nam / Nữ.
    Sex,
    /// A personal identification number: digits held as text.
    PersonalId,
}

macro_rules! fields {
    ($($variant:ident = $name:literal, $label:literal, $ty:expr;)*) => {
        /// A field of an entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Field { $($variant),* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The snake_case name shared with the legacy import (FIELDS.md).
            pub fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            /// What the register form calls it.
            pub fn label_vi(self) -> &'static str {
                match self { $(Field::$variant => $label),* }
            }

            pub fn field_type(self) -> FieldType {
                match self { $(Field::$variant => $ty),* }
            }

            pub fn parse(s: &str) -> Option<Field> {
                match s { $($name => Some(Field::$variant),)* _ => None }
            }
        }
    };
}

use crate::limits::{ADDRESS_CHARS, FREE_TEXT_CHARS, NAME_CHARS, SHORT_CHARS};
use FieldType::*;

fields! {
    Signer = "signer", "Người ký", Name;
    Note = "note", "Ghi chú", Text(FREE_TEXT_CHARS);
    FullName = "full_name", "Họ, chữ đệm, tên", Name;
    Sex = "sex", "Giới tính", FieldType::Sex;
    DateOfBirth = "date_of_birth", "Ngày, tháng, năm sinh", Date;
    PlaceOfBirth = "place_of_birth", "Nơi sinh", Text(ADDRESS_CHARS);
    Ethnicity = "ethnicity", "Dân tộc", Text(SHORT_CHARS);
    Nationality = "nationality", "Quốc tịch", Text(SHORT_CHARS);
    HomeTown = "home_town", "Quê quán", Text(ADDRESS_CHARS);
    PersonalId = "personal_id", "Số định danh cá nhân", FieldType::PersonalId;
    Residence = "residence", "Nơi cư trú", Text(ADDRESS_CHARS);
    MotherName = "mother_name", "Họ, chữ đệm, tên người mẹ", Name;
    MotherBirthYear = "mother_birth_year", "Năm sinh của mẹ", Year;
    MotherEthnicity = "mother_ethnicity", "Dân tộc của mẹ", Text(SHORT_CHARS);
    MotherNationality = "mother_nationality", "Quốc tịch của mẹ", Text(SHORT_CHARS);
    MotherResidence = "mother_residence", "Nơi cư trú của mẹ", Text(ADDRESS_CHARS);
    FatherName = "father_name", "Họ, chữ đệm, tên người cha", Name;
    FatherBirthYear = "father_birth_year", "Năm sinh của cha", Year;
    FatherEthnicity = "father_ethnicity", "Dân tộc của cha", Text(SHORT_CHARS);
    FatherNationality = "father_nationality", "Quốc tịch của cha", Text(SHORT_CHARS);
    FatherResidence = "father_residence", "Nơi cư trú của cha", Text(ADDRESS_CHARS);
    DeclarantName = "declarant_name", "Người đi đăng ký", Name;
    DeclarantRelationship = "declarant_relationship", "Quan hệ với người được đăng ký", Text(SHORT_CHARS);
    DateOfDeath = "date_of_death", "Ngày chết", Date;
    PlaceOfDeath = "place_of_death", "Nơi chết", Text(ADDRESS_CHARS);
    CauseOfDeath = "cause_of_death", "Nguyên nhân chết", Text(ADDRESS_CHARS);
    TimeOfDeath = "time_of_death", "Giờ, phút chết", Text(SHORT_CHARS);
    DeathNotice = "death_notice", "Giấy báo tử hoặc giấy tờ thay thế (số, ngày, nơi cấp)", Text(ADDRESS_CHARS);
    HusbandName = "husband_name", "Họ, chữ đệm, tên người chồng", Name;
    HusbandDateOfBirth = "husband_date_of_birth", "Ngày sinh của chồng", Date;
    HusbandEthnicity = "husband_ethnicity", "Dân tộc của chồng", Text(SHORT_CHARS);
    HusbandNationality = "husband_nationality", "Quốc tịch của chồng", Text(SHORT_CHARS);
    HusbandResidence = "husband_residence", "Nơi cư trú của chồng", Text(ADDRESS_CHARS);
    HusbandPersonalId = "husband_personal_id", "Số định danh của chồng", FieldType::PersonalId;
    WifeName = "wife_name", "Họ, chữ đệm, tên người vợ", Name;
    WifeDateOfBirth = "wife_date_of_birth", "Ngày sinh của vợ", Date;
    WifeEthnicity = "wife_ethnicity", "Dân tộc của vợ", Text(SHORT_CHARS);
    WifeNationality = "wife_nationality", "Quốc tịch của vợ", Text(SHORT_CHARS);
    WifeResidence = "wife_residence", "Nơi cư trú của vợ", Text(ADDRESS_CHARS);
    WifePersonalId = "wife_personal_id", "Số định danh của vợ", FieldType::PersonalId;
    ParentName = "parent_name", "Họ, chữ đệm, tên người nhận hoặc được nhận là cha, mẹ", Name;
    ParentDateOfBirth = "parent_date_of_birth", "Ngày sinh của người cha, mẹ", Date;
    ParentPersonalId = "parent_personal_id", "Số định danh của người cha, mẹ", FieldType::PersonalId;
    ParentResidence = "parent_residence", "Nơi cư trú của người cha, mẹ", Text(ADDRESS_CHARS);
    ParentEthnicity = "parent_ethnicity", "Dân tộc của người cha, mẹ", Text(SHORT_CHARS);
    ParentNationality = "parent_nationality", "Quốc tịch của người cha, mẹ", Text(SHORT_CHARS);
    RecognisedAs = "recognised_as", "Quan hệ được nhận (cha, mẹ hoặc con)", Text(SHORT_CHARS);
    MaritalStatus = "marital_status", "Tình trạng hôn nhân", Text(ADDRESS_CHARS);
    Purpose = "purpose", "Mục đích sử dụng", Text(ADDRESS_CHARS);
    ResidencePeriod = "residence_period", "Thời gian cư trú được xác nhận", Text(SHORT_CHARS);
    WardName = "ward_name", "Họ, chữ đệm, tên người được giám hộ", Name;
    WardDateOfBirth = "ward_date_of_birth", "Ngày sinh của người được giám hộ", Date;
    WardResidence = "ward_residence", "Nơi cư trú của người được giám hộ", Text(ADDRESS_CHARS);
    WardSex = "ward_sex", "Giới tính của người được giám hộ", FieldType::Sex;
    WardEthnicity = "ward_ethnicity", "Dân tộc của người được giám hộ", Text(SHORT_CHARS);
    WardNationality = "ward_nationality", "Quốc tịch của người được giám hộ", Text(SHORT_CHARS);
    WardPersonalId = "ward_personal_id", "Số định danh của người được giám hộ", FieldType::PersonalId;
    GuardianName = "guardian_name", "Họ, chữ đệm, tên người giám hộ", Name;
    GuardianDateOfBirth = "guardian_date_of_birth", "Ngày sinh của người giám hộ", Date;
    GuardianPersonalId = "guardian_personal_id", "Số định danh của người giám hộ", FieldType::PersonalId;
    GuardianResidence = "guardian_residence", "Nơi cư trú của người giám hộ", Text(ADDRESS_CHARS);
    GuardianEthnicity = "guardian_ethnicity", "Dân tộc của người giám hộ", Text(SHORT_CHARS);
    GuardianNationality = "guardian_nationality", "Quốc tịch của người giám hộ", Text(SHORT_CHARS);
    GuardianshipKind = "guardianship_kind", "Loại giám hộ (cử hoặc đương nhiên)", Text(SHORT_CHARS);
    GuardianshipEndedOn = "guardianship_ended_on", "Ngày chấm dứt giám hộ", Date;
}

impl FieldType {
    /// The most characters a text of this type may hold.
    pub fn max_chars(self) -> usize {
        match self {
            Name => NAME_CHARS,
            Text(n) => n,
            _ => SHORT_CHARS,
        }
    }
}

impl Field {
    /// By name ("mother_name") or by label ("Họ, chữ đệm, tên người mẹ"), the
    /// label compared without case or marks.
    pub fn parse_label(s: &str) -> Option<Field> {
        Field::parse(s.trim()).or_else(|| {
            let f = crate::text::fold(s.trim());
            Field::ALL
                .iter()
                .copied()
                .find(|x| crate::text::fold(x.label_vi()) == f)
        })
    }
}
