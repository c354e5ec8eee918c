//! Fees (phí, lệ phí) of a procedure and what a given request costs.
//!
//! Amounts are integer đồng. The rules are the shapes the fee circulars use:
//! free, a fixed amount per dossier, per page with tiers and a cap per copy
//! (certified copies, TT 226/2016/TT-BTC), per case (signature certification),
//! per copy (extract copies, TT 281/2016/TT-BTC). Who is exempt is data too,
//! because the law exempts some people and some events and each province may
//! waive more (fully online filing, for instance).

use serde::{Deserialize, Serialize};

/// One fee a procedure charges, e.g. "Lệ phí chứng thực bản sao từ bản chính".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// The fee's name as printed on the receipt.
    pub name: String,
    pub rule: FeeRule,
    /// Categories that pay nothing for this fee.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    /// Shown to the citizen next to the amount: the resolution that sets it,
    /// the cases it applies to.
    #[serde(default)]
    pub note: Option<String>,
}

/// How the amount of a fee is computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FeeRule {
    Free,
    /// Once per dossier, whatever its size (e.g. a contract: 50.000 đ).
    Fixed {
        amount: i64,
    },
    /// Per page of the original, by tiers, for each copy, capped per copy.
    PerPage {
        tiers: Vec<PageTier>,
        #[serde(default)]
        cap_per_copy: Option<i64>,
    },
    /// Per case (trường hợp), e.g. a signature certification: 10.000 đ.
    PerCase {
        amount: i64,
    },
    /// Per copy issued, e.g. an extract copy: 8.000 đ.
    PerCopy {
        amount: i64,
    },
}

impl FeeRule {
    /// The rule in words a citizen understands, e.g. "2.000 đ/trang (từ trang 1),
    /// 1.000 đ/trang (từ trang 3); tối đa 200.000 đ/bản".
    pub fn describe_vi(&self) -> String {
        use crate::text::money;
        match self {
            FeeRule::Free => "Miễn phí".to_owned(),
            FeeRule::Fixed { amount } => format!("{} mỗi hồ sơ", money(*amount)),
            FeeRule::PerCase { amount } => format!("{} mỗi trường hợp", money(*amount)),
            FeeRule::PerCopy { amount } => format!("{} mỗi bản", money(*amount)),
            FeeRule::PerPage {
                tiers,
                cap_per_copy,
            } => {
                let parts: Vec<String> = tiers
                    .iter()
                    .map(|t| {
                        format!(
                            "{}/trang (từ trang {})",
                            money(t.amount_per_page),
                            t.from_page
                        )
                    })
                    .collect();
                let mut text = parts.join(", ");
                if let Some(cap) = cap_per_copy {
                    text.push_str(&format!("; tối đa {}/bản", money(*cap)));
                }
                text
            }
        }
    }
}

/// From page `from_page` on (until the next tier), each page costs `amount_per_page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageTier {
    pub from_page: u32,
    pub amount_per_page: i64,
}

/// A category of people or of requests that a fee may exempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exemption {
    /// Birth registered within 60 days of the birth (Luật Hộ tịch 2014 art. 11).
    OnTimeBirthRegistration,
    /// Death registered within 15 days of the death (Luật Hộ tịch 2014 art. 11).
    OnTimeDeathRegistration,
    Guardianship,
    /// Marriage of Vietnamese citizens residing in Vietnam.
    DomesticMarriage,
    RevolutionaryMeritFamily,
    PoorHousehold,
    Disability,
    /// Filed fully online, where the province waives the fee for it.
    OnlineFiling,
}

