//! The fee of a certification request with its breakdown, from the procedure's fee
//! rules (`procedure::Fee`): no amount is written here.

use serde::{Deserialize, Serialize};

use super::Kind;
use crate::procedure::{Fee, FeeInput, FeeRule};
use crate::text::{money, money_in_words};

/// One line of the breakdown: "Trang 1–2" 2 × 2.000 đ = 4.000 đ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// The fee's name and the part of the rule, e.g. "Lệ phí chứng thực bản sao
    /// từ bản chính — trang 1–2".
    pub label: String,
    pub quantity: i64,
    /// đồng
    pub unit_amount: i64,
    /// đồng
    pub amount: i64,
}

/// What a request costs: the total in đồng, its lines and the total in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuote {
    pub total: i64,
    pub lines: Vec<FeeLine>,
    /// "Năm nghìn đồng"
    pub in_words: String,
}

/// The fee of certifying `pages` pages (of the original) in `copies` copies of
/// `kind`, under the procedure's `fees`. A signature is charged per case: each
/// copy signed is a case.
pub fn quote(kind: Kind, fees: &[Fee], pages: u32, copies: u32) -> FeeQuote {
    let input = FeeInput {
        pages,
        copies,
        cases: if kind == Kind::Signature { copies } else { 1 },
        exemption: None,
    };
    let mut lines = Vec::new();
    let mut total: i64 = 0;
    for fee in fees {
        let amount = fee.compute(&input);
        total = total.saturating_add(amount);
        lines.extend(fee_lines(fee, &input, amount));
    }
    FeeQuote {
        total,
        lines,
        in_words: money_in_words(total),
    }
}

