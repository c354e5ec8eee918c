//! The personal identification number (số định danh cá nhân): 12 digits printed on
//! the citizen identity card (căn cước) and used as the person's key in the national
//! population database (NĐ 137/2015/NĐ-CP, Luật Căn cước 2023).
//!
//! Layout: digits 1–3 are the province where the birth was registered, digit 4 the
//! century of birth and the sex, digits 5–6 the last two digits of the birth year,
//! digits 7–12 a random number. Only the structure can be checked; no check digit
//! exists, so a well-formed number is not proof that it was issued.
//!
//! The prefix is the province of *birth registration* under the list in force when
//! the number was issued: numbers issued before the 2025 merger of provinces keep
//! their prefix, so the current province must never be derived from it.
//!
//! No clock is read: a birth year in the future is not refused here.

use crate::validation::FieldError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Number of digits of a personal identification number.
pub const LEN: usize = 12;

/// Province codes of the first three digits and the province each names
/// (legal-facts §5). Sorted by code.
const PROVINCES: [(&str, &str); 63] = [
    ("001", "Hà Nội"),
    ("002", "Hà Giang"),
    ("004", "Cao Bằng"),
    ("006", "Bắc Kạn"),
    ("008", "Tuyên Quang"),
    ("010", "Lào Cai"),
    ("011", "Điện Biên"),
    ("012", "Lai Châu"),
    ("014", "Sơn La"),
    ("015", "Yên Bái"),
    ("017", "Hòa Bình"),
    ("019", "Thái Nguyên"),
    ("020", "Lạng Sơn"),
    ("022", "Quảng Ninh"),
    ("024", "Bắc Giang"),
    ("025", "Phú Thọ"),
    ("026", "Vĩnh Phúc"),
    ("027", "Bắc Ninh"),
    ("030", "Hải Dương"),
    ("031", "Hải Phòng"),
    ("033", "Hưng Yên"),
    ("034", "Thái Bình"),
    ("035", "Hà Nam"),
    ("036", "Nam Định"),
    ("037", "Ninh Bình"),
    ("038", "Thanh Hóa"),
    ("040", "Nghệ An"),
    ("042", "Hà Tĩnh"),
    ("044", "Quảng Bình"),
    ("045", "Quảng Trị"),
    ("046", "Thừa Thiên Huế"),
    ("048", "Đà Nẵng"),
    ("049", "Quảng Nam"),
    ("051", "Quảng Ngãi"),
    ("052", "Bình Định"),
    ("054", "Phú Yên"),
    ("056", "Khánh Hòa"),
    ("058", "Ninh Thuận"),
    ("060", "Bình Thuận"),
    ("062", "Kon Tum"),
    ("064", "Gia Lai"),
    ("066", "Đắk Lắk"),
    ("067", "Đắk Nông"),
    ("068", "Lâm Đồng"),
    ("070", "Bình Phước"),
    ("072", "Tây Ninh"),
    ("074", "Bình Dương"),
    ("075", "Đồng Nai"),
    ("077", "Bà Rịa–Vũng Tàu"),
    ("079", "TP Hồ Chí Minh"),
    ("080", "Long An"),
    ("082", "Tiền Giang"),
    ("083", "Bến Tre"),
    ("084", "Trà Vinh"),
    ("086", "Vĩnh Long"),
    ("087", "Đồng Tháp"),
    ("089", "An Giang"),
    ("091", "Kiên Giang"),
    ("092", "Cần Thơ"),
    ("093", "Hậu Giang"),
    ("094", "Sóc Trăng"),
    ("095", "Bạc Liêu"),
    ("096", "Cà Mau"),
];

/// The province of birth registration named by a three-digit code, if it is one.
fn province(code: &str) -> Option<&'static str> {
    PROVINCES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| PROVINCES[i].1)
}

