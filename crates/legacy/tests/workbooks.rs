//! Hand-made workbooks read back: encodings by font and by detection, every
//! date form, merged title rows, two-row headers, blank rows, impossible
//! dates, identity numbers that lost their leading zeros.

use jiff::civil::date;
use motcua_domain::text::encoding::{encode_tcvn3, encode_vni};
use motcua_legacy::{read_workbook, Mapping, ReadError, Row, Sheet, Value};
use rust_xlsxwriter::{Format, Workbook as XlsxBook};

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn get<'a>(row: &'a Row, field: &str) -> &'a Value {
    row.values
        .get(field)
        .unwrap_or_else(|| panic!("row {} has no {field}: {:?}", row.excel_row, row.values))
}

fn reason(v: &Value) -> &str {
    match v {
        Value::Invalid { reason, .. } => reason,
        other => panic!("expected an invalid value, got {other:?}"),
    }
}

fn row(sheet: &Sheet, excel_row: u32) -> &Row {
    sheet
        .rows
        .iter()
        .find(|r| r.excel_row == excel_row)
        .unwrap_or_else(|| panic!("no row {excel_row}"))
}

fn birth_workbook() -> Vec<u8> {
    let mut book = XlsxBook::new();
    let vntime = Format::new().set_font_name(".VnTime");
    let vntime_h = Format::new().set_font_name(".VnTimeH");
    let vni = Format::new().set_font_name("VNI-Times");
    let unicode = Format::new().set_font_name("Times New Roman");
    let serial = Format::new().set_num_format("dd/mm/yyyy");
    let title = Format::new().set_bold();

    let ws = book.add_worksheet();
    ws.set_name("Năm 2014").unwrap();
    ws.merge_range(0, 0, 0, 9, "SỔ ĐĂNG KÝ KHAI SINH", &title)
        .unwrap();
    ws.merge_range(1, 0, 1, 9, "UBND xã Quỳnh Lưu — năm 2014", &title)
        .unwrap();
    // Row 3 is blank; the header is row 4, with a line break and odd spacing.
    let headers = [
        "Số",
        "Quyển số",
        "Ngày đăng ký",
        "HO  VA TEN",
        "Ngày\nsinh",
        "Giới tính",
        "Số định danh cá nhân",
        "Họ tên mẹ",
        "Năm sinh mẹ",
        "Mã hồ sơ cũ",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    // Row 5: TCVN3 and VNI by font, a serial date, text date, a good id.
    ws.write_number(4, 0, 1).unwrap();
    ws.write_string(4, 1, "01").unwrap();
    ws.write_number_with_format(4, 2, 41703, &serial).unwrap();
    ws.write_string_with_format(4, 3, "NguyÔn V¨n §øc", &vntime)
        .unwrap();
    ws.write_string(4, 4, "05/03/2014").unwrap();
    ws.write_string(4, 5, "Nam").unwrap();
    ws.write_string(4, 6, "001214012345").unwrap();
    ws.write_string_with_format(4, 7, encode_vni("Trần Thị Hoa"), &vni)
        .unwrap();
    ws.write_number(4, 8, 1985).unwrap();
    ws.write_string(4, 9, "HS-1").unwrap();
    // Row 6: "ngày … tháng … năm …", combining Unicode, d/m/yy, lost zeros.
    ws.write_number(5, 0, 2).unwrap();
    ws.write_string(5, 1, "01").unwrap();
    ws.write_string(5, 2, "ngày 06 tháng 3 năm 2014").unwrap();
    ws.write_string_with_format(5, 3, "Le\u{302} Thi\u{323} Bi\u{301}ch", &unicode)
        .unwrap();
    ws.write_string(5, 4, "6/3/14").unwrap();
    ws.write_string(5, 5, "Nữ").unwrap();
    ws.write_number(5, 6, 12_214_012_346_f64).unwrap();
    ws.write_string(5, 7, "Hồ Thị Mai").unwrap();
    ws.write_string(5, 8, "1960").unwrap();
    // Row 7 blank. Row 8: an impossible date, dd-mm-yyyy, a float id.
    ws.write_number(7, 0, 3).unwrap();
    ws.write_string(7, 1, "01").unwrap();
    ws.write_string(7, 2, "31/02/2014").unwrap();
    ws.write_string(7, 3, "Phạm Văn An").unwrap();
    ws.write_string(7, 4, "05-03-2014").unwrap();
    ws.write_number(7, 6, 1.5).unwrap();
    ws.write_string(7, 8, "khoảng 1960").unwrap();
    // Row 9: dd.mm.yyyy, VNI and TCVN3 with no font hint (detected).
    ws.write_number(8, 0, 4).unwrap();
    ws.write_string(8, 1, "01").unwrap();
    ws.write_string(8, 2, "05.03.2014").unwrap();
    ws.write_string(8, 3, "Nguyeãn Vaên Ñöùc").unwrap();
    ws.write_string(8, 4, "NGAY 5 THANG 3 NAM 2014").unwrap();
    ws.write_string(8, 7, encode_tcvn3("Hoàng Thị Thu Hường"))
        .unwrap();
    // Row 10: TCVN3 in a capitals font; plain Unicode in a legacy font stays;
    // the 1900 leap-day serial; a year alone as the date of birth.
    ws.write_number(9, 0, 5).unwrap();
    ws.write_string(9, 1, "01").unwrap();
    ws.write_number_with_format(9, 2, 60, &serial).unwrap();
    ws.write_string_with_format(9, 3, "nguyÔn v¨n ®øc", &vntime_h)
        .unwrap();
    ws.write_number(9, 4, 1990).unwrap();
    ws.write_string_with_format(9, 7, "ă â ê ô ơ ư đ", &vntime)
        .unwrap();
    // Row 11 blank, row 12 only white space: both rows are still returned.
    ws.write_string(11, 3, "   ").unwrap();

    // Second sheet: a two-row header with merged cells.
    let ws = book.add_worksheet();
    ws.set_name("2015").unwrap();
    ws.merge_range(0, 0, 1, 0, "Số", &title).unwrap();
    ws.merge_range(0, 1, 1, 1, "Họ và tên", &title).unwrap();
    ws.merge_range(0, 2, 0, 3, "Mẹ", &title).unwrap();
    ws.write_string(1, 2, "Họ tên").unwrap();
    ws.write_string(1, 3, "Năm sinh").unwrap();
    ws.write_number(2, 0, 1).unwrap();
    ws.write_string(2, 1, "Đỗ Minh Khôi").unwrap();
    ws.write_string(2, 2, "Vũ Thị Lan").unwrap();
    ws.write_number(2, 3, 1990).unwrap();

    // Third sheet: notes, no header.
    let ws = book.add_worksheet();
    ws.set_name("Ghi chú").unwrap();
    ws.write_string(0, 0, "Sổ này được nhập lại từ bản giấy.")
        .unwrap();

    book.save_to_buffer().unwrap()
}

#[test]
fn a_birth_register_is_read_row_by_row() {
    let wb = read_workbook(
        &birth_workbook(),
        "khai-sinh.xlsx",
        "birth",
        &Mapping::new(),
    )
    .unwrap();
    assert_eq!(wb.sheets.len(), 3);
    let s = &wb.sheets[0];
    assert_eq!(s.name, "Năm 2014");
    assert_eq!(s.book_year, Some(2014));
    assert_eq!(s.header_row, Some(4));
    let fields: Vec<&str> = s.columns.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "number",
            "book",
            "registered_on",
            "full_name",
            "date_of_birth",
            "sex",
            "personal_id",
            "mother_name",
            "mother_birth_year"
        ]
    );
    assert_eq!(s.columns[3].letter, "D");
    assert_eq!(s.unmapped, ["J: Mã hồ sơ cũ"]);
    // Every row below the header, as Excel numbers them.
    let numbers: Vec<u32> = s.rows.iter().map(|r| r.excel_row).collect();
    assert_eq!(numbers, [5, 6, 7, 8, 9, 10, 11, 12]);
    let blanks: Vec<u32> = s
        .rows
        .iter()
        .filter(|r| r.blank)
        .map(|r| r.excel_row)
        .collect();
    assert_eq!(blanks, [7, 11, 12]);

    let r = row(s, 5);
    assert_eq!(get(r, "number"), &Value::Integer(1));
    assert_eq!(get(r, "book"), &text("01"));
    assert_eq!(get(r, "registered_on"), &Value::Date(date(2014, 3, 5)));
    assert_eq!(get(r, "full_name"), &text("Nguyễn Văn Đức"));
    assert_eq!(get(r, "date_of_birth"), &Value::Date(date(2014, 3, 5)));
    assert_eq!(get(r, "sex"), &text("Nam"));
    assert_eq!(get(r, "personal_id"), &text("001214012345"));
    assert_eq!(get(r, "mother_name"), &text("Trần Thị Hoa"));
    assert_eq!(get(r, "mother_birth_year"), &Value::Year(1985));

    let r = row(s, 6);
    assert_eq!(get(r, "registered_on"), &Value::Date(date(2014, 3, 6)));
    assert_eq!(get(r, "full_name"), &text("Lê Thị Bích"));
    assert_eq!(get(r, "date_of_birth"), &Value::Date(date(2014, 3, 6)));
    let id = get(r, "personal_id");
    assert!(reason(id).contains("mất chữ số 0"), "{id:?}");
    assert_eq!(
        id,
        &Value::Invalid {
            raw: "12214012346".into(),
            reason: reason(id).into()
        }
    );
    assert_eq!(get(r, "mother_birth_year"), &Value::Year(1960));

    let r = row(s, 8);
    let reg = get(r, "registered_on");
    assert!(reason(reg).contains("không có thật"), "{reg:?}");
    assert_eq!(get(r, "date_of_birth"), &Value::Date(date(2014, 3, 5)));
    assert!(reason(get(r, "personal_id")).contains("số thực"));
    assert!(matches!(get(r, "mother_birth_year"), Value::Invalid { .. }));

    let r = row(s, 9);
    assert_eq!(get(r, "registered_on"), &Value::Date(date(2014, 3, 5)));
    assert_eq!(get(r, "full_name"), &text("Nguyễn Văn Đức"));
    assert_eq!(get(r, "date_of_birth"), &Value::Date(date(2014, 3, 5)));
    assert_eq!(get(r, "mother_name"), &text("Hoàng Thị Thu Hường"));

    let r = row(s, 10);
    assert!(reason(get(r, "registered_on")).contains("29/02/1900"));
    assert_eq!(get(r, "full_name"), &text("NGUYỄN VĂN ĐỨC"));
    assert_eq!(get(r, "date_of_birth"), &Value::Year(1990));
    assert_eq!(get(r, "mother_name"), &text("ă â ê ô ơ ư đ"));

    let s = &wb.sheets[1];
    assert_eq!(s.book_year, Some(2015));
    assert_eq!(s.header_row, Some(2));
    let fields: Vec<&str> = s.columns.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        ["number", "full_name", "mother_name", "mother_birth_year"]
    );
    assert_eq!(s.rows.len(), 1);
    let r = &s.rows[0];
    assert_eq!(r.excel_row, 3);
    assert_eq!(get(r, "mother_name"), &text("Vũ Thị Lan"));
    assert_eq!(get(r, "mother_birth_year"), &Value::Year(1990));

    let s = &wb.sheets[2];
    assert_eq!(s.header_row, None);
    assert!(s.rows.is_empty());
}

