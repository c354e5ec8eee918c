//! Reports: form II.06a counted in SQL, held to the domain's rules on every edge,
//! with drill-down lists as long as their figures, on both engines.

use std::io::Cursor;

use jiff::Timestamp;
use motcua_domain::dossier::{timeliness, Channel, Status};
use motcua_domain::report::{classify, Counts, Facts, Figure, Period};
use serde_json::{json, Value};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    ii06a_follows_the_rules_and_every_figure_lists_its_dossiers,
    ii06a_reproduces_a_published_year,
    ii06a_refuses_what_it_cannot_answer,
    report_page_links_every_figure_to_as_many_dossiers,
    report_page_shows_bad_input_as_a_message,
);

/// One dossier of a scenario, as the historical import takes it.
pub(crate) struct Case {
    pub(crate) agency: &'static str,
    pub(crate) procedure: &'static str,
    pub(crate) sector: &'static str,
    pub(crate) channel: Channel,
    pub(crate) status: Status,
    pub(crate) received: Timestamp,
    pub(crate) due: Timestamp,
    pub(crate) closed: Option<Timestamp>,
}

impl Case {
    fn line(&self, n: usize) -> Value {
        let mut line = json!({
            "agency": self.agency,
            "procedure": self.procedure,
            "channel": self.channel.as_str(),
            "status": self.status.as_str(),
            "applicant": {"full_name": format!("Người nộp {n}")},
            "received_at": self.received,
            "due_at": self.due,
        });
        if let Some(closed) = self.closed {
            if self.status == Status::Returned {
                line["returned_at"] = json!(closed);
            }
            line["updated_at"] = json!(closed);
        }
        line
    }

    fn facts(&self) -> Facts {
        Facts {
            channel: self.channel,
            status: self.status,
            received_at: Some(self.received),
            due_at: Some(self.due),
            closed_at: self.closed,
            timeliness: self
                .closed
                .filter(|_| self.status == Status::Returned)
                .map(|c| timeliness(c, self.due)),
        }
    }
}

pub(crate) fn vn(text: &str) -> Timestamp {
    format!("{text}+07:00[Asia/Ho_Chi_Minh]")
        .parse::<jiff::Zoned>()
        .expect("instant")
        .timestamp()
}

pub(crate) async fn import(app: &TestApp, cases: &[Case]) {
    let text: String = cases
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}\n", c.line(i)))
        .collect();
    let report = app
        .app
        .dossiers()
        .import(Cursor::new(text))
        .await
        .expect("import");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.imported, cases.len());
}

pub(crate) fn counts_of(v: &Value) -> Counts {
    let mut c = Counts::default();
    for f in Figure::ALL {
        c.set(
            f,
            v[f.as_str()]
                .as_u64()
                .unwrap_or_else(|| panic!("{} in {v}", f.as_str())),
        );
    }
    c
}

pub(crate) async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let r = app
        .client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, json(r).await)
}

/// A deterministic mix over 2024–2025: every channel and closing status, due
/// instants before, on and after the day of return, dossiers open across years.
pub(crate) fn mixed() -> Vec<Case> {
    let procedures = [
        ("1.001193", "ho-tich"),
        ("2.000815", "chung-thuc"),
        ("1.001776", "bao-tro-xa-hoi"),
    ];
    let statuses = [
        Status::Returned,
        Status::Returned,
        Status::Returned,
        Status::InReview,
        Status::Withdrawn,
        Status::Rejected,
        Status::ResultReady,
        Status::Paused,
    ];
    let start = vn("2024-10-01T07:30:00");
    (0..400u64)
        .map(|i| {
            let hours = |h: u64| jiff::SignedDuration::from_hours(h as i64);
            let received = start + hours(i * 37 % 12_000);
            let due = received + hours(24 * (1 + i % 12) + i % 9);
            let status = statuses[(i % 8) as usize];
            // Closings spread from the day of receipt to well after the due day.
            let closed = (!status.is_open()).then(|| received + hours(i * 13 % 500));
            let (procedure, sector) = procedures[(i % 3) as usize];
            Case {
                agency: if i % 4 == 0 { WARD_B } else { WARD_A },
                procedure,
                sector,
                channel: Channel::ALL[(i % 5) as usize],
                status,
                received,
                due,
                closed,
            }
        })
        .collect()
}