/// Sex as recorded in the population database and encoded in digit 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label_vi(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }

    /// Accepts `male`, `female`, `nam`, `nữ` and `nu`, in any case, with the
    /// diacritic typed precomposed or combining.
    pub fn parse(s: &str) -> Option<Sex> {
        let s: String = s.trim().nfc().collect::<String>().to_lowercase();
        match s.as_str() {
            "male" | "nam" => Some(Sex::Male),
            "female" | "nữ" | "nu" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A 12-digit personal identification number (số định danh cá nhân).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PersonalId(String);

impl PersonalId {
    /// Checks the number alone: after trimming white space at both ends, exactly
    /// 12 ASCII digits (no inner spaces, dots or full-width digits) whose first
    /// three are a known province code. Every digit 0–9 is a valid century/sex
    /// digit, so digit 4 cannot be wrong on its own.
    pub fn parse(input: &str) -> Result<PersonalId, PersonalIdError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(PersonalIdError::Empty);
        }
        if let Some(c) = s.chars().find(|c| !c.is_ascii_digit()) {
            return Err(PersonalIdError::NotDigits(c));
        }
        // Only ASCII digits remain, so bytes are characters.
        if s.len() != LEN {
            return Err(PersonalIdError::WrongLength(s.len()));
        }
        if province(&s[..3]).is_none() {
            return Err(PersonalIdError::UnknownProvince(s[..3].to_string()));
        }
        Ok(PersonalId(s.to_string()))
    }

    /// Like [`PersonalId::parse`], and also checks the number against what the
    /// applicant declared, when declared: the birth year encoded by digits 4–6
    /// must be the year of `date_of_birth`, and the sex encoded by digit 4 must be
    /// `sex`. When both disagree, the year is reported.
    pub fn parse_for(
        input: &str,
        date_of_birth: Option<Date>,
        sex: Option<Sex>,
    ) -> Result<PersonalId, PersonalIdError> {
        let id = Self::parse(input)?;
        if let Some(declared) = date_of_birth {
            if id.birth_year() != i32::from(declared.year()) {
                return Err(PersonalIdError::YearMismatch {
                    id_year: id.birth_year(),
                    declared,
                });
            }
        }
        if let Some(declared) = sex {
            if id.sex() != declared {
                return Err(PersonalIdError::SexMismatch {
                    id_sex: id.sex(),
                    declared,
                });
            }
        }
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1–3: the province where the birth was registered (not necessarily
    /// the current one).
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    /// Name of the province of birth registration, as it was called when the
    /// number was issued.
    pub fn province_name(&self) -> &'static str {
        province(self.province_code()).expect("province code checked by parse")
    }

    fn century_digit(&self) -> u8 {
        self.0.as_bytes()[3] - b'0'
    }

    /// Digit 4: even is male, odd is female.
    pub fn sex(&self) -> Sex {
        if self.century_digit().is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Digits 4–6: 0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s, 6/7 → 2200s,
    /// 8/9 → 2300s; digits 5–6 are the year within the century.
    pub fn birth_year(&self) -> i32 {
        let century = 1900 + i32::from(self.century_digit() / 2) * 100;
        let b = self.0.as_bytes();
        century + i32::from(b[4] - b'0') * 10 + i32::from(b[5] - b'0')
    }

    /// The last four digits, for showing a masked number (`********1234`).
    pub fn last_four(&self) -> &str {
        &self.0[LEN - 4..]
    }
}

impl std::fmt::Display for PersonalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a personal identification number is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalIdError {
    #[error("the personal identification number is empty")]
    Empty,
    /// The first character (after trimming) that is not an ASCII digit.
    #[error("the personal identification number contains {0:?}, which is not a digit 0-9")]
    NotDigits(char),
    /// The number of digits entered.
    #[error("the personal identification number has {0} digits instead of 12")]
    WrongLength(usize),
    /// The first three digits, which are not a province code.
    #[error("{0:?} is not a province code")]
    UnknownProvince(String),
    #[error(
        "the number encodes birth year {id_year} but the declared date of birth is {declared}"
    )]
    YearMismatch { id_year: i32, declared: Date },
    #[error("the number encodes sex {id_sex:?} but the declared sex is {declared:?}")]
    SexMismatch { id_sex: Sex, declared: Sex },
}

