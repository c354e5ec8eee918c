//! The printable A4 poster of a procedure: pinned up at the one-stop counter
//! and in the village hall, read by people who may not see well and may not
//! use a smartphone, so it says in large type what to bring, how long it
//! takes, what it costs and what happens, and carries a QR code to the
//! procedure's page for those who can scan it.
//!
//! Every text is worded here, in Rust, and reaches the template through
//! `sys.inputs`; the template only lays it out.

use motcua_domain::calendar::TimeLimit;
use motcua_domain::procedure::{
    time_limit_label_vi, DocumentKind, Fee, FeeRule, OnlineAvailability, PageTier, Procedure,
};
use serde_json::{json, Value};

use crate::format::{date_vn, money};
use crate::{qr_svg, DocsError, Document, PdfEngine};

/// Source of the poster template; expects `sys.inputs` as [`poster_inputs`]
/// builds them and the QR code at `/qr.svg`.
pub const POSTER_TYP: &str = include_str!("../templates/poster.typ");

/// Renders the poster of a procedure as PDF on one A4 page: the template
/// picks the largest type (from the full size down) at which it fits.
///
/// - `sector_name`: the sector as people know it ("Hộ tịch"), not its code.
/// - `page_url`: the public page of the procedure, encoded in the QR code.
/// - `agency_name`: where to submit ("Ủy ban nhân dân phường Ỷ La"); without
///   one the poster speaks of the commune's one-stop desk in general.
/// - `today`: the printing date shown in the footer (in Asia/Ho_Chi_Minh).
pub fn poster_pdf(
    engine: &PdfEngine,
    p: &Procedure,
    sector_name: &str,
    page_url: &str,
    agency_name: Option<&str>,
    today: jiff::civil::Date,
) -> Result<Vec<u8>, DocsError> {
    let doc = Document::new(POSTER_TYP)
        .with_file("/qr.svg", qr_svg(page_url)?)
        .with_inputs(poster_inputs(p, sector_name, page_url, agency_name, today))
        .with_today(today);
    engine.render(&doc)
}

/// What the poster template reads from `sys.inputs`, all worded for the
/// citizen. Public so that a web page can show the same words.
pub fn poster_inputs(
    p: &Procedure,
    sector_name: &str,
    page_url: &str,
    agency_name: Option<&str>,
    today: jiff::civil::Date,
) -> Value {
    let agency = agency_name.map(str::trim).filter(|a| !a.is_empty());
    let desk = match agency {
        Some(agency) => format!("Bộ phận Một cửa – {agency}"),
        None => "Bộ phận Một cửa của Ủy ban nhân dân xã, phường".to_owned(),
    };
    let statutory = (p.statutory_limit != p.committed_limit)
        .then(|| capitalise(&time_limit_label_vi(p.statutory_limit)));
    let documents: Vec<Value> = p
        .documents
        .iter()
        .map(|d| {
            json!({
                "name": d.name,
                "quantity": quantity(d.count, d.kind),
                "form": d.form_name,
                "note": d.note,
            })
        })
        .collect();
    let fees: Vec<Value> = p
        .fees
        .iter()
        .filter(|f| !is_free(f))
        .map(|f| {
            if f.exemptions.is_empty() {
                json!({
                    "name": f.name,
                    "amount": fee_text(&f.rule),
                    "exempt": exemptions_text(f),
                })
            } else {
                // Who is exempt and what the others pay, in one plain sentence
                // ("Miễn lệ phí nếu đăng ký trong 60 ngày kể từ ngày sinh; quá
                // hạn: 8.000 đ."), the words of the procedure page.
                json!({
                    "name": f.name,
                    "amount": poster_fee_sentence(f),
                    "exempt": null,
                })
            }
        })
        .collect();
    let steps: Vec<Value> = p
        .steps
        .iter()
        .map(|s| json!({ "name": s.name, "who": s.role.label_vi() }))
        .collect();
    json!({
        "agency": agency,
        "sector": sector_name.trim(),
        "code": p.code,
        "name": p.name,
        "time_limit": limit_text(p.committed_limit),
        "statutory": statutory,
        "verification": p.verification_limit.map(limit_text),
        "time_note": p.time_limit_note,
        "free": fees.is_empty(),
        "fees": fees,
        "documents": documents,
        "steps": steps,
        "submit": submit_lines(p.online, &desk),
        "returns": p.return_methods.iter().map(|m| m.label_vi()).collect::<Vec<_>>(),
        "results": p.results.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        "url": page_url,
        "printed": date_vn(today),
    })
}