#[test]
fn death_and_marriage_registers_and_overrides() {
    let mut book = XlsxBook::new();
    let ws = book.add_worksheet();
    for (c, h) in [
        "STT",
        "Họ tên người chết",
        "Ngày chết",
        "Nơi chết",
        "Nguyên nhân",
        "Cột lạ",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1).unwrap();
    ws.write_string(1, 1, "Ngô Văn Bảy").unwrap();
    ws.write_string(1, 2, "ngày 1 tháng 2 năm 2015").unwrap();
    ws.write_string(1, 3, "Tại nhà").unwrap();
    ws.write_string(1, 4, "Già yếu").unwrap();
    ws.write_string(1, 5, "xem sổ cũ").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let wb = read_workbook(&bytes, "khai-tu.xlsx", "death", &Mapping::new()).unwrap();
    let s = &wb.sheets[0];
    assert_eq!(s.header_row, Some(1));
    assert_eq!(s.unmapped, ["A: STT", "F: Cột lạ"]);
    let r = &s.rows[0];
    assert_eq!(get(r, "full_name"), &text("Ngô Văn Bảy"));
    assert_eq!(get(r, "date_of_death"), &Value::Date(date(2015, 2, 1)));
    assert_eq!(get(r, "place_of_death"), &text("Tại nhà"));
    assert_eq!(get(r, "cause_of_death"), &text("Già yếu"));

    let overrides = Mapping::new().with("cot la", "note").with("STT", "");
    let wb = read_workbook(&bytes, "khai-tu.xlsx", "death", &overrides).unwrap();
    let s = &wb.sheets[0];
    assert!(s.unmapped.is_empty(), "{:?}", s.unmapped);
    assert_eq!(get(&s.rows[0], "note"), &text("xem sổ cũ"));

    // The same titles read as a marriage register map nothing of the person.
    let wb = read_workbook(&bytes, "x.xlsx", "marriage", &Mapping::new()).unwrap();
    assert_eq!(wb.sheets[0].header_row, None);
}