async fn ii06a_follows_the_rules_and_every_figure_lists_its_dossiers(app: TestApp) {
    let mut cases = mixed();
    // The edges, named: returned on its due day after the due instant (late);
    // pending with its due instant on the period's last day (overdue); received
    // in December and open across the new year (carried over).
    cases.extend([
        Case {
            agency: WARD_A,
            procedure: "1.001193",
            sector: "ho-tich",
            channel: Channel::Counter,
            status: Status::Returned,
            received: vn("2025-02-02T08:00:00"),
            due: vn("2025-02-05T10:00:00"),
            closed: Some(vn("2025-02-05T10:30:00")),
        },
        Case {
            agency: WARD_A,
            procedure: "1.001193",
            sector: "ho-tich",
            channel: Channel::Online,
            status: Status::InReview,
            received: vn("2025-03-25T08:00:00"),
            due: vn("2025-03-31T17:00:00"),
            closed: None,
        },
        Case {
            agency: WARD_A,
            procedure: "2.000815",
            sector: "chung-thuc",
            channel: Channel::Post,
            status: Status::Returned,
            received: vn("2024-12-31T16:00:00"),
            due: vn("2025-01-03T17:00:00"),
            closed: Some(vn("2025-01-02T09:00:00")),
        },
    ]);
    import(&app, &cases).await;
    let supervisor = app.token("giamsat").await;
    let officer = app.token("tiepnhan").await;

    for (from, to) in [
        ("2025-01-01", "2025-03-31"),
        ("2024-10-01", "2025-12-31"),
        ("2025-02-05", "2025-02-05"),
    ] {
        let period =
            Period::new(from.parse().expect("from"), to.parse().expect("to")).expect("period");
        let expected_of = |agency: Option<&str>, sector: Option<&str>| {
            let mut c = Counts::default();
            for case in cases.iter().filter(|c| {
                agency.is_none_or(|a| c.agency == a) && sector.is_none_or(|s| c.sector == s)
            }) {
                c.count(&classify(&case.facts(), &period));
            }
            c
        };

        // The commune's own report, by sector, as its counter officer sees it.
        let (status, r) = get(
            &app,
            &officer,
            &format!("/api/v1/reports/ii06a?from={from}&to={to}"),
        )
        .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["agency_code"], WARD_A);
        let total = counts_of(&r["total"]);
        assert_eq!(total, expected_of(Some(WARD_A), None), "{from}..{to}");
        assert!(total.is_consistent(), "{total:?}");
        for row in r["rows"].as_array().expect("rows") {
            let sector = row["sector_code"].as_str().expect("sector");
            assert!(
                row["sector_name"].as_str().is_some_and(|n| !n.is_empty()),
                "{row}"
            );
            assert_eq!(
                counts_of(row),
                expected_of(Some(WARD_A), Some(sector)),
                "{sector} {from}..{to}"
            );
            // Every figure of the row lists exactly the dossiers it counts.
            for f in Figure::ALL {
                let (status, list) = get(
                    &app,
                    &officer,
                    &format!("/api/v1/reports/ii06a/dossiers?from={from}&to={to}&figure={}&row={sector}&limit=500", f.as_str()),
                )
                .await;
                assert_eq!(status, 200, "{list}");
                let items = list["items"].as_array().expect("items");
                assert_eq!(
                    items.len() as u64,
                    counts_of(row).get(f),
                    "{sector} {}",
                    f.as_str()
                );
                assert!(items.iter().all(|d| d["sector"] == sector));
            }
        }

        // The province's supervisor: one row per unit, the whole subtree.
        let (status, r) = get(
            &app,
            &supervisor,
            &format!(
                "/api/v1/reports/ii06a?agency={PROVINCE}&from={from}&to={to}&scope=subtree&by=unit"
            ),
        )
        .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(
            counts_of(&r["total"]),
            expected_of(None, None),
            "{from}..{to}"
        );
        let rows = r["rows"].as_array().expect("rows");
        assert!(rows.len() >= 3, "the province and its two communes: {r}");
        for row in rows {
            let code = row["agency_code"].as_str().expect("agency code");
            let expected = if code == WARD_A || code == WARD_B {
                expected_of(Some(code), None)
            } else {
                Counts::default()
            };
            assert_eq!(counts_of(row), expected, "{code}");
        }
        let (_, list) = get(
            &app,
            &supervisor,
            &format!("/api/v1/reports/ii06a/dossiers?agency={PROVINCE}&from={from}&to={to}&scope=subtree&by=unit&figure=received_total&row={WARD_B}&limit=500"),
        )
        .await;
        assert_eq!(
            list["items"].as_array().expect("items").len() as u64,
            expected_of(Some(WARD_B), None).received_total
        );
    }

    // The named edges land where the law puts them.
    let (_, late) = get(
        &app,
        &officer,
        "/api/v1/reports/ii06a/dossiers?from=2025-02-05&to=2025-02-05&figure=resolved_late",
    )
    .await;
    assert!(
        late["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|d| d["timeliness"] == "late"
                && d["received_at"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("2025-02-02T01:00"))),
        "{late}"
    );
    let (_, overdue) = get(&app, &officer, "/api/v1/reports/ii06a/dossiers?from=2025-01-01&to=2025-03-31&figure=pending_overdue&row=ho-tich").await;
    assert!(
        overdue["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|d| d["channel"] == "online"
                && d["due_at"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("2025-03-31T10:00"))),
        "{overdue}"
    );
    let (_, carried) = get(&app, &officer, "/api/v1/reports/ii06a/dossiers?from=2025-01-01&to=2025-03-31&figure=carried_over&row=chung-thuc").await;
    assert!(
        carried["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|d| d["channel"] == "post"
                && d["received_at"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("2024-12-31T09:00"))),
        "{carried}"
    );
}

