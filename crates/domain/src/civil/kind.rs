//! The kinds of civil-status events a commune registers.
//!
//! A re-registration (đăng ký lại) is not a kind of its own: it is an entry of
//! the same kind, with the same fields, written in the same book as a new event of
//! that kind, carrying the `re_registration` flag. Keeping it a flag means one set
//! of fields, one book sequence and one search per kind, which is how the paper
//! registers hold it too (the entry says "đăng ký lại" in its notes column).

use serde::{Deserialize, Serialize};

use super::field::Field::{self, *};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Khai sinh.
    Birth,
    /// Khai tử.
    Death,
    /// Kết hôn.
    Marriage,
    /// Nhận cha, mẹ, con.
    Recognition,
    /// Xác nhận tình trạng hôn nhân.
    MaritalStatus,
    /// Giám hộ.
    Guardianship,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Birth,
        Kind::Death,
        Kind::Marriage,
        Kind::Recognition,
        Kind::MaritalStatus,
        Kind::Guardianship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Birth => "birth",
            Kind::Death => "death",
            Kind::Marriage => "marriage",
            Kind::Recognition => "recognition",
            Kind::MaritalStatus => "marital_status",
            Kind::Guardianship => "guardianship",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Kind::Birth => "Khai sinh",
            Kind::Death => "Khai tử",
            Kind::Marriage => "Kết hôn",
            Kind::Recognition => "Nhận cha, mẹ, con",
            Kind::MaritalStatus => "Xác nhận tình trạng hôn nhân",
            Kind::Guardianship => "Giám hộ",
        }
    }

    /// A worksheet's name for this kind's entries of a year ("Khai sinh 2014"):
    /// short enough for Excel's 31 characters, recognised again on import
    /// ([`Kind::of_sheet_name`]).
    pub fn sheet_label_vi(self) -> &'static str {
        match self {
            Kind::Birth => "Khai sinh",
            Kind::Death => "Khai tử",
            Kind::Marriage => "Kết hôn",
            Kind::Recognition => "Nhận cha mẹ con",
            Kind::MaritalStatus => "Xác nhận TTHN",
            Kind::Guardianship => "Giám hộ",
        }
    }

    /// The kind a worksheet's name starts with ("Khai tử 2015", "KET HON 2016",
    /// "Nhận cha, mẹ, con"), compared without case, marks or punctuation.
    pub fn of_sheet_name(name: &str) -> Option<Kind> {
        let words = |s: &str| -> String {
            crate::text::fold(s)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let name = format!("{} ", words(name));
        Kind::ALL.into_iter().find(|k| {
            [k.sheet_label_vi(), k.label_vi()]
                .iter()
                .any(|l| name.starts_with(&format!("{} ", words(l))))
        })
    }

    /// The kind named by its code ("birth") or its Vietnamese name ("Khai sinh").
    pub fn parse_label(s: &str) -> Option<Kind> {
        Kind::parse(s).or_else(|| {
            let f = crate::text::fold(s.trim());
            Kind::ALL
                .into_iter()
                .find(|k| crate::text::fold(k.label_vi()) == f)
        })
    }

    /// The book's title, as printed on its cover.
    pub fn book_title_vi(self) -> &'static str {
        match self {
            Kind::Birth => "Sổ đăng ký khai sinh",
            Kind::Death => "Sổ đăng ký khai tử",
            Kind::Marriage => "Sổ đăng ký kết hôn",
            Kind::Recognition => "Sổ đăng ký nhận cha, mẹ, con",
            Kind::MaritalStatus => "Sổ cấp giấy xác nhận tình trạng hôn nhân",
            Kind::Guardianship => "Sổ đăng ký giám hộ",
        }
    }

    /// Short code used in default book labels.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Birth => "KS",
            Kind::Death => "KT",
            Kind::Marriage => "KH",
            Kind::Recognition => "CMC",
            Kind::MaritalStatus => "XNHN",
            Kind::Guardianship => "GH",
        }
    }

    /// Fields an entry of this kind must have (besides book, number and date).
    pub fn required(self) -> &'static [Field] {
        match self {
            Kind::Birth => &[FullName, Sex, DateOfBirth],
            Kind::Death => &[FullName, DateOfDeath],
            Kind::Marriage => &[HusbandName, WifeName],
            Kind::Recognition => &[FullName, ParentName],
            Kind::MaritalStatus => &[FullName, MaritalStatus],
            Kind::Guardianship => &[WardName, GuardianName],
        }
    }

    /// Fields it may have besides the required ones.
    pub fn optional(self) -> &'static [Field] {
        match self {
            Kind::Birth => &[
                Signer,
                Note,
                PlaceOfBirth,
                Ethnicity,
                Nationality,
                HomeTown,
                PersonalId,
                MotherName,
                MotherBirthYear,
                MotherEthnicity,
                MotherNationality,
                MotherResidence,
                FatherName,
                FatherBirthYear,
                FatherEthnicity,
                FatherNationality,
                FatherResidence,
                DeclarantName,
                DeclarantRelationship,
            ],
            Kind::Death => &[
                Signer,
                Note,
                Sex,
                DateOfBirth,
                Ethnicity,
                Nationality,
                PersonalId,
                Residence,
                TimeOfDeath,
                PlaceOfDeath,
                CauseOfDeath,
                DeathNotice,
                DeclarantName,
                DeclarantRelationship,
            ],
            Kind::Marriage => &[
                Signer,
                Note,
                HusbandDateOfBirth,
                HusbandEthnicity,
                HusbandNationality,
                HusbandResidence,
                HusbandPersonalId,
                WifeDateOfBirth,
                WifeEthnicity,
                WifeNationality,
                WifeResidence,
                WifePersonalId,
            ],
            Kind::Recognition => &[
                Signer,
                Note,
                RecognisedAs,
                Sex,
                DateOfBirth,
                Ethnicity,
                Nationality,
                PersonalId,
                Residence,
                ParentDateOfBirth,
                ParentEthnicity,
                ParentNationality,
                ParentPersonalId,
                ParentResidence,
                DeclarantName,
                DeclarantRelationship,
            ],
            Kind::MaritalStatus => &[
                Signer,
                Note,
                Sex,
                DateOfBirth,
                Ethnicity,
                Nationality,
                PersonalId,
                Residence,
                ResidencePeriod,
                Purpose,
            ],
            Kind::Guardianship => &[
                Signer,
                Note,
                GuardianshipKind,
                WardSex,
                WardDateOfBirth,
                WardEthnicity,
                WardNationality,
                WardPersonalId,
                WardResidence,
                GuardianDateOfBirth,
                GuardianEthnicity,
                GuardianNationality,
                GuardianPersonalId,
                GuardianResidence,
                GuardianshipEndedOn,
            ],
        }
    }

    pub fn allows(self, f: Field) -> bool {
        self.required().contains(&f) || self.optional().contains(&f)
    }

    /// The person an entry is about, whose name it is found and sorted by.
    pub fn name_field(self) -> Field {
        match self {
            Kind::Marriage => HusbandName,
            Kind::Guardianship => WardName,
            _ => FullName,
        }
    }

    /// The other person an entry names (found by name too).
    pub fn other_name_field(self) -> Option<Field> {
        match self {
            Kind::Marriage => Some(WifeName),
            Kind::Guardianship => Some(GuardianName),
            Kind::Recognition => Some(ParentName),
            _ => None,
        }
    }

    /// The day the registered relation ended, for a register that records its
    /// end (chấm dứt giám hộ: Law on Civil Status 2014, art. 23): set by a
    /// termination note.
    pub fn ending_field(self) -> Option<Field> {
        match self {
            Kind::Guardianship => Some(GuardianshipEndedOn),
            _ => None,
        }
    }

    pub fn birth_field(self) -> Field {
        match self {
            Kind::Marriage => HusbandDateOfBirth,
            Kind::Guardianship => WardDateOfBirth,
            _ => DateOfBirth,
        }
    }

    pub fn personal_id_field(self) -> Field {
        match self {
            Kind::Marriage => HusbandPersonalId,
            Kind::Guardianship => GuardianPersonalId,
            _ => PersonalId,
        }
    }
}