impl PersonalIdError {
    /// The message to show a Vietnamese user: what is wrong, in terms of the digits.
    pub fn message_vi(&self) -> String {
        match self {
            PersonalIdError::Empty => "Vui lòng nhập số định danh cá nhân (12 chữ số).".to_string(),
            PersonalIdError::NotDigits(c) if c.is_whitespace() => {
                "Số định danh cá nhân gồm 12 chữ số viết liền, không có dấu cách ở giữa."
                    .to_string()
            }
            PersonalIdError::NotDigits(c) if c.is_numeric() => format!(
                "Ký tự «{c}» không phải chữ số thường 0–9; hãy gõ lại số định danh cá nhân bằng bàn phím số thông thường."
            ),
            PersonalIdError::NotDigits(c) if c.is_ascii_punctuation() => format!(
                "Số định danh cá nhân gồm 12 chữ số viết liền, không có dấu «{c}»."
            ),
            PersonalIdError::NotDigits(c) => format!(
                "Số định danh cá nhân chỉ gồm chữ số; ký tự «{c}» không phải chữ số."
            ),
            PersonalIdError::WrongLength(9) => "Số định danh cá nhân phải gồm đúng 12 chữ số; số đã nhập có 9 chữ số (số chứng minh nhân dân 9 số không dùng thay được).".to_string(),
            PersonalIdError::WrongLength(n) => format!(
                "Số định danh cá nhân phải gồm đúng 12 chữ số; số đã nhập có {n} chữ số."
            ),
            PersonalIdError::UnknownProvince(code) => format!(
                "Ba chữ số đầu «{code}» không phải mã tỉnh, thành phố nơi đăng ký khai sinh."
            ),
            PersonalIdError::YearMismatch { id_year, declared } => format!(
                "Chữ số thứ tư, thứ năm và thứ sáu cho biết năm sinh {id_year}, nhưng ngày sinh đã khai là {:02}/{:02}/{:04}.",
                declared.day(),
                declared.month(),
                declared.year()
            ),
            PersonalIdError::SexMismatch { id_sex, declared } => format!(
                "Chữ số thứ tư cho biết giới tính {}, nhưng giới tính đã khai là {}.",
                id_sex.label_vi(),
                declared.label_vi()
            ),
        }
    }

