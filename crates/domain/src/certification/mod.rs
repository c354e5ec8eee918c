//! Certification (chứng thực, NĐ 23/2015/NĐ-CP): the kinds of certification, the
//! book each is written in, the fee of a request computed from the procedure's
//! own fee rules, the statement printed on the copy, and whether the request is
//! served at once or becomes an ordinary dossier with an appointment.

mod fee;
mod statement;

pub use fee::{quote, FeeLine, FeeQuote};
pub use statement::{statement_vi, SignatureMode};

use jiff::civil::Time;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::vietnam_time_zone;

/// What is certified. Each kind is performed under one procedure of the national
/// catalogue (its code is data here, its fee rules are the procedure's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Bản sao từ bản chính.
    Copy,
    /// Chữ ký, including a fingerprint and a person who can neither sign nor
    /// fingerprint (see [`SignatureMode`]).
    Signature,
    /// Hợp đồng, giao dịch.
    Contract,
    /// Sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch.
    ContractAmendment,
    /// Sửa lỗi sai sót trong hợp đồng, giao dịch đã được chứng thực.
    ContractCorrection,
    /// Bản sao điện tử từ bản chính (NĐ 45/2020 art. 10).
    ElectronicCopy,
}

/// One book of certifications (sổ chứng thực, TT 01/2020/TT-BTP): its symbol as
/// printed after the year, and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Book {
    pub code: &'static str,
    pub name: &'static str,
}

/// The books: copies (paper and electronic share one), signatures, and contracts
/// with their amendments and corrections.
pub const BOOKS: &[Book] = &[
    Book {
        code: "SCT/BS",
        name: "Sổ chứng thực bản sao từ bản chính",
    },
    Book {
        code: "SCT/CK,ĐC",
        name: "Sổ chứng thực chữ ký, chứng thực điểm chỉ",
    },
    Book {
        code: "SCT/HĐ,GD",
        name: "Sổ chứng thực hợp đồng, giao dịch",
    },
];

/// Per kind: its code, label, the procedure performing it and the book's symbol.
struct KindData {
    kind: Kind,
    code: &'static str,
    label: &'static str,
    procedure: &'static str,
    book: &'static str,
}

const KINDS: &[KindData] = &[
    KindData {
        kind: Kind::Copy,
        code: "copy",
        label: "Chứng thực bản sao từ bản chính",
        procedure: "2.000815",
        book: "SCT/BS",
    },
    KindData {
        kind: Kind::Signature,
        code: "signature",
        label: "Chứng thực chữ ký (điểm chỉ)",
        procedure: "2.000884",
        book: "SCT/CK,ĐC",
    },
    KindData {
        kind: Kind::Contract,
        code: "contract",
        label: "Chứng thực hợp đồng, giao dịch",
        procedure: "2.001035",
        book: "SCT/HĐ,GD",
    },
    KindData {
        kind: Kind::ContractAmendment,
        code: "contract_amendment",
        label: "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
        procedure: "2.000913",
        book: "SCT/HĐ,GD",
    },
    KindData {
        kind: Kind::ContractCorrection,
        code: "contract_correction",
        label: "Sửa lỗi sai sót trong hợp đồng, giao dịch đã được chứng thực",
        procedure: "2.000927",
        book: "SCT/HĐ,GD",
    },
    KindData {
        kind: Kind::ElectronicCopy,
        code: "electronic_copy",
        label: "Chứng thực bản sao điện tử từ bản chính",
        procedure: "2.000815",
        book: "SCT/BS",
    },
];

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Copy,
        Kind::Signature,
        Kind::Contract,
        Kind::ContractAmendment,
        Kind::ContractCorrection,
        Kind::ElectronicCopy,
    ];

    fn data(self) -> &'static KindData {
        // Every kind has its row (checked by a test); the first row is a safe
        // answer that can never be reached.
        KINDS.iter().find(|d| d.kind == self).unwrap_or(&KINDS[0])
    }

    pub fn as_str(self) -> &'static str {
        self.data().code
    }

    pub fn label_vi(self) -> &'static str {
        self.data().label
    }

    /// The national code of the procedure whose fee rules and time limits apply.
    pub fn procedure_code(self) -> &'static str {
        self.data().procedure
    }

    /// The symbol of the book it is written in, e.g. "SCT/BS".
    pub fn book_code(self) -> &'static str {
        self.data().book
    }

    pub fn book(self) -> Book {
        let code = self.book_code();
        BOOKS
            .iter()
            .copied()
            .find(|b| b.code == code)
            .unwrap_or(BOOKS[0])
    }

    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim();
        KINDS.iter().find(|d| d.code == s).map(|d| d.kind)
    }

    /// Whether the count of pages of the original matters (copies are charged by
    /// page; the others by case or per contract).
    pub fn counts_pages(self) -> bool {
        matches!(self, Kind::Copy | Kind::ElectronicCopy)
    }
}