#[test]
fn what_is_not_a_workbook_is_refused() {
    assert_eq!(
        read_workbook(b"Ho ten;Ngay sinh\n", "so.csv", "birth", &Mapping::new()),
        Err(ReadError::NotAWorkbook("so.csv".into()))
    );
    assert!(matches!(
        read_workbook(b"PK\x03\x04garbage", "so.xlsx", "birth", &Mapping::new()),
        Err(ReadError::Unreadable { .. })
    ));
    assert_eq!(
        read_workbook(b"", "so.xlsx", "", &Mapping::new()),
        Err(ReadError::UnknownKind(String::new()))
    );
}

/// Figures for a quick look (`cargo test -p motcua-legacy --release --features
/// sample -- --ignored`); the recorded ones come from `motcua bench legacy`.
#[cfg(feature = "sample")]
#[test]
#[ignore]
fn generated_register_throughput() {
    let rows = 100_000;
    let bytes = motcua_legacy::sample::birth_register(rows).unwrap();
    let started = std::time::Instant::now();
    let wb = read_workbook(&bytes, "bench.xlsx", "birth", &Mapping::new()).unwrap();
    let secs = started.elapsed().as_secs_f64();
    let s = &wb.sheets[0];
    assert_eq!(s.rows.len(), rows as usize);
    assert!(s.rows.iter().all(|r| !r.blank));
    let invalid = s
        .rows
        .iter()
        .flat_map(|r| r.values.values())
        .filter(|v| matches!(v, Value::Invalid { .. }))
        .count();
    assert_eq!(invalid, 0);
    assert_eq!(get(&s.rows[0], "full_name"), &text("Nguyễn Văn Đức"));
    assert_eq!(get(&s.rows[1], "full_name"), &text("Trần Văn Đức"));
    println!(
        "{rows} rows in {secs:.3} s = {:.0} rows/s",
        f64::from(rows) / secs
    );
}

