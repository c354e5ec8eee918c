//! Form II.06a/VPCP/KSTT as a PDF on A4 landscape: the national motto header, the
//! title, unit and period, the merged three-level header, one row per sector (or
//! unit), the total row and the head of the unit's signature.

use jiff::civil::Date;
use motcua_domain::report::{Counts, Figure};
use serde_json::{json, Value};

use crate::format::{count, place_date};
use crate::{DocsError, Document, PdfEngine};

const TEMPLATE: &str = include_str!("../../templates/reports-ii06a.typ");

/// What the paper shows.
pub struct Ii06aPaper<'a> {
    /// The superior agency, printed above the unit (none at the top level).
    pub parent: Option<&'a str>,
    /// The reporting unit, e.g. "UBND xã Phố Hiến".
    pub unit: &'a str,
    /// The place in the date line, e.g. "Phố Hiến".
    pub place: &'a str,
    /// The day the report is printed.
    pub today: Date,
    /// "Từ ngày 01/01/2026 đến ngày 31/03/2026".
    pub period: &'a str,
    /// "Lĩnh vực giải quyết" or "Đơn vị".
    pub row_heading: &'a str,
    pub rows: Vec<(&'a str, Counts)>,
    pub total: Counts,
}

fn figures(c: &Counts) -> Vec<String> {
    Figure::ALL.iter().map(|&f| count(c.get(f))).collect()
}

fn inputs(p: &Ii06aPaper<'_>) -> Value {
    json!({
        "parent": p.parent,
        "unit": p.unit,
        "place_date": place_date(p.place, p.today),
        "period": p.period,
        "row_heading": p.row_heading,
        "rows": p.rows.iter().map(|(name, c)| json!({"name": name, "figures": figures(c)})).collect::<Vec<_>>(),
        "total": figures(&p.total),
    })
}

/// The PDF's bytes.
pub fn ii06a_pdf(engine: &PdfEngine, paper: &Ii06aPaper<'_>) -> Result<Vec<u8>, DocsError> {
    engine.render(&Document::new(TEMPLATE).with_inputs(inputs(paper)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_landscape_report() {
        let mut c = Counts::default();
        c.count(&[
            Figure::ReceivedTotal,
            Figure::ReceivedOnline,
            Figure::PendingTotal,
            Figure::PendingInTime,
        ]);
        let mut total = c;
        total.add(&c);
        let paper = Ii06aPaper {
            parent: Some("UBND tỉnh Hưng Yên"),
            unit: "UBND xã Phố Hiến",
            place: "Phố Hiến",
            today: jiff::civil::date(2026, 4, 2),
            period: "Từ ngày 01/01/2026 đến ngày 31/03/2026",
            row_heading: "Lĩnh vực giải quyết",
            rows: vec![("Hộ tịch", c), ("Chứng thực #[x]*", c)],
            total,
        };
        let pdf = ii06a_pdf(&PdfEngine::new(), &paper).expect("renders");
        assert!(pdf.starts_with(b"%PDF"));
    }
}