/// The committed limit as the poster prints it: "Trong ngày", "3 ngày làm
/// việc".
pub fn limit_text(limit: TimeLimit) -> String {
    capitalise(&time_limit_label_vi(limit))
}

/// "01 bản chính": the count with two digits, as on official lists.
pub fn quantity(count: u16, kind: DocumentKind) -> String {
    let kind = match kind {
        DocumentKind::Original => "bản chính",
        // Nghị định 23/2015/NĐ-CP, Điều 6: a certified copy, or a plain copy
        // shown with the original for the officer to compare.
        DocumentKind::CertifiedCopy => "bản sao có chứng thực hoặc bản chính để đối chiếu",
        DocumentKind::Photocopy => "bản chụp",
        DocumentKind::OriginalOrCertifiedCopy => "bản chính hoặc bản sao có chứng thực",
    };
    format!("{count:02} {kind}")
}

fn is_free(fee: &Fee) -> bool {
    match fee.rule {
        FeeRule::Free => true,
        FeeRule::Fixed { amount } | FeeRule::PerCase { amount } | FeeRule::PerCopy { amount } => {
            amount <= 0
        }
        FeeRule::PerPage { ref tiers, .. } => tiers.iter().all(|t| t.amount_per_page <= 0),
    }
}

/// A fee in words a citizen understands: "8.000 đ mỗi hồ sơ", "Trang 1–2:
/// 2.000 đ/trang; từ trang 3: 1.000 đ/trang; tối đa 200.000 đ mỗi bản".
pub fn fee_text(rule: &FeeRule) -> String {
    match rule {
        FeeRule::Free => "Miễn phí".to_owned(),
        FeeRule::Fixed { amount } if *amount <= 0 => "Miễn phí".to_owned(),
        FeeRule::Fixed { amount } => format!("{} mỗi hồ sơ", money(*amount)),
        FeeRule::PerCase { amount } => format!("{} mỗi trường hợp", money(*amount)),
        FeeRule::PerCopy { amount } => format!("{} mỗi bản", money(*amount)),
        FeeRule::PerPage {
            tiers,
            cap_per_copy,
        } => {
            let mut parts = page_tiers_text(tiers);
            if let Some(cap) = cap_per_copy {
                parts.push(format!("tối đa {} mỗi bản", money(*cap)));
            }
            capitalise(&parts.join("; "))
        }
    }
}

fn page_tiers_text(tiers: &[PageTier]) -> Vec<String> {
    let mut sorted = tiers.to_vec();
    sorted.sort_by_key(|t| t.from_page);
    if let [only] = sorted.as_slice() {
        if only.from_page <= 1 {
            return vec![format!("{} mỗi trang", money(only.amount_per_page))];
        }
    }
    sorted
        .iter()
        .enumerate()
        .map(|(i, tier)| {
            let price = format!("{}/trang", money(tier.amount_per_page));
            match sorted.get(i + 1) {
                Some(next) if next.from_page.saturating_sub(1) == tier.from_page => {
                    format!("trang {}: {price}", tier.from_page)
                }
                Some(next) => format!(
                    "trang {}–{}: {price}",
                    tier.from_page,
                    next.from_page.saturating_sub(1)
                ),
                None => format!("từ trang {}: {price}", tier.from_page),
            }
        })
        .collect()
}

/// A fee with exemptions as the poster prints it: the procedure page's sentence,
/// without the fee's note (the page has room for it, one A4 sheet does not).
pub fn poster_fee_sentence(fee: &Fee) -> String {
    let mut bare = fee.clone();
    bare.note = None;
    motcua_domain::procedure::plain::fee_sentence_vi(&bare)
}