fn fee_lines(fee: &Fee, input: &FeeInput, amount: i64) -> Vec<FeeLine> {
    let line = |label: String, quantity: i64, unit_amount: i64, amount: i64| FeeLine {
        label,
        quantity,
        unit_amount,
        amount,
    };
    match &fee.rule {
        FeeRule::Free => vec![line(fee.name.clone(), 1, 0, 0)],
        FeeRule::Fixed { amount: unit } => vec![line(fee.name.clone(), 1, *unit, amount)],
        FeeRule::PerCase { amount: unit } => vec![line(
            format!("{} (mỗi trường hợp)", fee.name),
            i64::from(input.cases),
            *unit,
            amount,
        )],
        FeeRule::PerCopy { amount: unit } => vec![line(
            format!("{} (mỗi bản)", fee.name),
            i64::from(input.copies),
            *unit,
            amount,
        )],
        FeeRule::PerPage {
            tiers,
            cap_per_copy,
        } => {
            let copies = i64::from(input.copies);
            let uncapped = FeeRule::PerPage {
                tiers: tiers.clone(),
                cap_per_copy: None,
            }
            .compute(&FeeInput {
                copies: 1,
                ..*input
            });
            if let Some(cap) = cap_per_copy.filter(|cap| uncapped > *cap) {
                return vec![line(
                    format!(
                        "{} — {} trang, tối đa {}/bản",
                        fee.name,
                        crate::text::grouped(input.pages.into()),
                        money(cap)
                    ),
                    copies,
                    cap,
                    amount,
                )];
            }
            let mut sorted = tiers.clone();
            sorted.sort_by_key(|t| t.from_page);
            let mut out = Vec::new();
            for (i, tier) in sorted.iter().enumerate() {
                let first = tier.from_page.max(1);
                let next = sorted.get(i + 1).map(|n| n.from_page);
                let last = next
                    .map_or(input.pages, |n| n.saturating_sub(1))
                    .min(input.pages);
                if last < first {
                    continue;
                }
                let pages = i64::from(last - first + 1);
                let range = match next {
                    Some(_) if first == last => format!("trang {first}"),
                    Some(_) => format!("trang {first}–{last}"),
                    None if first == last => format!("trang {first}"),
                    None => format!("từ trang {first}"),
                };
                let per_copy = tier.amount_per_page.saturating_mul(pages);
                out.push(line(
                    format!("{} — {range}", fee.name),
                    pages.saturating_mul(copies),
                    tier.amount_per_page,
                    per_copy.saturating_mul(copies),
                ));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::procedure::PageTier;

    /// The seed's rules for copies (TT 226/2016/TT-BTC), as the catalogue holds
    /// them: the test reads them from the seed file, not from code.
    fn seed_fees(code: &str) -> Vec<Fee> {
        let text = include_str!("../../../../seeds/catalogue/chung-thuc.json");
        let procedures: Vec<serde_json::Value> =
            serde_json::from_str(text).expect("the seed is JSON");
        let p = procedures
            .iter()
            .find(|p| p["code"] == code)
            .expect("the procedure is seeded");
        serde_json::from_value(p["fees"].clone()).expect("fees")
    }

    fn total(kind: Kind, pages: u32, copies: u32) -> FeeQuote {
        let q = quote(kind, &seed_fees(kind.procedure_code()), pages, copies);
        let sum: i64 = q.lines.iter().map(|l| l.amount).sum();
        assert_eq!(sum, q.total, "lines add up: {q:?}");
        for l in &q.lines {
            assert!(
                l.amount == l.quantity * l.unit_amount,
                "a line is quantity × unit: {l:?}"
            );
        }
        q
    }

    #[test]
    fn copies_by_page_with_the_cap() {
        let cases: &[(u32, u32, i64, &str)] = &[
            (1, 1, 2_000, "Hai nghìn đồng"),
            (2, 1, 4_000, "Bốn nghìn đồng"),
            (3, 1, 5_000, "Năm nghìn đồng"),
            (250, 1, 200_000, "Hai trăm nghìn đồng"),
            (198, 1, 200_000, "Hai trăm nghìn đồng"),
            (197, 1, 199_000, "Một trăm chín mươi chín nghìn đồng"),
            (3, 2, 10_000, "Mười nghìn đồng"),
            (1, 5, 10_000, "Mười nghìn đồng"),
            (250, 3, 600_000, "Sáu trăm nghìn đồng"),
            (10, 3, 36_000, "Ba mươi sáu nghìn đồng"),
        ];
        for &(pages, copies, amount, words) in cases {
            let q = total(Kind::Copy, pages, copies);
            assert_eq!(q.total, amount, "{pages} pages × {copies}");
            assert_eq!(q.in_words, words);
            assert_eq!(total(Kind::ElectronicCopy, pages, copies).total, amount);
        }
        let q = total(Kind::Copy, 3, 2);
        assert_eq!(q.lines.len(), 2);
        assert_eq!(
            q.lines[0].label,
            "Lệ phí chứng thực bản sao từ bản chính — trang 1–2"
        );
        assert_eq!((q.lines[0].quantity, q.lines[0].amount), (4, 8_000));
        assert_eq!(
            q.lines[1].label,
            "Lệ phí chứng thực bản sao từ bản chính — trang 3"
        );
        let capped = total(Kind::Copy, 250, 2);
        assert_eq!(capped.lines.len(), 1);
        assert_eq!(
            capped.lines[0].label,
            "Lệ phí chứng thực bản sao từ bản chính — 250 trang, tối đa 200.000 đ/bản"
        );
        assert_eq!(total(Kind::Copy, 1, 1).lines.len(), 1);
    }

    #[test]
    fn signatures_contracts_and_amendments() {
        assert_eq!(total(Kind::Signature, 4, 1).total, 10_000);
        assert_eq!(total(Kind::Signature, 4, 3).total, 30_000);
        assert_eq!(total(Kind::Contract, 12, 1).total, 50_000);
        assert_eq!(total(Kind::Contract, 12, 3).total, 50_000);
        assert_eq!(total(Kind::ContractAmendment, 2, 1).total, 30_000);
        assert_eq!(total(Kind::ContractCorrection, 2, 1).total, 25_000);
        assert_eq!(total(Kind::Contract, 1, 1).in_words, "Năm mươi nghìn đồng");
    }

    #[test]
    fn unsorted_tiers_and_free_rules() {
        let fee = Fee {
            name: "Phí".into(),
            rule: FeeRule::PerPage {
                tiers: vec![
                    PageTier {
                        from_page: 3,
                        amount_per_page: 1_000,
                    },
                    PageTier {
                        from_page: 1,
                        amount_per_page: 2_000,
                    },
                ],
                cap_per_copy: None,
            },
            exemptions: vec![],
            note: None,
        };
        let q = quote(Kind::Copy, &[fee], 5, 1);
        assert_eq!(q.total, 7_000);
        assert_eq!(q.lines.iter().map(|l| l.amount).sum::<i64>(), 7_000);
        let free = Fee {
            name: "Miễn".into(),
            rule: FeeRule::Free,
            exemptions: vec![],
            note: None,
        };
        assert_eq!(quote(Kind::Copy, &[free], 5, 1).in_words, "Không đồng");
    }
}
