use super::layout::*;
use super::xlsx_read::{excel_serial_date, parse_date, parse_integer};
use super::xlsx_write::{number, sheet_rows, write_book, Cell, SheetData};
use super::*;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use motcua_domain::calendar::TimeLimit;
use motcua_domain::procedure::{FeeRule, Procedure, StepShare};
use unicode_normalization::{is_nfc, UnicodeNormalization};

const SEED_FILES: [(&str, &str); 6] = [
    (
        "ho-tich.json",
        include_str!("../../../../seeds/catalogue/ho-tich.json"),
    ),
    (
        "chung-thuc.json",
        include_str!("../../../../seeds/catalogue/chung-thuc.json"),
    ),
    (
        "kinh-doanh.json",
        include_str!("../../../../seeds/catalogue/kinh-doanh.json"),
    ),
    (
        "bao-tro-xa-hoi.json",
        include_str!("../../../../seeds/catalogue/bao-tro-xa-hoi.json"),
    ),
    (
        "xay-dung.json",
        include_str!("../../../../seeds/catalogue/xay-dung.json"),
    ),
    (
        "dat-dai.json",
        include_str!("../../../../seeds/catalogue/dat-dai.json"),
    ),
];

/// The whole seed catalogue, in file order.
fn seeds() -> Vec<Procedure> {
    SEED_FILES
        .iter()
        .flat_map(|(name, text)| {
            serde_json::from_str::<Vec<Procedure>>(text)
                .unwrap_or_else(|e| panic!("seed {name} parses: {e}"))
        })
        .collect()
}

fn seed(code: &str) -> Procedure {
    seeds()
        .into_iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("seed {code} exists"))
}