/// The same characters typed in cells of different fonts are different names:
/// each is decoded by its own cell's font, however often it repeats (the reader
/// decodes each distinct text once per encoding).
#[test]
fn repeated_text_is_decoded_by_each_cells_font() {
    use motcua_domain::text::clean;
    use motcua_domain::text::encoding::{decode, Legacy};
    // VNI for "Huỳnh Tấn Phát", and TCVN3 for something else.
    let typed = "Huyønh Taán Phaùt";
    let mut book = XlsxBook::new();
    let vntime = Format::new().set_font_name(".VnTime");
    let vni = Format::new().set_font_name("VNI-Times");
    let unicode = Format::new().set_font_name("Times New Roman");
    let ws = book.add_worksheet();
    ws.set_name("2014").unwrap();
    for (c, h) in ["Số", "Quyển số", "Ngày đăng ký", "Họ và tên"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let cells = [
        (&vni, Some(Legacy::Vni)),
        (&vntime, Some(Legacy::Tcvn3)),
        (&unicode, None),
        (&vni, Some(Legacy::Vni)),
        (&vntime, Some(Legacy::Tcvn3)),
    ];
    for (i, (font, _)) in cells.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_number(r, 0, f64::from(r)).unwrap();
        ws.write_string(r, 1, "01").unwrap();
        ws.write_string(r, 2, "05/03/2014").unwrap();
        ws.write_string_with_format(r, 3, typed, font).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let read = read_workbook(&bytes, "so.xlsx", "birth", &Mapping::default()).unwrap();
    let rows = &read.sheets[0].rows;
    assert_eq!(get(&rows[0], "full_name"), &text("Huỳnh Tấn Phát"));
    assert_ne!(
        clean(&decode(typed, Some(Legacy::Tcvn3))),
        "Huỳnh Tấn Phát",
        "the test needs a text that the two encodings read differently"
    );
    for (row, (_, hint)) in rows.iter().zip(cells) {
        assert_eq!(
            get(row, "full_name"),
            &text(&clean(&decode(typed, hint))),
            "row {}",
            row.excel_row
        );
    }
}

/// A sheet large enough to be converted in parts on several threads comes back
/// whole and in order: every row once, each decoded by its own cell's font, a
/// blank row kept where it was, and a second sheet's merged title still found.
#[test]
fn a_large_sheet_read_in_parts_keeps_every_row_in_order() {
    let rows: u32 = 25_001;
    let mut book = XlsxBook::new();
    let vntime = Format::new().set_font_name(".VnTime");
    let vni = Format::new().set_font_name("VNI-Times");
    let title = Format::new().set_bold();
    let name = |i: u32| format!("Nguyễn Văn Đức {i}");
    for (year, skip) in [("2014", 12_345), ("2015", 7)] {
        let ws = book.add_worksheet();
        ws.set_name(year).unwrap();
        ws.merge_range(0, 0, 0, 3, "SỔ ĐĂNG KÝ KHAI SINH", &title)
            .unwrap();
        for (c, h) in ["Số", "Quyển số", "Ngày đăng ký", "Họ và tên"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        for i in 1..=rows {
            if i == skip {
                continue;
            }
            let r = i + 1;
            ws.write_number(r, 0, f64::from(i)).unwrap();
            ws.write_string(r, 1, "01").unwrap();
            ws.write_string(r, 2, "05/03/2014").unwrap();
            match i % 3 {
                0 => ws.write_string_with_format(r, 3, encode_tcvn3(&name(i)), &vntime),
                1 => ws.write_string_with_format(r, 3, encode_vni(&name(i)), &vni),
                _ => ws.write_string(r, 3, name(i)),
            }
            .unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    let read = read_workbook(&bytes, "so.xlsx", "birth", &Mapping::default()).unwrap();
    assert_eq!(read.sheets.len(), 2);
    for (sheet, skip) in read.sheets.iter().zip([12_345, 7]) {
        assert_eq!(sheet.header_row, Some(2), "sheet {}", sheet.name);
        assert_eq!(sheet.rows.len(), rows as usize, "sheet {}", sheet.name);
        for (i, r) in (1..=rows).zip(&sheet.rows) {
            assert_eq!(r.excel_row, i + 2, "sheet {}", sheet.name);
            if i == skip {
                assert!(r.blank, "sheet {} row {}", sheet.name, r.excel_row);
                continue;
            }
            assert_eq!(get(r, "number"), &Value::Integer(i64::from(i)));
            assert_eq!(get(r, "full_name"), &text(&name(i)));
        }
    }
}

/// An .xls (BIFF8, tests/fixtures/make_legacy_xls.py) whose names are typed in
/// .VnTimeH, the TCVN3 font that draws lowercase codes as capitals: only the
/// cells' fonts, read from the file's FONT and XF records, make them capitals;
/// a lowercase .VnTime name on the same sheet stays as typed.
#[test]
fn an_xls_cells_font_decides_its_capitals() {
    let bytes = include_bytes!("../../../tests/fixtures/so-khai-sinh-2015-vntimeh.xls");
    let book = read_workbook(
        bytes,
        "so-khai-sinh-2015-vntimeh.xls",
        "birth",
        &Mapping::default(),
    )
    .expect("read .xls");
    let sheet = &book.sheets[0];
    assert_eq!(sheet.header_row, Some(3));
    assert_eq!(get(row(sheet, 4), "full_name"), &text("PHẠM VĂN HẢI"));
    assert_eq!(get(row(sheet, 4), "mother_name"), &text("TRẦN THỊ THỦY"));
    assert_eq!(get(row(sheet, 5), "full_name"), &text("LÊ THỊ NGỌC ÁNH"));
    assert_eq!(get(row(sheet, 6), "full_name"), &text("Vũ Đức Thắng"));
}