/// "2,452 received, 2,451 resolved, 1 in progress, none late, more than 97% early"
/// (a ward's published year), rebuilt through the historical import.
async fn ii06a_reproduces_a_published_year(app: TestApp) {
    let hours = |h: i64| jiff::SignedDuration::from_hours(h);
    let start = vn("2025-01-02T08:00:00");
    let cases: Vec<Case> = (0..2_452i64)
        .map(|i| {
            let received = start + hours(i * 3 % 8_500);
            let due = received + hours(72);
            let (status, closed) = match i {
                0 => (Status::InReview, None),
                // 60 returned on their due day, before the instant: on time.
                i if i <= 60 => (Status::Returned, Some(due - hours(1))),
                _ => (Status::Returned, Some(received + hours(2))),
            };
            // Keep the pending one open at the year's end, still in time.
            let (received, due) = if i == 0 {
                (vn("2025-12-30T09:00:00"), vn("2026-01-05T17:00:00"))
            } else {
                (received, due)
            };
            Case {
                agency: WARD_A,
                procedure: if i % 2 == 0 { "2.000815" } else { "1.001193" },
                sector: "",
                channel: if i % 5 == 0 {
                    Channel::Online
                } else {
                    Channel::Counter
                },
                status,
                received,
                due,
                closed,
            }
        })
        .collect();
    import(&app, &cases).await;
    let officer = app.token("tiepnhan").await;
    let (status, r) = get(
        &app,
        &officer,
        "/api/v1/reports/ii06a?from=2025-01-01&to=2025-12-31",
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let t = counts_of(&r["total"]);
    assert_eq!(
        (
            t.received_total,
            t.resolved_total,
            t.pending_total,
            t.resolved_late,
            t.pending_overdue
        ),
        (2_452, 2_451, 1, 0, 0),
        "{t:?}"
    );
    assert_eq!(t.carried_over, 0);
    assert!(t.resolved_early * 100 > 97 * t.resolved_total, "{t:?}");
    assert_eq!(t.resolved_on_time, 60);
    assert!(t.is_consistent());

    // The same figures in the official workbook.
    let r = app
        .client()
        .get(app.url("/api/v1/reports/ii06a?from=2025-01-01&to=2025-12-31&format=xlsx"))
        .bearer_auth(&officer)
        .send()
        .await
        .expect("workbook");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .is_ok_and(|d| d.contains(".xlsx")));
    let bytes = r.bytes().await.expect("bytes");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an .xlsx");
    let sheet = book.worksheet_range("II.06a").expect("the form's sheet");
    let total = sheet
        .rows()
        .find(|row| row.get(1).is_some_and(|c| *c == "Tổng cộng"))
        .expect("a total row");
    let figures: Vec<String> = total[2..].iter().map(|c| c.to_string()).collect();
    assert_eq!(
        figures,
        ["2452", "491", "1961", "0", "2451", "2391", "60", "0", "1", "1", "0", "0"],
        "{figures:?}"
    );
    // And on the official paper.
    let r = app
        .client()
        .get(app.url("/api/v1/reports/ii06a?from=2025-01-01&to=2025-12-31&format=pdf"))
        .bearer_auth(&officer)
        .send()
        .await
        .expect("paper");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.expect("bytes");
    match motcua_docs::testing::pdf_text(&pdf).expect("pdftotext") {
        Some(text) => {
            for words in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Biểu số II.06a/VPCP/KSTT",
                "Từ ngày 01/01/2025 đến ngày 31/12/2025",
                "Tổng cộng",
                "THỦ TRƯỞNG ĐƠN VỊ",
                "2.452",
                "2.451",
                "2.391",
                "1.961",
            ] {
                assert!(text.contains(words), "{words} in {text}");
            }
        }
        None => eprintln!("skipped the text check: pdftotext not installed"),
    }
}