fn problems(result: Result<Vec<Procedure>, CatalogueError>) -> Vec<String> {
    match result {
        Ok(_) => panic!("expected the import to fail"),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

/// Sheets of the seed catalogue, to be spoiled by a test and written.
fn sheets_of(procs: &[Procedure]) -> Vec<SheetData> {
    sheet_rows(procs)
}

fn set(sheets: &mut [SheetData], sheet: &str, data_row: usize, header: &str, value: Cell) {
    let data = sheets
        .iter_mut()
        .find(|s| s.name == sheet)
        .expect("sheet exists");
    let col = data
        .columns
        .iter()
        .position(|c| c.header == header)
        .expect("column exists");
    data.rows[data_row][col] = value;
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

// -------------------------------------------------------------------------
// Round trips
// -------------------------------------------------------------------------

#[test]
fn seed_catalogue_round_trips_through_json() {
    let procs = seeds();
    assert!(procs.len() >= 30, "{} procedures", procs.len());
    let json = to_json(&procs);
    let back = from_json(&json).expect("the exported JSON imports");
    assert_eq!(back, procs);
    // The export is the seed files' own shape.
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(
        value,
        serde_json::to_value(&procs).expect("serialisable"),
        "same serde shape"
    );
}

#[test]
fn seed_catalogue_round_trips_through_xlsx() {
    let procs = seeds();
    let xlsx = to_xlsx(&procs).expect("the catalogue exports");
    assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip");
    let back = from_xlsx(&xlsx).unwrap_or_else(|e| panic!("the workbook imports:\n{e}"));
    assert_eq!(back.len(), procs.len());
    for (got, want) in back.iter().zip(&procs) {
        assert_eq!(got, want, "procedure {}", want.code);
    }
    // To look at it: MOTCUA_DOCS_OUT=/tmp cargo test -p motcua-docs seed_catalogue
    if let Some(dir) = std::env::var_os("MOTCUA_DOCS_OUT") {
        let path = std::path::Path::new(&dir).join("catalogue.xlsx");
        std::fs::write(&path, &xlsx).expect("writes the workbook");
        eprintln!("wrote {}", path.display());
    }
}

#[test]
fn workbook_has_the_documented_sheets_and_headers() {
    let xlsx = to_xlsx(&seeds()).expect("exports");
    let mut book = Xlsx::new(Cursor::new(xlsx)).expect("calamine reads it");
    assert_eq!(
        book.sheet_names(),
        [
            SHEET_PROCEDURES,
            SHEET_DOCUMENTS,
            SHEET_FEES,
            SHEET_RESULTS,
            SHEET_STEPS,
            SHEET_LINKED,
            SHEET_GUIDE
        ]
    );
    let fees = book.worksheet_range(SHEET_FEES).expect("fee sheet");
    let headers: Vec<String> = (0..FEE_COLUMNS.len() as u32)
        .map(|c| {
            fees.get_value((0, c))
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        headers,
        FEE_COLUMNS.iter().map(|c| c.header).collect::<Vec<_>>()
    );
    // The certified copy's tiers are written as text, codes as codes.
    let row = (1..=fees.end().map_or(0, |e| e.0))
        .find(|&r| {
            fees.get_value((r, 0))
                .is_some_and(|c| *c == Data::String("2.000815".into()))
        })
        .expect("a fee row of 2.000815");
    assert_eq!(
        fees.get_value((row, 3)).map(ToString::to_string).as_deref(),
        Some("per_page")
    );
    assert_eq!(
        fees.get_value((row, 6)).map(ToString::to_string).as_deref(),
        Some("1:2000;3:1000")
    );
    let procedures = book.worksheet_range(SHEET_PROCEDURES).expect("sheet");
    let marital = (1..=procedures.end().map_or(0, |e| e.0))
        .find(|&r| {
            procedures
                .get_value((r, 0))
                .is_some_and(|c| *c == Data::String("1.004873".into()))
        })
        .expect("row of 1.004873");
    let cell = |c: u32| {
        procedures
            .get_value((marital, c))
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    assert_eq!(cell(4), "3wd");
    assert_eq!(cell(5), "3 ngày làm việc");
    assert_eq!(cell(6), "1wd");
    assert_eq!(cell(16), "01/07/2025");
    // A limit in calendar days says "ngày", not "ngày làm việc".
    let permit = (1..=procedures.end().map_or(0, |e| e.0))
        .find(|&r| {
            procedures
                .get_value((r, 0))
                .is_some_and(|c| *c == Data::String("1.013225".into()))
        })
        .expect("row of 1.013225");
    let cell = |c: u32| {
        procedures
            .get_value((permit, c))
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    assert_eq!(cell(4), "15cd");
    assert_eq!(cell(5), "15 ngày");
    assert_eq!(cell(6), "15cd");
}

#[test]
fn calendar_day_limits_import_and_misspellings_are_explained() {
    let mut procs = vec![seed("1.004873")];
    procs[0].statutory_limit = TimeLimit::CalendarDays(15);
    procs[0].committed_limit = TimeLimit::WorkingDays(10);
    procs[0].verification_limit = Some(TimeLimit::CalendarDays(25));
    // Its steps are shares in hours of the seed's 1-day commitment.
    procs[0].steps.clear();
    let xlsx = to_xlsx(&procs).expect("exports");
    let back = from_xlsx(&xlsx).unwrap_or_else(|e| panic!("imports:\n{e}"));
    assert_eq!(back, procs);

    let mut sheets = sheets_of(&procs);
    set(&mut sheets, SHEET_PROCEDURES, 0, H_STATUTORY, text("15d"));
    let found = problems(from_xlsx(&write_book(&sheets).expect("writes")));
    assert!(
        found
            .iter()
            .any(|p| p.contains("«15d»") && p.contains("15cd")),
        "{found:#?}"
    );
}

#[test]
fn vietnamese_text_survives_exactly() {
    let mut p = seed("1.004873");
    p.name = "Cấp Giấy xác nhận tình trạng hôn nhân — Ỷ La, Ữ Ỡ Ợ Ự Ỵ, ặ ẫ ể ồ ở «đặc biệt»".into();
    p.legal_basis = "=SUM(A1) & <b>Luật</b> \"Hộ tịch\" 'năm' 2014; _x0041_".into();
    p.documents[0].note = Some("Người yêu cầu: Nguyễn Thị Hồng Nhung, phường Ỷ La 🙂".into());
    // The largest amount a fee may have, every digit kept.
    p.fees[0].rule = FeeRule::Fixed {
        amount: motcua_domain::limits::FEE_AMOUNT,
    };
    let procs = vec![p];
    for (format, back) in [
        ("json", from_json(&to_json(&procs))),
        (
            "xlsx",
            from_xlsx(&to_xlsx(&procs).expect("exports")).map_err(|e| {
                eprintln!("{e}");
                e
            }),
        ),
    ] {
        let back = back.unwrap_or_else(|e| panic!("{format} imports: {e}"));
        assert_eq!(back, procs, "{format}");
        assert_eq!(
            back[0].name.as_bytes(),
            procs[0].name.as_bytes(),
            "{format}"
        );
        assert!(is_nfc(&back[0].name), "{format}");
    }
}

#[test]
fn text_typed_in_combining_marks_is_stored_nfc() {
    let mut p = seed("1.001193");
    let decomposed: String = "Đăng ký khai sinh".nfd().collect();
    assert!(!is_nfc(&decomposed));
    p.name = decomposed;
    let procs = vec![p];
    for back in [
        from_json(&to_json(&procs)).expect("json"),
        from_xlsx(&to_xlsx(&procs).expect("exports")).expect("xlsx"),
    ] {
        assert_eq!(back[0].name, "Đăng ký khai sinh");
        assert!(is_nfc(&back[0].name));
    }
}

// -------------------------------------------------------------------------
// Workbook problems
// -------------------------------------------------------------------------

#[test]
fn cell_problems_name_sheet_row_and_column_and_are_all_reported() {
    let procs = seeds();
    let mut sheets = sheets_of(&procs);
    // Data row 5 is Excel row 7 (header is row 1, data from row 2).
    set(&mut sheets, SHEET_FEES, 5, H_AMOUNT, text("hai nghìn"));
    set(
        &mut sheets,
        SHEET_PROCEDURES,
        0,
        H_STATUTORY,
        text("3 ngày"),
    );
    set(
        &mut sheets,
        SHEET_PROCEDURES,
        1,
        H_EFFECTIVE,
        text("31/02/2025"),
    );
    set(
        &mut sheets,
        SHEET_DOCUMENTS,
        2,
        H_DOC_KIND,
        text("ban_chinh"),
    );
    set(&mut sheets, SHEET_RESULTS, 0, H_CODE, text("9.999999"));
    set(
        &mut sheets,
        SHEET_RESULTS,
        1,
        H_REGISTER,
        text("hình như có"),
    );
    set(&mut sheets, SHEET_STEPS, 0, H_SHARE, text("nửa ngày"));
    set(
        &mut sheets,
        SHEET_FEES,
        0,
        H_EXEMPTIONS,
        text("poor_household, rich"),
    );
    set(
        &mut sheets,
        SHEET_PROCEDURES,
        2,
        H_RETURN,
        text("counter, drone"),
    );
    let xlsx = write_book(&sheets).expect("writes");
    let got = problems(from_xlsx(&xlsx));
    let fee_row = fee_amount_rule_is_amount(&sheets, 5);
    assert!(
        fee_row,
        "data row 5 of «Lệ phí» has an amount column in use"
    );
    let expected = [
        "Sheet «Lệ phí», dòng 7, cột «Số tiền»: «hai nghìn» không phải là số nguyên.",
        "Sheet «Thủ tục», dòng 2, cột «Thời hạn theo luật (mã)»: Thời hạn không hợp lệ: «3 ngày».",
        "Sheet «Thủ tục», dòng 3, cột «Hiệu lực từ»: «31/02/2025» không phải là ngày hợp lệ",
        "Sheet «Thành phần hồ sơ», dòng 4, cột «Loại bản (mã)»: «ban_chinh» không phải là mã loại bản; các mã hợp lệ: original, certified_copy, photocopy, original_or_certified_copy.",
        "Sheet «Kết quả», dòng 2, cột «Mã thủ tục»: không có thủ tục mã «9.999999» trong sheet «Thủ tục».",
        "Sheet «Kết quả», dòng 3, cột «Vào sổ (có/không)»: «hình như có» phải là «có» hoặc «không».",
        "Sheet «Quy trình», dòng 2, cột «Thời gian (mã)»: Tỷ lệ thời gian «nửa ngày» không hợp lệ.",
        "Sheet «Lệ phí», dòng 2, cột «Đối tượng miễn (mã)»: «rich» không phải là mã đối tượng miễn",
        "Sheet «Thủ tục», dòng 4, cột «Cách trả kết quả (mã)»: «drone» không phải là mã cách trả kết quả",
    ];
    for want in expected {
        assert!(
            got.iter().any(|g| g.starts_with(want)),
            "missing {want:?} in\n{}",
            got.join("\n")
        );
    }
    assert_eq!(got.len(), expected.len(), "{}", got.join("\n"));
}

/// Whether the fee of a data row is one with an amount (so that the test
/// spoils a cell that is read).
fn fee_amount_rule_is_amount(sheets: &[SheetData], data_row: usize) -> bool {
    let fees = sheets
        .iter()
        .find(|s| s.name == SHEET_FEES)
        .expect("fee sheet");
    let col = fees
        .columns
        .iter()
        .position(|c| c.header == H_RULE)
        .expect("rule column");
    matches!(&fees.rows[data_row][col], Cell::Text(k) if k != "free" && k != "per_page")
}

#[test]
fn the_example_of_the_brief_reads_as_written() {
    let mut p = seed("2.000884");
    p.code = "1.000001".into();
    let mut sheets = sheets_of(&[p]);
    set(&mut sheets, SHEET_FEES, 0, H_AMOUNT, text("hai nghìn"));
    let got = problems(from_xlsx(&write_book(&sheets).expect("writes")));
    assert_eq!(
        got,
        ["Sheet «Lệ phí», dòng 2, cột «Số tiền»: «hai nghìn» không phải là số nguyên."]
    );
}

#[test]
fn validation_problems_are_prefixed_by_code_and_placed() {
    let mut p = seed("1.004873");
    p.committed_limit = TimeLimit::WorkingDays(4);
    p.steps.clear();
    p.fees[0].rule = FeeRule::Fixed { amount: -1 };
    p.documents[1].count = 0;
    p.legal_basis = " ".into();
    let err = from_xlsx(&to_xlsx(&[p]).expect("exports")).expect_err("invalid");
    let got: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "Thủ tục 1.004873 (sheet «Thủ tục», dòng 2, cột «Thời hạn cam kết (mã)»): Thời hạn cam kết (4 ngày làm việc) không được dài hơn thời hạn theo quy định (3 ngày làm việc).",
            "Thủ tục 1.004873 (sheet «Thành phần hồ sơ», dòng 3, cột «Số lượng»): Số lượng giấy tờ phải lớn hơn 0.",
            "Thủ tục 1.004873 (sheet «Lệ phí», dòng 2, cột «Số tiền»): Số tiền không được âm.",
            "Thủ tục 1.004873 (sheet «Thủ tục», dòng 2, cột «Căn cứ pháp lý»): Căn cứ pháp lý không được để trống.",
        ],
        "{err}"
    );
    assert_eq!(err.problems()[0].procedure.as_deref(), Some("1.004873"));
}

#[test]
fn a_file_that_is_not_a_workbook_is_a_clear_error() {
    let valid = to_xlsx(&seeds()).expect("exports");
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("text", "Đây không phải bảng tính".as_bytes().to_vec()),
        ("json", to_json(&seeds())),
        ("truncated", valid[..valid.len() / 2].to_vec()),
        (
            "zip of nothing",
            b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(),
        ),
    ] {
        let got = problems(from_xlsx(&bytes));
        assert_eq!(got.len(), 1, "{what}: {got:?}");
        assert!(
            got[0].starts_with("Tệp không phải là bảng tính Excel (.xlsx) đọc được")
                || got[0].starts_with("Tệp bảng tính bị hỏng"),
            "{what}: {got:?}"
        );
    }
}

#[test]
fn missing_sheets_and_headers_are_all_reported() {
    let mut sheets = sheets_of(&seeds());
    sheets.retain(|s| s.name != SHEET_LINKED && s.name != SHEET_RESULTS);
    let fees = sheets
        .iter_mut()
        .find(|s| s.name == SHEET_FEES)
        .expect("fees");
    // Drop the amount and tiers columns, as an officer deleting them would.
    let dropped = |c: &Column| [H_AMOUNT, H_TIERS].contains(&c.header);
    let kept: Vec<bool> = fees.columns.iter().map(|c| !dropped(c)).collect();
    for row in &mut fees.rows {
        let mut keep = kept.iter();
        row.retain(|_| keep.next().copied().unwrap_or(false));
    }
    let columns: Vec<Column> = FEE_COLUMNS
        .iter()
        .filter(|c| !dropped(c))
        .map(|c| Column { ..*c })
        .collect();
    // A test may leak: the sheet layout wants a static slice.
    fees.columns = Vec::leak(columns);
    let got = problems(from_xlsx(&write_book(&sheets).expect("writes")));
    assert_eq!(
        got,
        [
            "Sheet «Lệ phí»: dòng tiêu đề (dòng 1) thiếu cột «Số tiền», «Mức theo trang».",
            "Thiếu sheet «Kết quả». Bảng tính cần đủ các sheet: «Thủ tục», «Thành phần hồ sơ», «Lệ phí», «Kết quả», «Quy trình», «Liên thông».",
            "Thiếu sheet «Liên thông». Bảng tính cần đủ các sheet: «Thủ tục», «Thành phần hồ sơ», «Lệ phí», «Kết quả», «Quy trình», «Liên thông».",
        ]
    );
}

#[test]
fn an_empty_workbook_lists_every_missing_sheet() {
    let xlsx = write_book(&[]).expect("writes just the guide");
    let got = problems(from_xlsx(&xlsx));
    assert_eq!(got.len(), 6, "{got:?}");
}

#[test]
fn duplicates_are_refused() {
    let procs = seeds();
    let mut sheets = sheets_of(&procs[..2]);
    let second = procs[1].code.clone();
    set(
        &mut sheets,
        SHEET_PROCEDURES,
        0,
        H_CODE,
        Cell::Text(second.clone()),
    );
    // Two steps of the second procedure with the same position.
    let steps_of_second = sheets
        .iter()
        .find(|s| s.name == SHEET_STEPS)
        .expect("steps")
        .rows
        .iter()
        .position(|r| matches!(&r[0], Cell::Text(c) if *c == second))
        .expect("a step of the second procedure");
    set(
        &mut sheets,
        SHEET_STEPS,
        steps_of_second + 1,
        H_POSITION,
        number(1),
    );
    let got = problems(from_xlsx(&write_book(&sheets).expect("writes")));
    assert!(
        got.iter().any(|g| g
            == &format!("Sheet «Thủ tục», dòng 3, cột «Mã thủ tục»: mã thủ tục «{second}» đã có ở dòng 2; mỗi thủ tục chỉ ghi một dòng.")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|g| g.contains("cột «STT»: STT 1 của thủ tục")),
        "{got:?}"
    );

    let mut twice = procs[..1].to_vec();
    twice.push(procs[0].clone());
    assert!(matches!(to_xlsx(&twice), Err(CatalogueError::Write(_))));
}

#[test]
fn what_excel_does_to_typed_values_is_handled() {
    let p = seed("2.000720");
    // A code typed into a General cell becomes a number and loses its zero.
    let mut sheets = sheets_of(std::slice::from_ref(&p));
    set(
        &mut sheets,
        SHEET_PROCEDURES,
        0,
        H_CODE,
        Cell::Float(2.00072),
    );
    let got = problems(from_xlsx(&write_book(&sheets).expect("writes")));
    assert!(
        got.iter().any(|g| g.starts_with(
            "Sheet «Thủ tục», dòng 2, cột «Mã thủ tục»: «2.00072» đã bị Excel đổi thành số"
        )),
        "{got:?}"
    );

    // 25% typed into a General cell is stored as 0.25, a typed date as a
    // date serial; amounts may be grouped text; rows are ordered by STT,
    // not by where they stand.
    // Of 3 working days (24 hours): 25% + 10 + 4 + 4 hours = the whole.
    let mut p = p;
    p.steps[0].share = StepShare::Percent(25);
    p.steps[1].share = StepShare::WorkingHours(10);
    let mut sheets = sheets_of(&[p.clone()]);
    set(&mut sheets, SHEET_STEPS, 0, H_SHARE, Cell::Float(0.25));
    set(
        &mut sheets,
        SHEET_PROCEDURES,
        0,
        H_EFFECTIVE,
        Cell::Date(45_839.0),
    );
    set(&mut sheets, SHEET_FEES, 0, H_AMOUNT, text("100.000"));
    sheets
        .iter_mut()
        .filter(|s| s.name == SHEET_DOCUMENTS || s.name == SHEET_STEPS)
        .for_each(|s| s.rows.reverse());
    let back = from_xlsx(&write_book(&sheets).expect("writes")).expect("imports");
    assert_eq!(back, vec![p]);
}

#[test]
fn integers_as_officers_write_them() {
    for (text, want) in [
        ("2000", Some(2000)),
        ("2.000", Some(2000)),
        ("2 000", Some(2000)),
        ("1.250.000", Some(1_250_000)),
        ("-5", Some(-5)),
        (" 7 ", Some(7)),
        ("9007199254740993", Some(9_007_199_254_740_993)),
        ("hai nghìn", None),
        ("1.5", None),
        ("1.0000", None),
        ("", None),
        ("+5", None),
        ("1.000 000", None),
        ("99999999999999999999", None),
    ] {
        assert_eq!(parse_integer(text), want, "{text:?}");
    }
}

#[test]
fn dates_as_officers_write_them() {
    let july = jiff::civil::date(2025, 7, 1);
    for (text, want) in [
        ("01/07/2025", Some(july)),
        ("1/7/2025", Some(july)),
        ("2025-07-01", Some(july)),
        ("01-07-2025", Some(july)),
        ("31/02/2025", None),
        ("07/2025", None),
        ("01/07/25", None),
        ("hôm nay", None),
    ] {
        assert_eq!(parse_date(text), want, "{text:?}");
    }
    assert_eq!(excel_serial_date(45_839.0), Some(july));
    assert_eq!(excel_serial_date(45_839.75), Some(july));
    assert_eq!(excel_serial_date(-1.0), None);
}

// -------------------------------------------------------------------------
// JSON problems
// -------------------------------------------------------------------------

#[test]
fn json_problems_are_precise_and_collected() {
    let got = problems(from_json(b"[{\"code\": \"1.001193\",}]"));
    assert_eq!(got.len(), 1);
    assert!(
        got[0] == "Tệp không phải là JSON hợp lệ: lỗi cú pháp ở dòng 1, cột 22 (trailing comma).",
        "{got:?}"
    );
    assert!(problems(from_json(b"[")).len() == 1);
    assert_eq!(
        problems(from_json(b"{\"code\": \"1.001193\"}")),
        ["Tệp JSON phải là một mảng các thủ tục ([ {…}, {…} ])."]
    );

    let mut procs = seeds()[..3].to_vec();
    procs[2].fees[0].rule = FeeRule::Fixed { amount: -1 };
    let mut value = serde_json::to_value(&procs).expect("serialisable");
    value[1]["comitted_limit"] = serde_json::json!("1wd");
    let first = value[0].clone();
    value.as_array_mut().expect("array").push(first);
    let bytes = serde_json::to_vec(&value).expect("bytes");
    let got = problems(from_json(&bytes));
    let second = &procs[1].code;
    let third = &procs[2].code;
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].starts_with(&format!(
            "Thủ tục {second} (mục thứ 2): Không đúng cấu trúc của một thủ tục: unknown field `comitted_limit`"
        )),
        "{got:#?}"
    );
    assert_eq!(
        got[1],
        format!(
            "Thủ tục {third} (mục thứ 3, trường «fees[0].rule.amount»): Số tiền không được âm."
        )
    );
    assert_eq!(
        got[2],
        format!(
            "Mục thứ 4, trường «code»: Mã thủ tục «{}» đã có ở mục thứ 1; mỗi thủ tục chỉ ghi một lần.",
            procs[0].code
        )
    );
}

#[test]
fn json_with_a_byte_order_mark_reads() {
    let procs = seeds()[..1].to_vec();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(to_json(&procs));
    assert_eq!(from_json(&bytes).expect("reads"), procs);
}