impl Exemption {
    pub const ALL: [Exemption; 8] = [
        Exemption::OnTimeBirthRegistration,
        Exemption::OnTimeDeathRegistration,
        Exemption::Guardianship,
        Exemption::DomesticMarriage,
        Exemption::RevolutionaryMeritFamily,
        Exemption::PoorHousehold,
        Exemption::Disability,
        Exemption::OnlineFiling,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Exemption::OnTimeBirthRegistration => "on_time_birth_registration",
            Exemption::OnTimeDeathRegistration => "on_time_death_registration",
            Exemption::Guardianship => "guardianship",
            Exemption::DomesticMarriage => "domestic_marriage",
            Exemption::RevolutionaryMeritFamily => "revolutionary_merit_family",
            Exemption::PoorHousehold => "poor_household",
            Exemption::Disability => "disability",
            Exemption::OnlineFiling => "online_filing",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Exemption::OnTimeBirthRegistration => "Đăng ký khai sinh đúng hạn",
            Exemption::OnTimeDeathRegistration => "Đăng ký khai tử đúng hạn",
            Exemption::Guardianship => "Đăng ký giám hộ, chấm dứt giám hộ",
            Exemption::DomesticMarriage => "Kết hôn của công dân Việt Nam cư trú ở trong nước",
            Exemption::RevolutionaryMeritFamily => "Người thuộc gia đình có công với cách mạng",
            Exemption::PoorHousehold => "Người thuộc hộ nghèo",
            Exemption::Disability => "Người khuyết tật",
            Exemption::OnlineFiling => "Nộp hồ sơ trực tuyến toàn trình (khi tỉnh quy định miễn)",
        }
    }

    pub fn parse(input: &str) -> Option<Exemption> {
        let s = input.trim();
        Exemption::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// What is being charged for: the size of the request and the exemption claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeInput {
    /// Pages of the original (copies are charged on the original's pages).
    pub pages: u32,
    pub copies: u32,
    pub cases: u32,
    pub exemption: Option<Exemption>,
}

/// The exemption the law grants by default, from the facts entered, among those
/// the procedure's fees know (`offered`): a birth registered within 60 days of the
/// birth, a death within 15 days (Luật Hộ tịch 2014 art. 11, 15, 33), guardianship
/// and the marriage of citizens residing in Vietnam always. `event_day` is the day
/// of the birth or death; `today` the day of intake. The officer may still change
/// it (a late registration, another category).
pub fn proposed_exemption(
    offered: &[Exemption],
    event_day: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
) -> Option<Exemption> {
    let within = |days: i32| {
        event_day.is_some_and(|d| {
            d <= today
                && d.checked_add(jiff::Span::new().days(days))
                    .is_ok_and(|end| today <= end)
        })
    };
    [
        (Exemption::OnTimeBirthRegistration, within(60)),
        (Exemption::OnTimeDeathRegistration, within(15)),
        (Exemption::Guardianship, true),
        (Exemption::DomesticMarriage, true),
    ]
    .into_iter()
    .find(|(e, applies)| *applies && offered.contains(e))
    .map(|(e, _)| e)
}

/// What the intake form asks for the proposal: the day of the event, named for
/// the procedure (none when no exemption depends on it).
pub fn event_day_label(offered: &[Exemption]) -> Option<&'static str> {
    if offered.contains(&Exemption::OnTimeBirthRegistration) {
        Some("Ngày sinh của người được đăng ký khai sinh")
    } else if offered.contains(&Exemption::OnTimeDeathRegistration) {
        Some("Ngày chết của người được đăng ký khai tử")
    } else {
        None
    }
}

/// The register field that holds the day [`event_day_label`] asks for: the
/// child's date of birth, the date of death.
pub fn event_day_field(offered: &[Exemption]) -> Option<crate::civil::Field> {
    if offered.contains(&Exemption::OnTimeBirthRegistration) {
        Some(crate::civil::Field::DateOfBirth)
    } else if offered.contains(&Exemption::OnTimeDeathRegistration) {
        Some(crate::civil::Field::DateOfDeath)
    } else {
        None
    }
}

impl Default for FeeInput {
    /// One page, one copy, one case: the smallest real request, so that a caller
    /// who forgets a count is charged for one rather than for nothing.
    fn default() -> Self {
        Self {
            pages: 1,
            copies: 1,
            cases: 1,
            exemption: None,
        }
    }
}

impl Fee {
    /// The amount to pay, in đồng. Never negative.
    pub fn compute(&self, input: &FeeInput) -> i64 {
        if let Some(claimed) = input.exemption {
            if self.exemptions.contains(&claimed) {
                return 0;
            }
        }
        self.rule.compute(input)
    }
}

impl FeeRule {
    /// The amount before exemptions, in đồng. Saturates rather than overflowing
    /// on absurd counts, and never goes below zero even on invalid data.
    pub fn compute(&self, input: &FeeInput) -> i64 {
        let amount = match self {
            FeeRule::Free => 0,
            FeeRule::Fixed { amount } => *amount,
            FeeRule::PerCase { amount } => amount.saturating_mul(i64::from(input.cases)),
            FeeRule::PerCopy { amount } => amount.saturating_mul(i64::from(input.copies)),
            FeeRule::PerPage {
                tiers,
                cap_per_copy,
            } => {
                let mut per_copy = pages_amount(tiers, input.pages);
                if let Some(cap) = cap_per_copy {
                    per_copy = per_copy.min(*cap);
                }
                per_copy.saturating_mul(i64::from(input.copies))
            }
        };
        amount.max(0)
    }
}