async fn ii06a_refuses_what_it_cannot_answer(app: TestApp) {
    let officer = app.token("tiepnhan").await;
    for (query, field) in [
        ("from=2025-13-01&to=2025-12-31", "from"),
        ("to=2025-12-31", "from"),
        ("from=2025-02-01&to=2025-01-31", "to"),
        ("from=2025-01-01&to=2025-01-31&scope=all", "scope"),
        ("from=2025-01-01&to=2025-01-31&by=month", "by"),
        ("from=2025-01-01&to=2025-01-31&format=pdfx", "format"),
    ] {
        let (status, p) = get(&app, &officer, &format!("/api/v1/reports/ii06a?{query}")).await;
        assert_eq!(status, 400, "{query}: {p}");
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Another commune's report is out of a commune officer's reach.
    let (status, p) = get(
        &app,
        &officer,
        &format!("/api/v1/reports/ii06a?agency={WARD_B}&from=2025-01-01&to=2025-01-31"),
    )
    .await;
    assert_eq!(status, 403, "{p}");
    let (status, p) = get(
        &app,
        &officer,
        "/api/v1/reports/ii06a/dossiers?from=2025-01-01&to=2025-01-31&figure=everything",
    )
    .await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["errors"][0]["field"], "figure");
    let (status, _) = app
        .client()
        .get(app.url("/api/v1/reports/ii06a?from=2025-01-01&to=2025-01-31"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("request");
    assert_eq!(status, 401);
}

/// The text of an attribute as the browser reads it.
fn unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&#x3d;", "=")
        .replace("&#61;", "=")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

/// The `(href, text)` of every `<a class="{class}" href="…">…</a>` of a page.
pub(crate) fn links(html: &str, class: &str) -> Vec<(String, String)> {
    let marker = format!("<a class=\"{class}\" href=\"");
    html.split(&marker)
        .skip(1)
        .filter_map(|rest| {
            let (href, rest) = rest.split_once('"')?;
            let text = rest.split_once('>')?.1.split_once("</a>")?.0;
            Some((unescape(href), text.trim().to_owned()))
        })
        .collect()
}

pub(crate) async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.expect("page");
    let status = r.status().as_u16();
    (status, r.text().await.expect("html"))
}

/// Every figure on the report page links to a list (paginated) of exactly that
/// many dossiers, each linked to its page; rows add up to the total row.
async fn report_page_links_every_figure_to_as_many_dossiers(app: TestApp) {
    let cases = mixed();
    import(&app, &cases).await;
    let browser = app.browser();
    app.signed_in(&browser, "giamsat").await;
    let (status, home) = page(&browser, &app, "/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains("href=\"/bao-cao\""),
        "the navigation links the reports"
    );

    for (by, from, to) in [
        ("child", "2025-01-01", "2025-06-30"),
        ("sector", "2024-10-01", "2025-12-31"),
    ] {
        let (status, html) = page(
            &browser,
            &app,
            &format!("/bao-cao?agency={PROVINCE}&from={from}&to={to}&scope=subtree&by={by}"),
        )
        .await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Tổng cộng") && html.contains("/bao-cao/ii06a.xlsx?"));
        let figures = links(&html, "fig");
        assert!(
            figures.len() >= 24 && figures.len().is_multiple_of(12),
            "{}",
            figures.len()
        );
        let mut nonzero = 0;
        for (href, text) in &figures {
            let expected: usize = text.parse().expect("a number");
            let mut seen = Vec::new();
            let mut next = Some(href.clone());
            while let Some(path) = next.take() {
                let (status, list) = page(&browser, &app, &path).await;
                assert_eq!(status, 200, "{path}: {list}");
                seen.extend(links(&list, "dossier-link"));
                next = links(&list, "button secondary\" rel=\"next")
                    .into_iter()
                    .next()
                    .map(|(h, _)| h)
                    .or_else(|| {
                        list.split("rel=\"next\" href=\"")
                            .nth(1)
                            .and_then(|r| r.split_once('"'))
                            .map(|(h, _)| unescape(h))
                    });
            }
            assert_eq!(seen.len(), expected, "{href}");
            assert!(seen.iter().all(|(h, code)| *h == format!("/ho-so/{code}")));
            if expected > 0 {
                nonzero += 1;
            }
        }
        assert!(nonzero > 10, "the scenario fills the table");
        // The rows sum to the total row, column by column.
        let values: Vec<u64> = figures.iter().map(|(_, t)| t.parse().expect("n")).collect();
        let (rows, total) = values.split_at(values.len() - 12);
        for (c, t) in total.iter().enumerate() {
            let sum: u64 = rows.iter().skip(c).step_by(12).sum();
            assert_eq!(sum, *t, "column {}", c + 3);
        }
    }
    // A dossier of a list opens.
    let (_, list) = page(
        &browser,
        &app,
        &format!("/bao-cao/ho-so?agency={PROVINCE}&from=2025-01-01&to=2025-06-30&scope=subtree&figure=received_total"),
    )
    .await;
    let (href, _) = links(&list, "dossier-link")
        .into_iter()
        .next()
        .expect("a dossier");
    let (status, _) = page(&browser, &app, &href).await;
    assert_eq!(status, 200);
}

