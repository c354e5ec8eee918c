//! The dashboard and the ranking of units: every figure agrees with form II.06a
//! for the same period, on both engines.

use motcua_domain::report::{rank, Counts, RankBy};

use crate::common::*;
use crate::on_both_engines;
use crate::reports::{counts_of, get, import, mixed, page};

on_both_engines!(
    units_are_ranked_with_the_reports_figures,
    dashboard_agrees_with_the_report,
);

async fn units_are_ranked_with_the_reports_figures(app: TestApp) {
    import(&app, &mixed()).await;
    let token = app.token("giamsat").await;
    let period = "from=2024-10-01&to=2025-12-31";
    let (status, report) = get(
        &app,
        &token,
        &format!("/api/v1/reports/ii06a?agency={PROVINCE}&{period}&by=child"),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let rows = report["rows"].as_array().expect("rows");
    for sort in ["on_time", "overdue", "online"] {
        let (status, ranking) = get(
            &app,
            &token,
            &format!("/api/v1/reports/units?agency={PROVINCE}&{period}&sort={sort}"),
        )
        .await;
        assert_eq!(status, 200, "{ranking}");
        let items = ranking["items"].as_array().expect("items");
        assert_eq!(items.len(), rows.len(), "one item per unit row");
        // Every unit carries the report's figures for its row …
        for item in items {
            let row = rows
                .iter()
                .find(|r| r["agency_code"] == item["agency_code"])
                .expect("the unit is a row of the report");
            assert_eq!(counts_of(&item["counts"]), counts_of(row));
        }
        // … and the order and places the domain's ranking gives them.
        let counts: Vec<Counts> = rows.iter().map(counts_of).collect();
        let by = RankBy::parse(sort).expect("criterion");
        let expected: Vec<(String, u64)> = rank(&counts, by)
            .into_iter()
            .map(|(i, place)| {
                let code = rows[i]["agency_code"].as_str().expect("code").to_owned();
                (code, place as u64)
            })
            .collect();
        let got: Vec<(String, u64)> = items
            .iter()
            .map(|i| {
                let code = i["agency_code"].as_str().expect("code").to_owned();
                (code, i["place"].as_u64().expect("place"))
            })
            .collect();
        assert_eq!(got, expected, "sort={sort}");
        let first = &items[0];
        let c = counts_of(&first["counts"]);
        if c.resolved_total > 0 {
            let rate = first["on_time_rate"].as_f64().expect("rate");
            let want = (c.resolved_early + c.resolved_on_time) as f64 / c.resolved_total as f64;
            assert!((rate - want).abs() < 1e-9);
        }
    }
    let (status, problem) = get(
        &app,
        &token,
        &format!("/api/v1/reports/units?agency={PROVINCE}&{period}&sort=best"),
    )
    .await;
    assert_eq!(status, 400, "{problem}");
    assert!(problem.to_string().contains("sort"), "{problem}");
    let ward = app.token("tiepnhan").await;
    let (status, _) = get(
        &app,
        &ward,
        &format!("/api/v1/reports/units?agency={PROVINCE}&{period}"),
    )
    .await;
    assert_eq!(status, 403, "a ward's officer does not rank the province");
}

/// The numbers of one table of the page: each row's header and its cells.
fn table(html: &str, class: &str) -> Vec<(String, Vec<u64>)> {
    let start = html
        .find(&format!("<table class=\"{class}\""))
        .unwrap_or_else(|| panic!("table {class} in {html}"));
    let end = start + html[start..].find("</table>").expect("table end");
    html[start..end]
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let head = row
                .split("<th scope=\"row\">")
                .nth(1)
                .and_then(|h| h.split("</th>").next())
                .unwrap_or_default()
                .to_owned();
            let cells = row
                .split("<td class=\"num\">")
                .skip(1)
                .filter_map(|c| c.split("</td>").next())
                .map(|c| c.replace('.', "").parse().unwrap_or(0))
                .collect();
            (head, cells)
        })
        .collect()
}

async fn dashboard_agrees_with_the_report(app: TestApp) {
    let cases = mixed();
    import(&app, &cases).await;
    let token = app.token("giamsat").await;
    let period = "from=2024-10-01&to=2025-12-31";
    let (_, report) = get(
        &app,
        &token,
        &format!("/api/v1/reports/ii06a?agency={PROVINCE}&{period}&scope=subtree"),
    )
    .await;
    let total = counts_of(&report["total"]);

    let browser = app.browser();
    app.signed_in(&browser, "giamsat").await;
    let (status, home) = page(&browser, &app, "/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains("href=\"/bang-dieu-khien\""),
        "the navigation links it"
    );
    let (status, html) = page(
        &browser,
        &app,
        &format!("/bang-dieu-khien?agency={PROVINCE}&{period}&scope=subtree"),
    )
    .await;
    assert_eq!(status, 200, "{html}");

    // The monthly trend: one row per month of the period, adding up to the form.
    let months = table(&html, "months");
    assert_eq!(months.len(), 15, "October 2024 to December 2025");
    assert_eq!(months[0].0, "10/2024");
    let sum = |i: usize| months.iter().map(|m| m.1[i]).sum::<u64>();
    assert_eq!(
        sum(0),
        total.received_online + total.received_direct_or_post
    );
    assert_eq!(sum(1), total.received_online);
    assert_eq!(sum(2), total.resolved_total);
    assert_eq!(sum(3), total.resolved_early + total.resolved_on_time);
    assert!(
        html.contains("<svg class=\"chart\""),
        "the chart is drawn on the page"
    );

    // Time per procedure covers every dossier returned in the period.
    let times = table(&html, "procedure-times");
    assert_eq!(
        times.iter().map(|t| t.1[0]).sum::<u64>(),
        total.resolved_total
    );

    // The units below, ranked, with the same rates as the ranking API.
    let (_, ranking) = get(
        &app,
        &token,
        &format!("/api/v1/reports/units?agency={PROVINCE}&{period}"),
    )
    .await;
    let ranked = ranking["items"].as_array().expect("items");
    let first_name = ranked[0]["agency_name"].as_str().expect("name");
    let units_at = html.find("<table class=\"units\"").expect("ranking table");
    assert!(html[units_at..].find(first_name).is_some());

    // Every open dossier of the scenario is overdue by now (they were due in
    // 2024–2025): the list shows 20 and says how many more there are.
    let open = cases.iter().filter(|c| c.status.is_open()).count();
    assert!(open > 20);
    let overdue = html.find("id=\"qua-han\"").expect("overdue list");
    let shown = html[overdue..]
        .split("id=\"sap-den-han\"")
        .next()
        .expect("section")
        .matches("href=\"/ho-so/")
        .count();
    assert_eq!(shown, 20);
    assert!(
        html.contains(&format!("… và {} hồ sơ khác.", open - 20)),
        "{html}"
    );

    // Bad input stays on the page as a message.
    let (status, html) = page(
        &browser,
        &app,
        &format!("/bang-dieu-khien?agency={PROVINCE}&from=2025-12-31&to=2025-01-01"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(html.contains("phải từ ngày đầu kỳ"), "{html}");
}
