//! The seed catalogue (`seeds/catalogue/*.json`) must load and validate: it is
//! what a new commune starts with, and a typo there would publish a wrong
//! procedure to every citizen.

use std::collections::BTreeMap;

use super::{FeeInput, FeeRule, Procedure};
use crate::calendar::TimeLimit;

/// The sector codes the database seeds (code → name).
const KNOWN_SECTORS: [&str; 15] = [
    "ho-tich",
    "chung-thuc",
    "dat-dai",
    "xay-dung",
    "moi-truong",
    "kinh-doanh",
    "bao-tro-xa-hoi",
    "nguoi-co-cong",
    "lao-dong",
    "van-hoa",
    "giao-duc",
    "y-te",
    "nong-nghiep",
    "noi-vu",
    "tiep-cong-dan",
];

/// Every seed file, named by the sector it holds.
const SEED_FILES: [(&str, &str); 6] = [
    (
        "ho-tich",
        include_str!("../../../../seeds/catalogue/ho-tich.json"),
    ),
    (
        "chung-thuc",
        include_str!("../../../../seeds/catalogue/chung-thuc.json"),
    ),
    (
        "kinh-doanh",
        include_str!("../../../../seeds/catalogue/kinh-doanh.json"),
    ),
    (
        "bao-tro-xa-hoi",
        include_str!("../../../../seeds/catalogue/bao-tro-xa-hoi.json"),
    ),
    (
        "xay-dung",
        include_str!("../../../../seeds/catalogue/xay-dung.json"),
    ),
    (
        "dat-dai",
        include_str!("../../../../seeds/catalogue/dat-dai.json"),
    ),
];

fn load() -> Vec<(&'static str, Procedure)> {
    let mut all = Vec::new();
    for (file, json) in SEED_FILES {
        let procedures: Vec<Procedure> = match serde_json::from_str(json) {
            Ok(p) => p,
            Err(e) => panic!("seeds/catalogue/{file}.json does not parse: {e}"),
        };
        assert!(!procedures.is_empty(), "{file}.json is empty");
        all.extend(procedures.into_iter().map(|p| (file, p)));
    }
    all
}

fn by_code(code: &str) -> Procedure {
    match load().into_iter().find(|(_, p)| p.code == code) {
        Some((_, p)) => p,
        None => panic!("{code} is not in the seed catalogue"),
    }
}