async fn report_page_shows_bad_input_as_a_message(app: TestApp) {
    let browser = app.browser();
    app.signed_in(&browser, "tiepnhan").await;
    let (status, html) = page(&browser, &app, "/bao-cao").await;
    assert_eq!(status, 200, "this month by default: {html}");
    assert!(html.contains("Tổng cộng"));
    for (file, kind) in [
        ("ii06a.pdf", "application/pdf"),
        ("ii06a.xlsx", "spreadsheetml"),
    ] {
        let r = browser
            .get(app.url(&format!("/bao-cao/{file}?from=2025-01-01&to=2025-03-31")))
            .send()
            .await
            .expect("download");
        assert_eq!(r.status(), 200, "{file}");
        assert!(r.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.contains(kind)));
    }
    for (query, status, words) in [
        (
            "from=2025-13-01&to=2025-12-31",
            400,
            "không phải là một ngày có thật",
        ),
        ("from=2025-02-01&to=2025-01-31", 400, "phải từ ngày đầu kỳ"),
        (
            "from=2025-01-01&to=2025-01-31&by=month",
            400,
            "cách chia dòng",
        ),
        (
            "from=2025-01-01&to=2025-01-31&agency=KHONG.CO",
            400,
            "Không tìm thấy cơ quan",
        ),
        (
            &format!("from=2025-01-01&to=2025-01-31&agency={WARD_B}"),
            403,
            "quyền",
        ),
        (
            "figure=everything&from=2025-01-01&to=2025-01-31",
            400,
            "không có trong mẫu",
        ),
        (
            "figure=received_total&from=2025-01-01&to=2025-01-31&trang=x",
            400,
            "Số trang",
        ),
        (
            "figure=received_total&from=2025-01-01&to=2025-01-31&row=nope",
            400,
            "Dòng được chọn",
        ),
    ] {
        let path = if query.starts_with("figure") {
            format!("/bao-cao/ho-so?{query}")
        } else {
            format!("/bao-cao?{query}")
        };
        let (got, html) = page(&browser, &app, &path).await;
        assert_eq!(got, status, "{path}: {html}");
        assert!(html.contains(words), "{path}: {html}");
        assert!(html.contains("class=\"alert error\""), "{path}");
    }
}
