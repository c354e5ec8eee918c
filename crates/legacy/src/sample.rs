//! A generated legacy birth register, for the benchmark (`motcua bench legacy`)
//! and tests: a merged title row, the header on row 3, then `rows` entries whose
//! names are a third TCVN3 (.VnTime), a third VNI (VNI-Times) and a third
//! Unicode, with serial and typed dates and identity numbers held as text.

use motcua_domain::text::encoding::{encode_tcvn3, encode_vni};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

// Mixed-radix names: every child's name in the first 22,080 rows is distinct
// (three words), and up to 264,960 with a second middle name, as in a real
// register, where most names differ: a reader that caches decoded text gains
// nothing from repeats here.
const FAMILY: [&str; 24] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Lâm", "Mai", "Trịnh", "Tô", "Tạ", "Cao",
];
const MIDDLE: [&str; 20] = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu", "Hồng", "Kim",
    "Bảo", "Gia", "Anh", "Phương", "Thế", "Công", "Đình", "Trọng",
];
const SECOND: [&str; 12] = [
    "", "Hoài", "Khánh", "Nhật", "Thiên", "Tường", "Diệu", "Mỹ", "Quốc", "Tuệ", "Vĩnh", "Yến",
];
const GIVEN: [&str; 46] = [
    "Đức", "An", "Ánh", "Bình", "Châu", "Cường", "Dũng", "Duy", "Anh", "Giang", "Hà", "Hải",
    "Hạnh", "Hiếu", "Hoa", "Hùng", "Huy", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh",
    "My", "Nam", "Ngân", "Ngọc", "Nhung", "Oanh", "Phong", "Phúc", "Quân", "Quỳnh", "Sơn", "Tâm",
    "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Uyên", "Việt", "Vy", "Xuân", "Yến",
];

/// Words joined by single spaces, empty ones left out.
fn joined(words: &[&str]) -> String {
    words
        .iter()
        .filter(|w| !w.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The columns of [`birth_register`], in order.
pub const HEADERS: [&str; 10] = [
    "Số",
    "Quyển số",
    "Ngày đăng ký",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số định danh cá nhân",
    "Họ tên mẹ",
    "Năm sinh mẹ",
    "Ghi chú",
];

/// An .xlsx of `rows` birth entries on one sheet named "2014".
pub fn birth_register(rows: u32) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let vntime = Format::new().set_font_name(".VnTime");
    let vni = Format::new().set_font_name("VNI-Times");
    let serial = Format::new().set_num_format("dd/mm/yyyy");
    let ws = book.add_worksheet();
    ws.set_name("2014")?;
    ws.merge_range(
        0,
        0,
        0,
        9,
        "SỔ ĐĂNG KÝ KHAI SINH NĂM 2014",
        &Format::new().set_bold(),
    )?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(2, c as u16, *h)?;
    }
    for i in 0..rows {
        let r = i + 3;
        let n = i as usize;
        let (f, m, g) = (FAMILY.len(), MIDDLE.len(), GIVEN.len());
        let name = joined(&[
            FAMILY[n % f],
            MIDDLE[n / f % m],
            SECOND[n / (f * m * g) % SECOND.len()],
            GIVEN[n / (f * m) % g],
        ]);
        let mother = joined(&[
            FAMILY[(n + 3) % f],
            "Thị",
            SECOND[n / (f * g) % SECOND.len()],
            GIVEN[n / f % g],
        ]);
        // Born up to a month before the registration (which a birth cannot
        // precede), so that every generated row is a valid entry.
        let registered = n % 365;
        let born = jiff::civil::date(2014, 1, 1)
            .checked_add(jiff::Span::new().days(registered as i64 - (n % 30) as i64))
            .unwrap_or(jiff::civil::date(2014, 1, 1));
        ws.write_number(r, 0, f64::from(i + 1))?;
        ws.write_string(r, 1, "01")?;
        ws.write_number_with_format(r, 2, 41640.0 + registered as f64, &serial)?;
        match n % 3 {
            0 => ws.write_string_with_format(r, 3, encode_tcvn3(&name), &vntime)?,
            1 => ws.write_string_with_format(r, 3, encode_vni(&name), &vni)?,
            _ => ws.write_string(r, 3, &name)?,
        };
        ws.write_string(r, 4, born.strftime("%d/%m/%Y").to_string())?;
        ws.write_string(r, 5, if n.is_multiple_of(2) { "Nam" } else { "Nữ" })?;
        ws.write_string(r, 6, format!("0012140{:05}", n % 100_000))?;
        ws.write_string(r, 7, &mother)?;
        ws.write_number(r, 8, 1970.0 + (n % 25) as f64)?;
        if n.is_multiple_of(10) {
            ws.write_string(r, 9, "Đăng ký đúng hạn")?;
        }
    }
    book.save_to_buffer()
}