#[test]
fn every_seed_procedure_is_valid() {
    let mut failures = Vec::new();
    for (file, p) in load() {
        for e in p.validate() {
            failures.push(format!("{file}.json {}: {e}", p.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seed_text_is_already_normalized() {
    for (file, p) in load() {
        let mut normalized = p.clone();
        normalized.normalize();
        assert_eq!(normalized, p, "{file}.json {} is not NFC/trimmed", p.code);
    }
}

#[test]
fn codes_are_unique_across_files() {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (file, p) in load() {
        if let Some(other) = seen.insert(p.code.clone(), file) {
            panic!("{} is in both {other}.json and {file}.json", p.code);
        }
    }
}

#[test]
fn sectors_are_known_and_match_their_file() {
    for (file, p) in load() {
        assert!(
            KNOWN_SECTORS.contains(&p.sector.as_str()),
            "{}: unknown sector {}",
            p.code,
            p.sector
        );
        assert_eq!(p.sector, file, "{} is filed under the wrong sector", p.code);
        for link in &p.linked {
            assert_ne!(link.code, p.code);
        }
    }
}

#[test]
fn seeds_are_round_trippable() {
    for (file, p) in load() {
        let json = serde_json::to_string(&p).expect("serialisable");
        let back: Procedure = match serde_json::from_str(&json) {
            Ok(b) => b,
            Err(e) => panic!("{file}.json {} does not round-trip: {e}", p.code),
        };
        assert_eq!(back, p);
    }
}

/// The limits legal-facts.md gives, statutory and committed, and the longer
/// limit when verification is needed.
#[test]
fn civil_status_limits_follow_the_law() {
    use TimeLimit::*;
    let table: [(&str, TimeLimit, TimeLimit, Option<TimeLimit>); 16] = [
        ("1.001193", SameDay, SameDay, None), // khai sinh
        (
            "1.000689",
            WorkingDays(3),
            WorkingDays(3),
            Some(WorkingDays(8)),
        ), // khai sinh + nhận cha, mẹ, con
        ("1.003583", WorkingDays(5), WorkingDays(5), None), // khai sinh lưu động
        ("1.000894", SameDay, SameDay, Some(WorkingDays(5))), // kết hôn
        ("1.000593", WorkingDays(5), WorkingDays(5), None), // kết hôn lưu động
        ("1.000656", SameDay, SameDay, Some(WorkingDays(3))), // khai tử
        ("1.000419", WorkingDays(5), WorkingDays(5), None), // khai tử lưu động
        (
            "1.001022",
            WorkingDays(3),
            WorkingDays(3),
            Some(WorkingDays(8)),
        ), // nhận cha, mẹ, con
        (
            "1.004859",
            WorkingDays(3),
            WorkingDays(3),
            Some(WorkingDays(6)),
        ), // thay đổi, cải chính
        (
            "1.004873",
            WorkingDays(3),
            WorkingDays(1),
            Some(WorkingDays(6)),
        ), // xác nhận TTHN
        (
            "1.004884",
            WorkingDays(5),
            WorkingDays(5),
            Some(WorkingDays(10)),
        ), // đăng ký lại khai sinh
        (
            "1.005461",
            WorkingDays(5),
            WorkingDays(5),
            Some(WorkingDays(10)),
        ), // đăng ký lại khai tử
        (
            "1.004746",
            WorkingDays(5),
            WorkingDays(5),
            Some(WorkingDays(10)),
        ), // đăng ký lại kết hôn
        ("1.004837", WorkingDays(3), WorkingDays(3), None), // giám hộ
        ("1.004845", WorkingDays(2), WorkingDays(2), None), // chấm dứt giám hộ
        ("2.000635", SameDay, SameDay, None), // bản sao trích lục
    ];
    for (code, statutory, committed, verification) in table {
        let p = by_code(code);
        assert_eq!(p.sector, "ho-tich", "{code}");
        assert_eq!(p.level, "commune", "{code}");
        assert_eq!(p.statutory_limit, statutory, "{code} statutory");
        assert_eq!(p.committed_limit, committed, "{code} committed");
        assert_eq!(p.verification_limit, verification, "{code} verification");
    }
}

/// Limits the law writes in days ("15 ngày", "30 ngày"), which are calendar
/// days (Bộ luật Dân sự 2015 art. 147–148), not working days.
#[test]
fn calendar_day_limits_follow_the_law() {
    use TimeLimit::*;
    for (code, sector, days) in [
        ("1.013225", "xay-dung", 15), // Luật Xây dựng: giấy phép xây dựng nhà ở riêng lẻ
        ("1.013975", "dat-dai", 30),  // Luật Đất đai 2024: hòa giải tranh chấp đất đai
    ] {
        let p = by_code(code);
        assert_eq!(p.sector, sector, "{code}");
        assert_eq!(p.statutory_limit, CalendarDays(days), "{code} statutory");
        assert_eq!(p.committed_limit, CalendarDays(days), "{code} committed");
    }
    // Every other seed counts working days, hours, or the same day.
    for (file, p) in load() {
        if !["1.013225", "1.013975"].contains(&p.code.as_str()) {
            assert!(
                !matches!(p.statutory_limit, CalendarDays(_)),
                "{file}.json {}",
                p.code
            );
        }
    }
}

#[test]
fn certification_fees_follow_the_circular() {
    let copy = by_code("2.000815");
    let fee = &copy.fees[0];
    let pages = |pages, copies| {
        fee.compute(&FeeInput {
            pages,
            copies,
            ..FeeInput::default()
        })
    };
    assert_eq!(pages(1, 1), 2_000);
    assert_eq!(pages(3, 1), 5_000);
    assert_eq!(pages(250, 1), 200_000);
    assert_eq!(pages(3, 2), 10_000);

    assert_eq!(
        by_code("2.000884").fees[0].rule,
        FeeRule::PerCase { amount: 10_000 }
    );
    assert_eq!(
        by_code("2.001035").fees[0].rule,
        FeeRule::Fixed { amount: 50_000 }
    );
    assert_eq!(
        by_code("2.000913").fees[0].rule,
        FeeRule::Fixed { amount: 30_000 }
    );
    assert_eq!(
        by_code("2.000927").fees[0].rule,
        FeeRule::Fixed { amount: 25_000 }
    );
    assert_eq!(
        by_code("2.000635").fees[0].rule,
        FeeRule::PerCopy { amount: 8_000 }
    );
}

#[test]
fn civil_status_exemptions_follow_the_law() {
    use super::Exemption::*;
    let exempt = |code: &str, e| {
        let p = by_code(code);
        p.fees.iter().all(|f| {
            f.compute(&FeeInput {
                exemption: Some(e),
                ..FeeInput::default()
            }) == 0
        })
    };
    assert!(exempt("1.001193", OnTimeBirthRegistration));
    assert!(exempt("1.000656", OnTimeDeathRegistration));
    assert!(exempt("1.000894", DomesticMarriage));
    for code in ["1.001193", "1.000656", "1.001022", "1.004859", "1.004873"] {
        for e in [PoorHousehold, RevolutionaryMeritFamily, Disability] {
            assert!(exempt(code, e), "{code} {e:?}");
        }
    }
    // Guardianship is free by law whoever asks.
    for code in ["1.004837", "1.004845"] {
        assert!(by_code(code)
            .fees
            .iter()
            .all(|f| f.compute(&FeeInput::default()) == 0));
    }
    // Late birth registration pays.
    assert!(!exempt("1.001193", DomesticMarriage));
}

#[test]
fn at_least_ten_procedures_outside_civil_status_and_certification() {
    let others = load()
        .into_iter()
        .filter(|(_, p)| p.sector != "ho-tich" && p.sector != "chung-thuc")
        .count();
    assert!(others >= 10, "only {others}");
}