/// The price of `pages` pages under `tiers`, counted in closed form per tier so
/// that a 10,000-page register costs no more time than a one-page form.
fn pages_amount(tiers: &[PageTier], pages: u32) -> i64 {
    // Validation keeps tiers sorted, but imported data reaches here before it is
    // validated; sorting a handful of tiers is cheap insurance.
    let mut sorted: Vec<PageTier> = tiers.to_vec();
    sorted.sort_by_key(|t| t.from_page);
    let mut total: i64 = 0;
    for (i, tier) in sorted.iter().enumerate() {
        let first = tier.from_page.max(1);
        let last = match sorted.get(i + 1) {
            Some(next) => next.from_page.saturating_sub(1).min(pages),
            None => pages,
        };
        if last < first {
            continue;
        }
        let count = i64::from(last - first + 1);
        total = total.saturating_add(tier.amount_per_page.saturating_mul(count));
    }
    total
}

#[cfg(test)]
mod proposal_tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn an_on_time_birth_is_proposed_free_a_late_one_is_not() {
        let offered = [Exemption::OnTimeBirthRegistration, Exemption::PoorHousehold];
        let today = date(2026, 11, 23);
        // 60 days after 24/09 is 23/11: still on time; a day earlier is late.
        assert_eq!(
            proposed_exemption(&offered, Some(date(2026, 9, 24)), today),
            Some(Exemption::OnTimeBirthRegistration)
        );
        assert_eq!(
            proposed_exemption(&offered, Some(date(2026, 9, 23)), today),
            None
        );
        assert_eq!(proposed_exemption(&offered, None, today), None);
        // A birth after today is no fact to go on.
        assert_eq!(
            proposed_exemption(&offered, Some(date(2026, 12, 1)), today),
            None
        );
        let death = [Exemption::OnTimeDeathRegistration];
        assert_eq!(
            proposed_exemption(&death, Some(date(2026, 11, 8)), today),
            Some(Exemption::OnTimeDeathRegistration)
        );
        assert_eq!(
            proposed_exemption(&death, Some(date(2026, 11, 7)), today),
            None
        );
        assert_eq!(
            proposed_exemption(&[Exemption::DomesticMarriage], None, today),
            Some(Exemption::DomesticMarriage)
        );
        assert_eq!(
            event_day_label(&offered),
            Some("Ngày sinh của người được đăng ký khai sinh")
        );
        assert_eq!(event_day_label(&[Exemption::PoorHousehold]), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TT 226/2016/TT-BTC: 2.000 đ/page for pages 1–2, 1.000 đ/page from page 3,
    /// at most 200.000 đ per copy.
    fn certified_copy() -> Fee {
        Fee {
            name: "Lệ phí chứng thực bản sao từ bản chính".into(),
            rule: FeeRule::PerPage {
                tiers: vec![
                    PageTier {
                        from_page: 1,
                        amount_per_page: 2_000,
                    },
                    PageTier {
                        from_page: 3,
                        amount_per_page: 1_000,
                    },
                ],
                cap_per_copy: Some(200_000),
            },
            exemptions: vec![],
            note: None,
        }
    }

    fn fee(rule: FeeRule, exemptions: Vec<Exemption>) -> Fee {
        Fee {
            name: "Lệ phí".into(),
            rule,
            exemptions,
            note: None,
        }
    }

    fn input(pages: u32, copies: u32, cases: u32, exemption: Option<Exemption>) -> FeeInput {
        FeeInput {
            pages,
            copies,
            cases,
            exemption,
        }
    }

    #[test]
    fn legal_cases() {
        let civil_status = fee(
            FeeRule::Fixed { amount: 8_000 },
            vec![Exemption::OnTimeBirthRegistration, Exemption::PoorHousehold],
        );
        let cases: Vec<(&str, Fee, FeeInput, i64)> = vec![
            (
                "a one-page copy costs 2.000 đ",
                certified_copy(),
                input(1, 1, 1, None),
                2_000,
            ),
            (
                "two pages cost 4.000 đ",
                certified_copy(),
                input(2, 1, 1, None),
                4_000,
            ),
            (
                "three pages cost 2 × 2.000 + 1.000 = 5.000 đ",
                certified_copy(),
                input(3, 1, 1, None),
                5_000,
            ),
            (
                "a 250-page copy hits the 200.000 đ cap",
                certified_copy(),
                input(250, 1, 1, None),
                200_000,
            ),
            (
                "a 197-page copy stays under the cap: 4.000 + 195.000",
                certified_copy(),
                input(197, 1, 1, None),
                199_000,
            ),
            (
                "two copies of a 3-page original cost 10.000 đ",
                certified_copy(),
                input(3, 2, 1, None),
                10_000,
            ),
            (
                "the cap applies per copy: two copies of 250 pages",
                certified_copy(),
                input(250, 2, 1, None),
                400_000,
            ),
            (
                "zero copies cost nothing",
                certified_copy(),
                input(3, 0, 1, None),
                0,
            ),
            (
                "signature certification: 10.000 đ per case",
                fee(FeeRule::PerCase { amount: 10_000 }, vec![]),
                input(1, 1, 1, None),
                10_000,
            ),
            (
                "three signature cases: 30.000 đ",
                fee(FeeRule::PerCase { amount: 10_000 }, vec![]),
                input(1, 1, 3, None),
                30_000,
            ),
            (
                "a contract: 50.000 đ whatever its pages",
                fee(FeeRule::Fixed { amount: 50_000 }, vec![]),
                input(12, 3, 1, None),
                50_000,
            ),
            (
                "an extract copy: 8.000 đ per copy",
                fee(FeeRule::PerCopy { amount: 8_000 }, vec![]),
                input(1, 3, 1, None),
                24_000,
            ),
            (
                "free is free",
                fee(FeeRule::Free, vec![]),
                input(5, 5, 5, None),
                0,
            ),
            (
                "on-time birth registration is exempt",
                civil_status.clone(),
                input(1, 1, 1, Some(Exemption::OnTimeBirthRegistration)),
                0,
            ),
            (
                "a poor household is exempt",
                civil_status.clone(),
                input(1, 1, 1, Some(Exemption::PoorHousehold)),
                0,
            ),
            (
                "an exemption the fee does not grant changes nothing",
                civil_status.clone(),
                input(1, 1, 1, Some(Exemption::DomesticMarriage)),
                8_000,
            ),
            (
                "late birth registration pays",
                civil_status,
                input(1, 1, 1, None),
                8_000,
            ),
        ];
        for (name, fee, input, expected) in cases {
            assert_eq!(fee.compute(&input), expected, "{name}");
        }
    }

    #[test]
    fn absurd_inputs_neither_panic_nor_overflow() {
        let copy = certified_copy();
        assert_eq!(copy.compute(&input(u32::MAX, u32::MAX, 1, None)), {
            200_000_i64 * i64::from(u32::MAX)
        });
        let uncapped = fee(
            FeeRule::PerPage {
                tiers: vec![PageTier {
                    from_page: 1,
                    amount_per_page: i64::MAX,
                }],
                cap_per_copy: None,
            },
            vec![],
        );
        assert_eq!(uncapped.compute(&input(3, 3, 1, None)), i64::MAX);
        let negative = fee(FeeRule::Fixed { amount: -5 }, vec![]);
        assert_eq!(negative.compute(&FeeInput::default()), 0);
        // Unsorted tiers are priced as if sorted.
        let unsorted = fee(
            FeeRule::PerPage {
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
            vec![],
        );
        assert_eq!(unsorted.compute(&input(3, 1, 1, None)), 5_000);
    }

    #[test]
    fn serde_shape_is_stable() {
        let json = serde_json::to_value(certified_copy()).expect("serialisable");
        assert_eq!(
            json,
            serde_json::json!({
                "name": "Lệ phí chứng thực bản sao từ bản chính",
                "rule": {
                    "kind": "per_page",
                    "tiers": [
                        {"from_page": 1, "amount_per_page": 2000},
                        {"from_page": 3, "amount_per_page": 1000}
                    ],
                    "cap_per_copy": 200000
                },
                "exemptions": [],
                "note": null
            })
        );
        let back: Fee = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, certified_copy());
        let free: FeeRule = serde_json::from_str(r#"{"kind":"free"}"#).expect("free");
        assert_eq!(free, FeeRule::Free);
        assert!(serde_json::from_str::<FeeRule>(r#"{"kind":"fixed","amout":1}"#).is_err());
    }

    #[test]
    fn exemption_names_round_trip() {
        for e in Exemption::ALL {
            assert_eq!(Exemption::parse(e.as_str()), Some(e));
            let json = serde_json::to_string(&e).expect("serialisable");
            assert_eq!(json, format!("\"{}\"", e.as_str()));
            assert!(!e.label_vi().is_empty());
        }
        assert_eq!(Exemption::parse("rich"), None);
    }
}
