//! Charts drawn on the server as inline SVG: no script, no CDN, readable by a
//! screen reader through its `<title>`s, and styled by the page (`.series-0` …) with
//! fills of their own for a page without the stylesheet. Hand-written because the
//! charting crates draw to bitmaps or pull in a plotting stack for two bar shapes.

use std::fmt::Write;

const COLOURS: [&str; 4] = ["#1d4ed8", "#15803d", "#b45309", "#7c3aed"];

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole number with dots between thousands, as Vietnamese writes it.
fn grouped(n: i64) -> String {
    crate::format::count(n.max(0).unsigned_abs())
}

/// Columns in groups: one group per label (a month), one column per series.
/// `values[g][s]` is series `s` of group `g`.
pub fn columns(title: &str, series: &[&str], labels: &[String], values: &[Vec<i64>]) -> String {
    let (width, height, left, bottom, top) = (720.0_f64, 240.0_f64, 48.0, 36.0, 12.0);
    let max = values.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let plot_h = height - bottom - top;
    let groups = labels.len().max(1) as f64;
    let group_w = (width - left) / groups;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).max(1.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    // Three grid lines with their values: 0, half, the maximum.
    for k in 0..=2 {
        let v = max * k as f64 / 2.0;
        let y = top + plot_h - plot_h * k as f64 / 2.0;
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{width}" y1="{y:.1}" y2="{y:.1}" stroke="#d4d4d8"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
            left - 4.0,
            y + 4.0,
            grouped(v.round() as i64)
        );
    }
    for (g, label) in labels.iter().enumerate() {
        let x0 = left + group_w * g as f64 + group_w * 0.1;
        for (s, name) in series.iter().enumerate() {
            let v = values
                .get(g)
                .and_then(|row| row.get(s))
                .copied()
                .unwrap_or(0);
            let h = plot_h * v as f64 / max;
            let _ = write!(
                svg,
                r#"<rect class="series-{s}" x="{:.1}" y="{:.1}" width="{bar_w:.1}" height="{h:.1}" fill="{}"><title>{} {}: {}</title></rect>"#,
                x0 + bar_w * s as f64,
                top + plot_h - h,
                COLOURS[s % COLOURS.len()],
                esc(name),
                esc(label),
                grouped(v)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
            left + group_w * (g as f64 + 0.5),
            height - bottom + 16.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One horizontal bar per item, its value written at its end.
pub fn bars(title: &str, items: &[(String, i64)]) -> String {
    let (width, row, label_w) = (720.0_f64, 22.0_f64, 220.0_f64);
    let height = row * items.len().max(1) as f64 + 8.0;
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let plot_w = width - label_w - 60.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = plot_w * *v as f64 / max;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12">{}</text><rect class="series-0" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
            label_w - 6.0,
            y + row * 0.65,
            esc(label),
            y + 2.0,
            row - 6.0,
            COLOURS[0],
            esc(label),
            grouped(*v),
            label_w + w + 4.0,
            y + row * 0.65,
            grouped(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_scale_to_the_largest_value_and_escape_labels() {
        let svg = columns(
            "Hồ sơ <theo> tháng",
            &["Tiếp nhận", "Giải quyết"],
            &["01/2026".into(), "02/2026".into()],
            &[vec![100, 50], vec![1200, 0]],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Hồ sơ &lt;theo&gt; tháng"));
        assert!(svg.contains("<title>Tiếp nhận 02/2026: 1.200</title>"));
        // The tallest column fills the plot (240 − 36 − 12 = 192 high).
        assert!(svg.contains(r#"height="192.0""#));
        assert_eq!(svg.matches("<rect").count(), 4);
    }

    #[test]
    fn bars_write_their_values_and_survive_no_data() {
        let svg = bars("Việc", &[("Trần Thị B".into(), 12), ("A & B".into(), 3)]);
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains(">12</text>"));
        let empty = columns("x", &["a"], &[], &[]);
        assert!(empty.ends_with("</svg>"));
        assert_eq!(bars("x", &[]).matches("<rect").count(), 0);
    }
}
