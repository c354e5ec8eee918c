//! Form II.06a/VPCP/KSTT as an Excel workbook: title, unit and period, the merged
//! three-level header of the official form with its column numbers, one row per
//! sector (or unit) and the total row, ready to print on A4 landscape.

use motcua_domain::report::{Counts, Figure};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// What the sheet shows.
pub struct Ii06aSheet<'a> {
    /// The reporting unit, e.g. "UBND xã Phố Hiến".
    pub unit: &'a str,
    /// "Từ ngày 01/01/2026 đến ngày 31/03/2026".
    pub period: &'a str,
    /// "Lĩnh vực giải quyết" or "Đơn vị".
    pub row_heading: &'a str,
    pub rows: Vec<(&'a str, Counts)>,
    pub total: Counts,
}

const COLUMNS: u16 = 14;

/// The workbook's bytes.
pub fn ii06a_xlsx(sheet: &Ii06aSheet<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("II.06a")?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);

    let font = |f: Format| f.set_font_name("Times New Roman").set_font_size(12);
    let centered = font(Format::new())
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let title = centered.clone().set_bold().set_font_size(14);
    let italic = centered.clone().set_italic();
    let header = centered.clone().set_bold().set_border(FormatBorder::Thin);
    let number_header = centered.clone().set_italic().set_border(FormatBorder::Thin);
    let cell = font(Format::new())
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let number = cell
        .clone()
        .set_num_format("#,##0")
        .set_align(FormatAlign::Right);
    let total_text = cell.clone().set_bold();
    let total_number = number.clone().set_bold();

    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 32)?;
    for c in 2..COLUMNS {
        ws.set_column_width(c, 11)?;
    }

    let last = COLUMNS - 1;
    ws.merge_range(0, 0, 0, last, "Biểu số II.06a/VPCP/KSTT", &italic)?;
    ws.merge_range(
        1,
        0,
        1,
        last,
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        &title,
    )?;
    ws.merge_range(
        2,
        0,
        2,
        last,
        &format!("Đơn vị báo cáo: {}", sheet.unit),
        &centered,
    )?;
    ws.merge_range(
        3,
        0,
        3,
        last,
        &format!("Kỳ báo cáo: {}", sheet.period),
        &centered,
    )?;
    ws.merge_range(4, 0, 4, last, "Đơn vị tính: Số hồ sơ TTHC", &italic)?;

    // The header: three rows, as the form draws it.
    let (h1, h2, h3) = (6, 7, 8);
    ws.merge_range(h1, 0, h3, 0, "STT", &header)?;
    ws.merge_range(h1, 1, h3, 1, sheet.row_heading, &header)?;
    ws.merge_range(h1, 2, h1, 5, "Số hồ sơ nhận giải quyết", &header)?;
    ws.merge_range(h2, 2, h3, 2, "Tổng số", &header)?;
    ws.merge_range(h2, 3, h2, 5, "Trong đó", &header)?;
    ws.write_with_format(h3, 3, "Số mới tiếp nhận trực tuyến", &header)?;
    ws.write_with_format(
        h3,
        4,
        "Số mới tiếp nhận trực tiếp, dịch vụ bưu chính",
        &header,
    )?;
    ws.write_with_format(h3, 5, "Số kỳ trước chuyển qua", &header)?;
    ws.merge_range(h1, 6, h1, 12, "Kết quả giải quyết", &header)?;
    ws.merge_range(h2, 6, h2, 9, "Số hồ sơ đã giải quyết", &header)?;
    ws.write_with_format(h3, 6, "Tổng số", &header)?;
    ws.write_with_format(h3, 7, "Trả trước hạn", &header)?;
    ws.write_with_format(h3, 8, "Trả đúng hạn", &header)?;
    ws.write_with_format(h3, 9, "Trả quá hạn", &header)?;
    ws.merge_range(h2, 10, h2, 12, "Số hồ sơ đang giải quyết", &header)?;
    ws.write_with_format(h3, 10, "Tổng số", &header)?;
    ws.write_with_format(h3, 11, "Chưa đến hạn", &header)?;
    ws.write_with_format(h3, 12, "Quá hạn", &header)?;
    ws.merge_range(h1, 13, h3, 13, "Rút hồ sơ hoặc từ chối giải quyết", &header)?;
    ws.set_row_height(h3, 64)?;
    let numbers = h3 + 1;
    for c in 0..COLUMNS {
        ws.write_with_format(numbers, c, format!("({})", c + 1), &number_header)?;
    }

    let mut row = numbers + 1;
    let write_counts = |ws: &mut rust_xlsxwriter::Worksheet,
                        row: u32,
                        counts: &Counts,
                        f: &Format|
     -> Result<(), XlsxError> {
        for figure in Figure::ALL {
            ws.write_number_with_format(
                row,
                u16::from(figure.column()) - 1,
                counts.get(figure) as f64,
                f,
            )?;
        }
        Ok(())
    };
    for (i, (name, counts)) in sheet.rows.iter().enumerate() {
        ws.write_number_with_format(row, 0, (i + 1) as f64, &cell)?;
        ws.write_with_format(row, 1, *name, &cell)?;
        write_counts(ws, row, counts, &number)?;
        row += 1;
    }
    ws.write_with_format(row, 0, "", &total_text)?;
    ws.write_with_format(row, 1, "Tổng cộng", &total_text)?;
    write_counts(ws, row, &sheet.total, &total_number)?;
    ws.set_freeze_panes(numbers + 1, 2)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    #[test]
    fn reads_back_as_the_official_form() {
        let mut hotich = Counts::default();
        hotich.count(&[
            Figure::ReceivedTotal,
            Figure::ReceivedOnline,
            Figure::ResolvedTotal,
            Figure::ResolvedEarly,
        ]);
        let mut chungthuc = Counts::default();
        for _ in 0..1_234 {
            chungthuc.count(&[
                Figure::ReceivedTotal,
                Figure::CarriedOver,
                Figure::PendingTotal,
                Figure::PendingOverdue,
            ]);
        }
        let mut total = hotich;
        total.add(&chungthuc);
        let bytes = ii06a_xlsx(&Ii06aSheet {
            unit: "UBND xã Phố Hiến",
            period: "Từ ngày 01/01/2026 đến ngày 31/03/2026",
            row_heading: "Lĩnh vực giải quyết",
            rows: vec![("Hộ tịch", hotich), ("Chứng thực", chungthuc)],
            total,
        })
        .expect("workbook");
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("opens");
        let range = book.worksheet_range("II.06a").expect("sheet");
        let text = |r: u32, c: u32| match range.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Float(f)) => f.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            text(1, 0),
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
        );
        assert_eq!(text(2, 0), "Đơn vị báo cáo: UBND xã Phố Hiến");
        assert!(text(3, 0).contains("31/03/2026"));
        assert_eq!(text(6, 2), "Số hồ sơ nhận giải quyết");
        assert_eq!(text(8, 3), "Số mới tiếp nhận trực tuyến");
        assert_eq!(text(9, 13), "(14)");
        assert_eq!(
            (text(10, 1), text(10, 2), text(10, 3), text(10, 7)),
            ("Hộ tịch".into(), "1".into(), "1".into(), "1".into())
        );
        assert_eq!(
            (text(11, 1), text(11, 5), text(11, 12)),
            ("Chứng thực".into(), "1234".into(), "1234".into())
        );
        assert_eq!(
            (text(12, 1), text(12, 2)),
            ("Tổng cộng".into(), "1235".into())
        );
        let merged = book.merge_cells_by_sheet_name("II.06a").expect("merges");
        assert!(
            merged.iter().any(|d| d.start == (6, 2) && d.end == (6, 5)),
            "{merged:?}"
        );
        assert!(
            merged.iter().any(|d| d.start == (6, 0) && d.end == (8, 0)),
            "{merged:?}"
        );
    }
}