/// "Miễn cho: người thuộc hộ nghèo; người khuyết tật", or nothing.
fn exemptions_text(fee: &Fee) -> Option<String> {
    if fee.exemptions.is_empty() {
        return None;
    }
    let who: Vec<String> = fee
        .exemptions
        .iter()
        .map(|e| lowercase_first(e.label_vi()))
        .collect();
    Some(format!("Miễn cho: {}.", who.join("; ")))
}

fn submit_lines(online: OnlineAvailability, desk: &str) -> Vec<String> {
    let online = match online {
        OnlineAvailability::Full => {
            "Hoặc nộp trực tuyến toàn trình trên Cổng Dịch vụ công: khai, nộp hồ sơ, nộp lệ phí và nhận kết quả qua mạng, không phải đến trụ sở."
        }
        OnlineAvailability::Partial => {
            "Hoặc nộp trực tuyến trên Cổng Dịch vụ công; sau đó đến Bộ phận Một cửa khi được hẹn để xuất trình giấy tờ hoặc nhận kết quả."
        }
        OnlineAvailability::None => {
            "Thủ tục này chưa nộp trực tuyến được: xin mang hồ sơ đến nộp trực tiếp."
        }
    };
    vec![format!("Nộp trực tiếp tại {desk}."), online.to_owned()]
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::procedure::Exemption;

    fn tier(from_page: u32, amount_per_page: i64) -> PageTier {
        PageTier {
            from_page,
            amount_per_page,
        }
    }

    #[test]
    fn fees_in_words() {
        let cases = [
            (FeeRule::Free, "Miễn phí"),
            (FeeRule::Fixed { amount: 0 }, "Miễn phí"),
            (FeeRule::Fixed { amount: 8_000 }, "8.000 đ mỗi hồ sơ"),
            (
                FeeRule::PerCase { amount: 10_000 },
                "10.000 đ mỗi trường hợp",
            ),
            (FeeRule::PerCopy { amount: 8_000 }, "8.000 đ mỗi bản"),
            (
                FeeRule::PerPage {
                    tiers: vec![tier(1, 2_000), tier(3, 1_000)],
                    cap_per_copy: Some(200_000),
                },
                "Trang 1–2: 2.000 đ/trang; từ trang 3: 1.000 đ/trang; tối đa 200.000 đ mỗi bản",
            ),
            (
                FeeRule::PerPage {
                    tiers: vec![tier(2, 1_000), tier(1, 3_000)],
                    cap_per_copy: None,
                },
                "Trang 1: 3.000 đ/trang; từ trang 2: 1.000 đ/trang",
            ),
            (
                FeeRule::PerPage {
                    tiers: vec![tier(1, 5_000)],
                    cap_per_copy: None,
                },
                "5.000 đ mỗi trang",
            ),
        ];
        for (rule, want) in cases {
            assert_eq!(fee_text(&rule), want, "{rule:?}");
        }
    }

    #[test]
    fn exemptions_are_listed_for_people() {
        let fee = Fee {
            name: "Lệ phí".into(),
            rule: FeeRule::Fixed { amount: 8_000 },
            exemptions: vec![Exemption::PoorHousehold, Exemption::Disability],
            note: None,
        };
        assert_eq!(
            exemptions_text(&fee).as_deref(),
            Some("Miễn cho: người thuộc hộ nghèo; người khuyết tật.")
        );
    }

    #[test]
    fn quantities_read_as_on_official_lists() {
        assert_eq!(quantity(1, DocumentKind::Original), "01 bản chính");
        assert_eq!(
            quantity(2, DocumentKind::CertifiedCopy),
            "02 bản sao có chứng thực hoặc bản chính để đối chiếu"
        );
        assert_eq!(quantity(12, DocumentKind::Photocopy), "12 bản chụp");
    }

    #[test]
    fn limits_are_capitalised_labels() {
        assert_eq!(limit_text(TimeLimit::SameDay), "Trong ngày");
        assert_eq!(limit_text(TimeLimit::WorkingDays(3)), "3 ngày làm việc");
        assert_eq!(limit_text(TimeLimit::Immediate), "Trả ngay");
        assert_eq!(limit_text(TimeLimit::CalendarDays(15)), "15 ngày");
    }
}