/// The book label as printed: "01/2026-SCT/BS" (volume, year, symbol); the
/// statement writes "Quyển số 01/2026-SCT/BS".
pub fn book_label(volume: i64, year: i16, book_code: &str) -> String {
    format!("{volume:02}/{year}-{book_code}")
}

/// Requests larger than this are not served on the spot: the law allows up to two
/// more working days "for many pages or copies" (NĐ 23/2015 art. 7). Counted as
/// pages of the original times copies, so one 300-page book or 30 copies of a
/// 10-page contract both qualify.
pub const SAME_DAY_MAX_PAGES_COPIED: u32 = 200;
/// … and as copies, whatever their pages.
pub const SAME_DAY_MAX_COPIES: u32 = 50;

/// The cut-off after which a request is no longer served the same day (NĐ 23/2015
/// art. 7: received after 15:00, returned the next working day).
pub const SAME_DAY_CUTOFF: Time = Time::constant(15, 0, 0, 0);

/// How a request is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Certified now: the number is given and the statement printed.
    SameDay,
    /// Received after the cut-off: an ordinary dossier, due the next working day.
    Late,
    /// Many pages or copies: an ordinary dossier with the longer time limit.
    Large,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::SameDay => "same_day",
            Disposition::Late => "late",
            Disposition::Large => "large",
        }
    }

    pub fn reason_vi(self) -> &'static str {
        match self {
            Disposition::SameDay => "Chứng thực ngay trong ngày.",
            Disposition::Late => {
                "Yêu cầu nhận sau 15 giờ: tiếp nhận thành hồ sơ, trả kết quả trong ngày làm việc tiếp theo theo phiếu hẹn."
            }
            Disposition::Large => {
                "Yêu cầu nhiều trang hoặc nhiều bản sao: tiếp nhận thành hồ sơ, trả kết quả theo phiếu hẹn (thêm không quá 02 ngày làm việc)."
            }
        }
    }
}

/// Whether a request received at `at` is served on the spot. Size wins over time:
/// a large request received late still gets the longer limit.
pub fn disposition(at: Timestamp, kind: Kind, pages: u32, copies: u32) -> Disposition {
    let pages_copied = if kind.counts_pages() {
        pages.saturating_mul(copies)
    } else {
        copies
    };
    if copies > SAME_DAY_MAX_COPIES || pages_copied > SAME_DAY_MAX_PAGES_COPIED {
        return Disposition::Large;
    }
    let local = at.to_zoned(vietnam_time_zone()).time();
    if local > SAME_DAY_CUTOFF {
        Disposition::Late
    } else {
        Disposition::SameDay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vn(text: &str) -> Timestamp {
        format!("{text}+07:00[Asia/Ho_Chi_Minh]")
            .parse::<jiff::Zoned>()
            .expect("instant")
            .timestamp()
    }

    #[test]
    fn every_kind_has_its_data_and_parses_back() {
        for kind in Kind::ALL {
            assert_eq!(kind.data().kind, kind);
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert!(BOOKS.iter().any(|b| b.code == kind.book_code()), "{kind:?}");
        }
        assert_eq!(Kind::parse("nonsense"), None);
        assert_eq!(Kind::Copy.book_code(), "SCT/BS");
        assert_eq!(Kind::ElectronicCopy.book_code(), "SCT/BS");
        assert_eq!(Kind::Signature.book_code(), "SCT/CK,ĐC");
        assert_eq!(Kind::ContractAmendment.book_code(), "SCT/HĐ,GD");
    }

    #[test]
    fn book_label_as_printed() {
        assert_eq!(book_label(1, 2026, "SCT/BS"), "01/2026-SCT/BS");
        assert_eq!(book_label(12, 2027, "SCT/HĐ,GD"), "12/2027-SCT/HĐ,GD");
    }

    #[test]
    fn late_or_large_requests_become_dossiers() {
        let morning = vn("2026-03-10T09:00:00");
        assert_eq!(disposition(morning, Kind::Copy, 3, 2), Disposition::SameDay);
        assert_eq!(
            disposition(vn("2026-03-10T15:00:00"), Kind::Copy, 3, 2),
            Disposition::SameDay
        );
        assert_eq!(
            disposition(vn("2026-03-10T15:00:01"), Kind::Copy, 3, 2),
            Disposition::Late
        );
        assert_eq!(disposition(morning, Kind::Copy, 201, 1), Disposition::Large);
        assert_eq!(
            disposition(morning, Kind::Copy, 20, 10),
            Disposition::SameDay
        );
        assert_eq!(disposition(morning, Kind::Copy, 20, 11), Disposition::Large);
        // A long contract is one case, whatever its pages.
        assert_eq!(
            disposition(morning, Kind::Contract, 500, 1),
            Disposition::SameDay
        );
        assert_eq!(
            disposition(vn("2026-03-10T16:00:00"), Kind::Copy, 300, 1),
            Disposition::Large
        );
    }
}
