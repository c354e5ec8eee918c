//! The certification statement (lời chứng) printed on the copy or the document,
//! after the forms of TT 01/2020/TT-BTP for NĐ 23/2015/NĐ-CP.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Kind;

/// How the requester confirmed a document whose signature is certified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureMode {
    /// Signed before the certifying person.
    #[default]
    Signed,
    /// Fingerprinted (điểm chỉ) before the certifying person.
    Fingerprint,
    /// Can neither sign nor fingerprint (NĐ 23/2015 art. 24 (3)).
    NeitherSignNorFingerprint,
}

impl SignatureMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMode::Signed => "signed",
            SignatureMode::Fingerprint => "fingerprint",
            SignatureMode::NeitherSignNorFingerprint => "neither",
        }
    }

    pub fn parse(s: &str) -> Option<SignatureMode> {
        match s.trim() {
            "" | "signed" => Some(SignatureMode::Signed),
            "fingerprint" => Some(SignatureMode::Fingerprint),
            "neither" => Some(SignatureMode::NeitherSignNorFingerprint),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            SignatureMode::Signed => "Ký trước mặt người thực hiện chứng thực",
            SignatureMode::Fingerprint => "Điểm chỉ",
            SignatureMode::NeitherSignNorFingerprint => "Không ký, không điểm chỉ được",
        }
    }
}

/// The statement's paragraphs, in order, for a certification numbered `number`
/// in the book labelled `book` ("01/2026-SCT/BS") on `date`. `requester` and
/// `requester_id` name the person whose signature is certified.
pub fn statement_vi(
    kind: Kind,
    mode: SignatureMode,
    number: i64,
    book: &str,
    date: Date,
    requester: &str,
    requester_id: &str,
) -> Vec<String> {
    let day = format!(
        "Ngày {:02} tháng {:02} năm {}",
        date.day(),
        date.month(),
        date.year()
    );
    let numbered = format!("Số chứng thực {number}, Quyển số {book}");
    match kind {
        Kind::Copy | Kind::ElectronicCopy => vec![
            "Chứng thực bản sao đúng với bản chính.".to_owned(),
            numbered,
            day,
        ],
        Kind::Signature => {
            let act = match mode {
                SignatureMode::Signed => "đã ký trước mặt tôi vào giấy tờ, văn bản này.",
                SignatureMode::Fingerprint => {
                    "đã điểm chỉ trước mặt tôi vào giấy tờ, văn bản này."
                }
                SignatureMode::NeitherSignNorFingerprint => {
                    "không ký, không điểm chỉ được; đã xác nhận trước mặt tôi nội dung giấy tờ, văn bản này là của mình."
                }
            };
            vec![
                day,
                format!(
                    "Chứng thực ông/bà {requester}, giấy tờ tùy thân số {requester_id}, {act}"
                ),
                numbered,
            ]
        }
        Kind::Contract => vec![
            day,
            format!("Chứng thực hợp đồng, giao dịch được giao kết giữa các bên, trong đó có ông/bà {requester}, giấy tờ tùy thân số {requester_id}; các bên đã tự nguyện giao kết và đã ký vào hợp đồng, giao dịch này trước mặt tôi."),
            numbered,
        ],
        Kind::ContractAmendment => vec![
            day,
            format!("Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch theo yêu cầu của ông/bà {requester}, giấy tờ tùy thân số {requester_id}; các bên đã ký trước mặt tôi."),
            numbered,
        ],
        Kind::ContractCorrection => vec![
            day,
            "Sửa lỗi sai sót trong hợp đồng, giao dịch đã được chứng thực, theo thỏa thuận của các bên giao kết.".to_owned(),
            numbered,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_statement_as_printed() {
        let lines = statement_vi(
            Kind::Copy,
            SignatureMode::Signed,
            125,
            "01/2026-SCT/BS",
            Date::constant(2026, 3, 9),
            "",
            "",
        );
        assert_eq!(
            lines,
            vec![
                "Chứng thực bản sao đúng với bản chính.",
                "Số chứng thực 125, Quyển số 01/2026-SCT/BS",
                "Ngày 09 tháng 03 năm 2026",
            ]
        );
    }

    #[test]
    fn signature_statement_follows_the_mode() {
        let text = |mode| {
            statement_vi(
                Kind::Signature,
                mode,
                7,
                "01/2026-SCT/CK,ĐC",
                Date::constant(2026, 3, 9),
                "Nguyễn Văn An",
                "001087012345",
            )
            .join("\n")
        };
        assert!(text(SignatureMode::Signed).contains("đã ký trước mặt tôi"));
        assert!(text(SignatureMode::Fingerprint).contains("đã điểm chỉ trước mặt tôi"));
        assert!(text(SignatureMode::NeitherSignNorFingerprint)
            .contains("không ký, không điểm chỉ được"));
        assert!(
            text(SignatureMode::Signed).contains("Nguyễn Văn An, giấy tờ tùy thân số 001087012345")
        );
        assert_eq!(
            SignatureMode::parse("fingerprint"),
            Some(SignatureMode::Fingerprint)
        );
        assert_eq!(SignatureMode::parse("x"), None);
    }
}