    /// The error as shown next to the form field `field`.
    pub fn field_error(&self, field: &str) -> FieldError {
        FieldError::new(field, self.message_vi())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn province_table_is_sorted_and_complete() {
        assert!(PROVINCES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(PROVINCES
            .iter()
            .all(|(c, _)| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit())));
        assert_eq!(PROVINCES.first().unwrap().0, "001");
        assert_eq!(PROVINCES.last().unwrap().0, "096");
    }

    #[test]
    fn valid_numbers() {
        // (input, stored, province code, province, sex, birth year, last four)
        let cases = [
            (
                "001087012345",
                "001087012345",
                "001",
                "Hà Nội",
                Sex::Male,
                1987,
                "2345",
            ),
            (
                "079303001234",
                "079303001234",
                "079",
                "TP Hồ Chí Minh",
                Sex::Female,
                2003,
                "1234",
            ),
            (
                "079203001234",
                "079203001234",
                "079",
                "TP Hồ Chí Minh",
                Sex::Male,
                2003,
                "1234",
            ),
            (
                "096199000001",
                "096199000001",
                "096",
                "Cà Mau",
                Sex::Female,
                1999,
                "0001",
            ),
            (
                "046000999999",
                "046000999999",
                "046",
                "Thừa Thiên Huế",
                Sex::Male,
                1900,
                "9999",
            ),
            (
                "001403000000",
                "001403000000",
                "001",
                "Hà Nội",
                Sex::Male,
                2103,
                "0000",
            ),
            (
                "001503000000",
                "001503000000",
                "001",
                "Hà Nội",
                Sex::Female,
                2103,
                "0000",
            ),
            (
                "077612000000",
                "077612000000",
                "077",
                "Bà Rịa–Vũng Tàu",
                Sex::Male,
                2212,
                "0000",
            ),
            (
                "077799000000",
                "077799000000",
                "077",
                "Bà Rịa–Vũng Tàu",
                Sex::Female,
                2299,
                "0000",
            ),
            (
                "031800000000",
                "031800000000",
                "031",
                "Hải Phòng",
                Sex::Male,
                2300,
                "0000",
            ),
            (
                "031999000000",
                "031999000000",
                "031",
                "Hải Phòng",
                Sex::Female,
                2399,
                "0000",
            ),
            // White space at both ends is trimmed, including tabs and NBSP.
            (
                "  001087012345 ",
                "001087012345",
                "001",
                "Hà Nội",
                Sex::Male,
                1987,
                "2345",
            ),
            (
                "\t001087012345\n",
                "001087012345",
                "001",
                "Hà Nội",
                Sex::Male,
                1987,
                "2345",
            ),
            (
                "\u{a0}001087012345\u{a0}",
                "001087012345",
                "001",
                "Hà Nội",
                Sex::Male,
                1987,
                "2345",
            ),
        ];
        for (input, stored, code, name, sex, year, last) in cases {
            let id = PersonalId::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(id.as_str(), stored, "{input:?}");
            assert_eq!(id.to_string(), stored, "{input:?}");
            assert_eq!(id.province_code(), code, "{input:?}");
            assert_eq!(id.province_name(), name, "{input:?}");
            assert_eq!(id.sex(), sex, "{input:?}");
            assert_eq!(id.birth_year(), year, "{input:?}");
            assert_eq!(id.last_four(), last, "{input:?}");
        }
    }

    #[test]
    fn every_listed_province_is_accepted() {
        for (code, name) in PROVINCES {
            let id = PersonalId::parse(&format!("{code}087012345")).unwrap();
            assert_eq!(id.province_name(), name);
        }
    }

    #[test]
    fn malformed_numbers() {
        use PersonalIdError::*;
        let cases: [(&str, PersonalIdError); 20] = [
            ("", Empty),
            ("   ", Empty),
            ("\u{a0}\t", Empty),
            ("00108701234", WrongLength(11)),
            ("0010870123456", WrongLength(13)),
            ("123456789", WrongLength(9)),
            ("1", WrongLength(1)),
            ("00108701234A", NotDigits('A')),
            ("O01087012345", NotDigits('O')),
            ("abc", NotDigits('a')),
            // Inner separators are not removed.
            ("001 087 012 345", NotDigits(' ')),
            ("001.087.012.345", NotDigits('.')),
            ("001-087012345", NotDigits('-')),
            ("+01087012345", NotDigits('+')),
            // Full-width, Arabic-Indic and superscript digits are not ASCII digits.
            ("００１０８７０１２３４５", NotDigits('０')),
            ("00108701234٥", NotDigits('٥')),
            ("00108701234²", NotDigits('²')),
            // Unknown province codes, including gaps in the list and beyond 096.
            ("003087012345", UnknownProvince("003".into())),
            ("097087012345", UnknownProvince("097".into())),
            ("000087012345", UnknownProvince("000".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(PersonalId::parse(input), Err(expected), "{input:?}");
        }
        for code in ["005", "028", "050", "099", "100", "999"] {
            assert_eq!(
                PersonalId::parse(&format!("{code}087012345")),
                Err(UnknownProvince(code.into()))
            );
        }
    }

    #[test]
    fn consistency_with_declarations() {
        use PersonalIdError::*;
        type Case = (
            &'static str,
            Option<Date>,
            Option<Sex>,
            Result<(), PersonalIdError>,
        );
        let cases: [Case; 14] = [
            ("001087012345", None, None, Ok(())),
            (
                "001087012345",
                Some(date(1987, 3, 12)),
                Some(Sex::Male),
                Ok(()),
            ),
            ("001087012345", Some(date(1987, 12, 31)), None, Ok(())),
            ("001087012345", None, Some(Sex::Male), Ok(())),
            (
                "079303001234",
                Some(date(2003, 1, 1)),
                Some(Sex::Female),
                Ok(()),
            ),
            (
                "001403000000",
                Some(date(2103, 6, 1)),
                Some(Sex::Male),
                Ok(()),
            ),
            (
                "001087012345",
                Some(date(1978, 3, 12)),
                Some(Sex::Male),
                Err(YearMismatch {
                    id_year: 1987,
                    declared: date(1978, 3, 12),
                }),
            ),
            // Same two year digits, wrong century.
            (
                "001087012345",
                Some(date(2087, 3, 12)),
                None,
                Err(YearMismatch {
                    id_year: 1987,
                    declared: date(2087, 3, 12),
                }),
            ),
            (
                "001203000000",
                Some(date(1903, 1, 1)),
                None,
                Err(YearMismatch {
                    id_year: 2003,
                    declared: date(1903, 1, 1),
                }),
            ),
            (
                "001403000000",
                Some(date(2003, 1, 1)),
                None,
                Err(YearMismatch {
                    id_year: 2103,
                    declared: date(2003, 1, 1),
                }),
            ),
            (
                "001187012345",
                Some(date(1987, 3, 12)),
                Some(Sex::Male),
                Err(SexMismatch {
                    id_sex: Sex::Female,
                    declared: Sex::Male,
                }),
            ),
            (
                "079203001234",
                None,
                Some(Sex::Female),
                Err(SexMismatch {
                    id_sex: Sex::Male,
                    declared: Sex::Female,
                }),
            ),
            // Both wrong: the year is reported.
            (
                "001087012345",
                Some(date(1988, 1, 1)),
                Some(Sex::Female),
                Err(YearMismatch {
                    id_year: 1987,
                    declared: date(1988, 1, 1),
                }),
            ),
            // Structure is checked before consistency.
            (
                "097087012345",
                Some(date(1987, 1, 1)),
                Some(Sex::Male),
                Err(UnknownProvince("097".into())),
            ),
        ];
        for (input, dob, sex, expected) in cases {
            let got = PersonalId::parse_for(input, dob, sex).map(|id| {
                assert_eq!(id.as_str(), input);
            });
            assert_eq!(got, expected, "{input:?} {dob:?} {sex:?}");
        }
    }

    #[test]
    fn sex_parse_and_labels() {
        for (input, expected) in [
            ("male", Some(Sex::Male)),
            ("MALE", Some(Sex::Male)),
            (" Nam ", Some(Sex::Male)),
            ("NAM", Some(Sex::Male)),
            ("female", Some(Sex::Female)),
            ("Female", Some(Sex::Female)),
            ("nữ", Some(Sex::Female)),
            ("NỮ", Some(Sex::Female)),
            ("Nữ", Some(Sex::Female)),
            ("nu\u{31b}\u{303}", Some(Sex::Female)), // nữ typed with combining marks
            ("nu", Some(Sex::Female)),
            ("NU", Some(Sex::Female)),
            ("", None),
            ("m", None),
            ("nám", None),
            ("other", None),
        ] {
            assert_eq!(Sex::parse(input), expected, "{input:?}");
        }
        assert_eq!(Sex::Male.label_vi(), "Nam");
        assert_eq!(Sex::Female.label_vi(), "Nữ");
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"female\"");
        assert_eq!(serde_json::from_str::<Sex>("\"male\"").unwrap(), Sex::Male);
    }

    #[test]
    fn serializes_as_plain_string() {
        let id = PersonalId::parse("001087012345").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"001087012345\"");
    }

    #[test]
    fn messages_name_the_issue_in_vietnamese() {
        use PersonalIdError::*;
        let cases: [(PersonalIdError, &str); 11] = [
            (Empty, "Vui lòng nhập số định danh cá nhân"),
            (
                WrongLength(11),
                "Số định danh cá nhân phải gồm đúng 12 chữ số; số đã nhập có 11 chữ số.",
            ),
            (WrongLength(9), "chứng minh nhân dân"),
            (NotDigits('A'), "ký tự «A» không phải chữ số"),
            (NotDigits(' '), "không có dấu cách"),
            (NotDigits('.'), "không có dấu «.»"),
            (NotDigits('０'), "«０» không phải chữ số thường 0–9"),
            (
                UnknownProvince("099".into()),
                "Ba chữ số đầu «099» không phải mã tỉnh, thành phố nơi đăng ký khai sinh.",
            ),
            (
                YearMismatch { id_year: 1987, declared: date(1978, 3, 12) },
                "Chữ số thứ tư, thứ năm và thứ sáu cho biết năm sinh 1987, nhưng ngày sinh đã khai là 12/03/1978.",
            ),
            (
                SexMismatch { id_sex: Sex::Female, declared: Sex::Male },
                "Chữ số thứ tư cho biết giới tính Nữ, nhưng giới tính đã khai là Nam.",
            ),
            (
                SexMismatch { id_sex: Sex::Male, declared: Sex::Female },
                "giới tính Nam, nhưng giới tính đã khai là Nữ.",
            ),
        ];
        for (error, expected) in cases {
            let message = error.message_vi();
            assert!(message.contains(expected), "{error:?}: {message}");
            assert!(
                message.chars().any(|c| "ịốữựđáảà".contains(c)),
                "{error:?} has no Vietnamese diacritics: {message}"
            );
            let field = error.field_error("personal_id");
            assert_eq!(field.field, "personal_id");
            assert_eq!(field.message, message);
            assert!(!error.to_string().is_empty());
        }
    }
}
