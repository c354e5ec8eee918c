//! Civil-status registers: entries, notes, numbering, search and import, on both
//! engines.

use std::collections::BTreeMap;

use motcua_app::registers::{ImportOptions, SearchQuery};
use motcua_app::{Error, Principal};
use motcua_domain::civil::{Cell, ImportRow};

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    search_folds_names_and_sorts_in_vietnamese_order,
    numbering_is_gap_free_under_parallel_requests,
    historical_entries_keep_their_numbers_and_closed_books_refuse,
    notes_never_overwrite,
    import_accounts_for_every_row,
    registers_are_scoped_to_the_unit,
    export_imports_back_into_an_empty_database,
    upload_page_imports_a_workbook_and_refuses_bad_files,
    an_old_binary_xls_register_imports,
    search_pages_in_vietnamese_order_across_equal_prefixes,
    migrations_0015_and_0026_fill_the_name_prefixes_of_existing_entries,
    a_large_import_writes_every_name_prefix_by_number,
    imported_books_are_the_years_books_and_a_full_one_is_followed,
    entries_and_notes_by_hand_over_the_api,
    rejected_rows_come_back_fixed,
    entries_and_notes_by_hand_on_the_pages,
    a_column_the_reader_does_not_know_is_mapped_by_hand,
    an_upload_from_the_page_is_followed_until_its_report,
);

async fn actor(app: &TestApp, username: &str) -> Principal {
    let token = app.token(username).await;
    Principal::User(
        app.app
            .token_actor(&token, None)
            .await
            .expect("actor")
            .expect("known token"),
    )
}

fn t(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn cells(pairs: &[(&str, Cell)]) -> BTreeMap<String, Cell> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn birth(name: &str, number: Option<i64>) -> BTreeMap<String, Cell> {
    let mut c = cells(&[
        ("registered_on", t("10/03/2014")),
        ("full_name", t(name)),
        ("sex", t("Nam")),
        ("date_of_birth", t("05/03/2014")),
        ("mother_name", t("Trần Thị Hoa")),
    ]);
    if let Some(n) = number {
        c.insert("book".into(), t("01/2014"));
        c.insert("number".into(), Cell::Integer(n));
    }
    c
}

fn q(s: &str) -> SearchQuery {
    SearchQuery {
        q: Some(s.into()),
        ..Default::default()
    }
}

fn names(page: &motcua_app::registers::SearchPage) -> Vec<String> {
    page.items.iter().map(|i| i.full_name.clone()).collect()
}

async fn search_folds_names_and_sorts_in_vietnamese_order(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    for (i, name) in [
        "Nguyễn Văn Đức",
        "DUC",
        "Đức",
        "Nguye\u{0302}\u{0303}n Văn An",
        "Ăn Văn Bé",
        "An Thị Bình",
        "Âu Thị Cúc",
        "Bùi Văn Dũng",
    ]
    .iter()
    .enumerate()
    {
        regs.create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth(name, Some(i as i64 + 1)),
        )
        .await
        .expect("entry");
    }
    let found = regs
        .search(&officer, &q("nguyen van duc"))
        .await
        .expect("search");
    assert_eq!(names(&found), ["Nguyễn Văn Đức"]);
    let found = regs.search(&officer, &q("Đức")).await.expect("search");
    assert_eq!(names(&found), ["DUC", "Đức", "Nguyễn Văn Đức"]);
    let found = regs.search(&officer, &q("NGUYÊN")).await.expect("search");
    assert_eq!(names(&found), ["Nguyễn Văn An", "Nguyễn Văn Đức"]);
    // Combining input in the query too.
    let found = regs
        .search(&officer, &q("Nguye\u{0302}\u{0303}n van a"))
        .await
        .expect("search");
    assert_eq!(names(&found), ["Nguyễn Văn An"]);
    // Everything, in Vietnamese order, two a page.
    let mut all = Vec::new();
    let mut query = SearchQuery {
        limit: Some(3),
        ..Default::default()
    };
    loop {
        let page = regs.search(&officer, &query).await.expect("page");
        assert!(page.items.len() <= 3);
        all.extend(names(&page));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        all,
        [
            "An Thị Bình",
            "Ăn Văn Bé",
            "Âu Thị Cúc",
            "Bùi Văn Dũng",
            "DUC",
            "Đức",
            "Nguyễn Văn An",
            "Nguyễn Văn Đức",
        ]
    );
    // Narrowing: by mother, year of birth, book and number, kind.
    let page = regs
        .search(
            &officer,
            &SearchQuery {
                mother: Some("tran thi".into()),
                born: Some("2014".into()),
                book: Some("01/2014".into()),
                number: Some(2),
                kind: Some("birth".into()),
                year: Some(2014),
                ..Default::default()
            },
        )
        .await
        .expect("narrowed");
    assert_eq!(names(&page), ["DUC"]);
    let page = regs
        .search(
            &officer,
            &SearchQuery {
                born: Some("05/03/2014".into()),
                q: Some("bui".into()),
                ..Default::default()
            },
        )
        .await
        .expect("by date");
    assert_eq!(names(&page), ["Bùi Văn Dũng"]);
    let page = regs
        .search(
            &officer,
            &SearchQuery {
                kind: Some("death".into()),
                ..Default::default()
            },
        )
        .await
        .expect("by kind");
    assert!(page.items.is_empty());
    // The API answers the same.
    let token = app.token("chuyenvien").await;
    let r = app
        .client()
        .get(app.url("/api/v1/civil-events?q=duc&kind=birth"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), 200);
    let body = json(r).await;
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["full_name"], "DUC");
    let id = items[2]["id"].as_str().expect("id");
    let r = app
        .client()
        .get(app.url(&format!("/api/v1/civil-events/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), 200);
    assert_eq!(json(r).await["full_name"], "Nguyễn Văn Đức");
}

async fn numbering_is_gap_free_under_parallel_requests(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = app.app.clone();
        let officer = officer.clone();
        tasks.push(tokio::spawn(async move {
            app.registers()
                .create(
                    &officer,
                    WARD_A,
                    "birth",
                    false,
                    &birth(&format!("Người {i}"), None),
                )
                .await
        }));
    }
    // A failing request in between gives its number back.
    let bad = app
        .app
        .registers()
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &cells(&[("registered_on", t("10/03/2014"))]),
        )
        .await;
    assert!(matches!(bad, Err(Error::Invalid(_))));
    let mut numbers = Vec::new();
    for task in tasks {
        let e = task.await.expect("join").expect("created");
        assert_eq!(e.book, "01/2014");
        numbers.push(e.number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>());
}

async fn historical_entries_keep_their_numbers_and_closed_books_refuse(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let leader = actor(&app, "lanhdao").await;
    let regs = app.app.registers();
    let e = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Lê Văn Cũ", Some(41)),
        )
        .await
        .expect("historical");
    assert_eq!((e.book.as_str(), e.number), ("01/2014", 41));
    // The same number again: refused, the first entry unchanged.
    let clash = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Lê Văn Khác", Some(41)),
        )
        .await;
    assert!(matches!(clash, Err(Error::Conflict(_))), "{clash:?}");
    assert_eq!(
        regs.entry_as(&officer, &e.id)
            .await
            .expect("entry")
            .full_name,
        "Lê Văn Cũ"
    );
    // A new entry in that book follows the highest number.
    let next = regs
        .create(&officer, WARD_A, "birth", false, &birth("Lê Văn Mới", None))
        .await
        .expect("new");
    assert_eq!(next.number, 42);
    // A specialist may not close a book; the leader may; then it refuses entries.
    assert!(matches!(
        regs.close_book(&officer, WARD_A, "birth", 2014, "01/2014")
            .await,
        Err(Error::Forbidden(_))
    ));
    regs.close_book(&leader, WARD_A, "birth", 2014, "01/2014")
        .await
        .expect("closed");
    for number in [None, Some(43)] {
        let refused = regs
            .create(
                &officer,
                WARD_A,
                "birth",
                false,
                &birth("Lê Văn Muộn", number),
            )
            .await;
        assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
    }
    // Another year's book is open.
    let mut other = birth("Lê Văn Sau", None);
    other.insert("registered_on".into(), t("02/01/2015"));
    let e = regs
        .create(&officer, WARD_A, "birth", false, &other)
        .await
        .expect("2015");
    assert_eq!((e.book.as_str(), e.number), ("01/2015", 1));
}

async fn notes_never_overwrite(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let e = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Nguyễn Văn Đúc", Some(7)),
        )
        .await
        .expect("entry");
    let e2 = regs
        .add_note(
            &officer,
            &e.id,
            "correction",
            "02/01/2015",
            &cells(&[("full_name", t("Nguyễn Văn Đức"))]),
            "Viết sai dấu",
            Some("Tờ khai cải chính ngày 02/01/2015"),
        )
        .await
        .expect("correction");
    assert_eq!(e2.full_name, "Nguyễn Văn Đức");
    let original_name = e2
        .original
        .iter()
        .find(|f| f.field == "full_name")
        .expect("name");
    assert_eq!(original_name.text, "Nguyễn Văn Đúc");
    let e3 = regs
        .add_note(
            &officer,
            &e.id,
            "supplement",
            "03/01/2015",
            &cells(&[("place_of_birth", t("Trạm y tế phường Phố Hiến"))]),
            "Bổ sung nơi sinh",
            None,
        )
        .await
        .expect("supplement");
    assert_eq!(e3.history.len(), 2);
    assert_eq!(e3.history[0].before.as_deref(), Some("Nguyễn Văn Đúc"));
    assert_eq!(e3.history[0].after.as_deref(), Some("Nguyễn Văn Đức"));
    assert_eq!(e3.history[1].kind, "supplement");
    // Search sees the current name.
    let found = regs
        .search(&officer, &q("nguyen van duc"))
        .await
        .expect("search");
    assert_eq!(names(&found), ["Nguyễn Văn Đức"]);
    // A supplement over a value is refused.
    let refused = regs
        .add_note(
            &officer,
            &e.id,
            "supplement",
            "04/01/2015",
            &cells(&[("full_name", t("X"))]),
            "?",
            None,
        )
        .await;
    assert!(matches!(refused, Err(Error::Invalid(_))));
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entry_notes").await, 2);
}

fn row(sheet: &str, n: u32, pairs: &[(&str, Cell)]) -> ImportRow {
    ImportRow {
        sheet: sheet.into(),
        excel_row: n,
        blank: false,
        values: cells(pairs),
    }
}

fn legacy_rows() -> Vec<ImportRow> {
    let entry = |n: i64, name: &str| {
        vec![
            ("book", t("01")),
            ("book_year", Cell::Year(2014)),
            ("number", Cell::Integer(n)),
            ("registered_on", Cell::Date(jiff::civil::date(2014, 3, 10))),
            ("full_name", t(name)),
            ("sex", t("Nữ")),
            ("date_of_birth", t("01/03/2014")),
        ]
    };
    vec![
        row("2014", 4, &entry(1, "Phạm Thị Một")),
        row("2014", 5, &entry(2, "Phạm Thị Hai")),
        ImportRow {
            sheet: "2014".into(),
            excel_row: 6,
            blank: true,
            values: BTreeMap::new(),
        },
        // The same entry typed twice in the workbook: a duplicate.
        row("2014", 7, &entry(2, "Phạm Thị Hai")),
        // Same number, another person: a clash, rejected.
        row("2014", 8, &entry(1, "Phạm Thị Khác")),
        // An impossible date and an invalid cell: rejected, each column named.
        row(
            "2014",
            9,
            &[
                ("book", t("01")),
                ("book_year", Cell::Year(2014)),
                ("number", Cell::Integer(3)),
                ("registered_on", t("31/02/2014")),
                ("full_name", t("Phạm Thị Ba")),
                (
                    "sex",
                    Cell::Invalid {
                        raw: "?".into(),
                        reason: "không đọc được".into(),
                    },
                ),
                ("date_of_birth", t("01/03/2014")),
            ],
        ),
        row("2014", 10, &entry(4, "Phạm Thị Bốn")),
    ]
}

async fn import_accounts_for_every_row(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let rows = legacy_rows();
    let dry = regs
        .import(&officer, WARD_A, "birth", &rows, true)
        .await
        .expect("dry run");
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_books").await, 0);
    let report = regs
        .import(&officer, WARD_A, "birth", &rows, false)
        .await
        .expect("import");
    assert_eq!(
        (
            report.total_rows,
            report.imported,
            report.duplicates,
            report.blank,
            report.rejected_rows
        ),
        (7, 3, 1, 1, 2)
    );
    assert_eq!(
        (dry.imported, dry.duplicates, dry.blank, dry.rejected),
        (
            report.imported,
            report.duplicates,
            report.blank,
            report.rejected.clone()
        )
    );
    let columns: Vec<(u32, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.row, r.column.as_str()))
        .collect();
    assert!(columns.contains(&(8, "number")), "{columns:?}");
    assert!(columns.contains(&(9, "registered_on")), "{columns:?}");
    assert!(columns.contains(&(9, "sex")), "{columns:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 3);
    // Again: nothing added, the entries now duplicates.
    let again = regs
        .import(&officer, WARD_A, "birth", &rows, false)
        .await
        .expect("again");
    assert_eq!(
        (again.imported, again.duplicates, again.rejected_rows),
        (0, 4, 2)
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 3);
    // The clash did not overwrite; a new entry in the book follows number 4.
    let found = regs
        .search(&officer, &q("pham thi mot"))
        .await
        .expect("search");
    assert_eq!(names(&found), ["Phạm Thị Một"]);
    let mut next = birth("Phạm Thị Năm", None);
    next.insert("book".into(), t("01"));
    let e = regs
        .create(&officer, WARD_A, "birth", false, &next)
        .await
        .expect("next");
    assert_eq!(e.number, 5);
    // A counter officer may not import.
    let counter = actor(&app, "tiepnhan").await;
    assert!(matches!(
        regs.import(&counter, WARD_A, "birth", &rows, true).await,
        Err(Error::Forbidden(_))
    ));
}

async fn registers_are_scoped_to_the_unit(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let e = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Hoàng Văn Riêng", Some(1)),
        )
        .await
        .expect("entry");
    assert!(matches!(
        regs.create(&officer, WARD_B, "birth", false, &birth("X", Some(1)))
            .await,
        Err(Error::Forbidden(_))
    ));
    let other = actor(&app, "tiepnhan.hht").await;
    assert!(matches!(
        regs.entry_as(&other, &e.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        regs.search(
            &other,
            &SearchQuery {
                agency: Some(WARD_A.into()),
                ..Default::default()
            }
        )
        .await,
        Err(Error::Forbidden(_))
    ));
    let supervisor = actor(&app, "giamsat").await;
    let page = regs
        .search(
            &supervisor,
            &SearchQuery {
                agency: Some(WARD_A.into()),
                q: Some("hoang".into()),
                ..Default::default()
            },
        )
        .await
        .expect("supervisor reads");
    assert_eq!(page.items.len(), 1);
}

/// Every entry of an agency, keyed by (kind, book year, book, number), as the
/// API shows it minus what a new database gives anew (ids, source, dossier).
async fn all_entries(app: &TestApp, by: &Principal) -> BTreeMap<String, serde_json::Value> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM civil_entries")
        .fetch_all(app.db.pool())
        .await
        .expect("ids");
    let mut out = BTreeMap::new();
    for id in ids {
        let e = app.app.registers().entry_as(by, &id).await.expect("entry");
        let key = format!("{} {} {} {}", e.kind, e.book_year, e.book, e.number);
        let mut v = serde_json::to_value(&e).expect("json");
        for k in ["id", "source", "dossier_id"] {
            v.as_object_mut().expect("object").remove(k);
        }
        out.insert(key, v);
    }
    out
}

/// `motcua registry export` then `registry import` into an empty database gives
/// back every entry field by field — combining marks, quotes, commas and line
/// breaks, dates before 1900, re-registrations, notes and their history included —
/// and importing it again adds nothing.
async fn export_imports_back_into_an_empty_database(app: TestApp) {
    use crate::cli::motcua;
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let mut first = birth("Nguye\u{0302}\u{0303}n Thị \"Bé\", Hai", Some(1));
    first.insert(
        "place_of_birth".into(),
        t("Trạm y tế, \"phường\" Phố Hiến; =SUM(A1)"),
    );
    first.insert("personal_id".into(), t("001090000123"));
    first.insert("mother_birth_year".into(), Cell::Integer(1990));
    first.insert("note".into(), t("Dòng một\nDòng hai, \"ba\""));
    let e1 = regs
        .create(&officer, WARD_A, "birth", false, &first)
        .await
        .expect("e1");
    regs.add_note(
        &officer,
        &e1.id,
        "correction",
        "02/01/2015",
        &cells(&[("full_name", t("Nguyễn Thị Bé Hai")), ("sex", t("Nữ"))]),
        "Viết sai, \"dấu\"",
        Some("Quyết định số 12/QĐ-UBND"),
    )
    .await
    .expect("correction");
    regs.add_note(
        &officer,
        &e1.id,
        "supplement",
        "03/01/2015",
        &cells(&[
            ("father_name", t("Lê Văn Cha")),
            ("father_birth_year", t("1988")),
        ]),
        "Bổ sung",
        None,
    )
    .await
    .expect("supplement");
    regs.add_note(
        &officer,
        &e1.id,
        "change",
        "04/01/2016",
        &cells(&[("note", t(""))]),
        "Bỏ ghi chú cũ",
        None,
    )
    .await
    .expect("change clearing a field");
    // A re-registration of an 1890s birth, in a book of another year.
    let old = cells(&[
        ("book", t("02/2014")),
        ("book_year", Cell::Integer(2014)),
        ("number", Cell::Integer(5)),
        ("registered_on", t("20/01/2015")),
        ("full_name", t("ĐẶNG VĂN CỤ")),
        ("sex", t("Nam")),
        ("date_of_birth", t("02/01/1895")),
    ]);
    regs.create(&officer, WARD_A, "birth", true, &old)
        .await
        .expect("re-registration");
    regs.create(
        &officer,
        WARD_A,
        "death",
        false,
        &cells(&[
            ("book", t("01/2015")),
            ("number", Cell::Integer(3)),
            ("registered_on", t("10/05/2015")),
            ("full_name", t("Trần Văn Mất")),
            ("date_of_death", t("08/05/2015")),
            ("cause_of_death", t("Già yếu, bệnh")),
        ]),
    )
    .await
    .expect("death");
    let m = regs
        .create(
            &officer,
            WARD_A,
            "marriage",
            false,
            &cells(&[
                ("book", t("01/2016")),
                ("number", Cell::Integer(1)),
                ("registered_on", t("01/02/2016")),
                ("husband_name", t("Phạm Văn Chồng")),
                ("wife_name", t("Vũ Thị Vợ")),
                ("wife_personal_id", t("034190000456")),
            ]),
        )
        .await
        .expect("marriage");
    regs.add_note(
        &officer,
        &m.id,
        "change",
        "01/03/2017",
        &cells(&[("wife_name", t("Vũ Thị Vợ Mới"))]),
        "Đổi tên",
        None,
    )
    .await
    .expect("marriage note");
    let before = all_entries(&app, &officer).await;
    assert_eq!(before.len(), 4);

    let dir = std::env::temp_dir().join(format!("motcua-export-{}", unique()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("so-ho-tich.xlsx").to_string_lossy().into_owned();
    let out = motcua(
        &app,
        &["registry", "export", "--agency", WARD_A, &file],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("4 entries and 4 notes"),
        "{}",
        out.stdout
    );
    // CSV, one file a sheet, text quoted where it must be.
    let csv_dir = dir.join("csv").to_string_lossy().into_owned();
    let out = motcua(
        &app,
        &[
            "registry", "export", "--agency", WARD_A, "--kind", "birth", "--year", "2014", &csv_dir,
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let csv = std::fs::read_to_string(dir.join("csv/birth-2014.csv")).expect("birth csv");
    assert!(
        csv.starts_with("\u{feff}Quyển số,Năm của sổ,Số,Ngày đăng ký,Đăng ký lại,"),
        "{csv}"
    );
    assert!(csv.contains("\"Nguyễn Thị \"\"Bé\"\", Hai\""), "{csv}");
    assert!(csv.contains("02/01/1895"), "{csv}");
    assert!(!dir.join("csv/death-2015.csv").exists());
    let notes_csv = std::fs::read_to_string(dir.join("csv/notes.csv")).expect("notes csv");
    assert!(notes_csv.contains("Cải chính"), "{notes_csv}");

    // Into an empty database, one kind at a time.
    let engine = if app.database_url.starts_with("sqlite") {
        Engine::Sqlite
    } else {
        Engine::Postgres
    };
    let fresh = TestApp::spawn(engine).await.expect("fresh app");
    assert_eq!(fresh.count("SELECT COUNT(*) FROM civil_entries").await, 0);
    let report = dir.join("report.json").to_string_lossy().into_owned();
    for round in 0..2 {
        for kind in ["birth", "death", "marriage"] {
            let out = motcua(
                &fresh,
                &[
                    "registry", "import", &file, "--agency", WARD_A, "--kind", kind, "--report",
                    &report,
                ],
                &[],
                None,
            )
            .await;
            assert_eq!(out.code, 0, "{kind}: {}{}", out.stdout, out.stderr);
            let r: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
            assert_eq!(r["rejected"], serde_json::json!([]), "{kind}: {r}");
            let (entries, notes) = match kind {
                "birth" => (2, 3),
                "death" => (1, 0),
                _ => (1, 1),
            };
            let (new, old) = if round == 0 {
                ("imported", "duplicates")
            } else {
                ("duplicates", "imported")
            };
            assert_eq!(
                (r[new].as_u64(), r[old].as_u64()),
                (Some(entries), Some(0)),
                "{kind}: {r}"
            );
            let (new, old) = if round == 0 {
                ("notes_imported", "notes_duplicates")
            } else {
                ("notes_duplicates", "notes_imported")
            };
            assert_eq!(
                (r[new].as_u64(), r[old].as_u64()),
                (Some(notes), Some(0)),
                "{kind}: {r}"
            );
        }
    }
    let fresh_officer = actor(&fresh, "chuyenvien").await;
    let after = all_entries(&fresh, &fresh_officer).await;
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (key, was) in &before {
        assert_eq!(&after[key], was, "{key}");
    }
    // Search finds the imported entry by its current name, and the book goes on.
    let found = fresh
        .app
        .registers()
        .search(&fresh_officer, &q("nguyen thi be hai"))
        .await
        .expect("search");
    assert_eq!(names(&found), ["Nguyễn Thị Bé Hai"]);
    let _ = std::fs::remove_dir_all(&dir);
}

async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> (u16, String) {
    // The server answers an oversized upload before reading all of it and closes
    // that connection; a request sent on it meanwhile meets a broken pipe. That is
    // HTTP, not a fault: send again, a few times.
    let mut attempt = 0;
    let r = loop {
        attempt += 1;
        let mut form = reqwest::multipart::Form::new()
            .text("_csrf", csrf.to_owned())
            .text("kind", "birth")
            .part(
                "tep",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_owned()),
            );
        if dry_run {
            form = form.text("dry_run", "1");
        }
        match client
            .post(app.url("/ho-tich/nhap"))
            .multipart(form)
            .send()
            .await
        {
            Ok(r) => break r,
            Err(e) if e.is_request() && attempt < 5 => continue,
            Err(e) => panic!("upload: {e:?}"),
        }
    };
    (r.status().as_u16(), r.text().await.expect("html"))
}

fn figure(html: &str, id: &str) -> u64 {
    let at = html
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("{id} in {html}"));
    let rest = &html[at + id.len() + 6..];
    rest[..rest.find('<').expect("end")]
        .parse()
        .expect("number")
}

/// `/ho-tich/nhap`: an officer uploads a register workbook, first as a check,
/// then for real; the report shows every figure and the rejected rows with a
/// download; a file that is no workbook, an empty one or a huge one gets a
/// Vietnamese message, never a 500. A counter officer may not import.
async fn upload_page_imports_a_workbook_and_refuses_bad_files(app: TestApp) {
    let client = app.browser();
    let csrf = app.signed_in(&client, "chuyenvien").await;
    let page = client
        .get(app.url("/ho-tich/nhap"))
        .send()
        .await
        .expect("form");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Đang nhập…"), "{html}");
    assert!(html.contains("hx-indicator=\"#dang-nhap\""), "{html}");

    let book = motcua_legacy::sample::birth_register(40).expect("workbook");
    let (status, html) = upload(
        &app,
        &client,
        &csrf,
        "so-khai-sinh.xlsx",
        book.clone(),
        true,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Kết quả kiểm tra"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 0);
    let dry = [
        figure(&html, "total_rows"),
        figure(&html, "imported"),
        figure(&html, "duplicates"),
        figure(&html, "blank"),
        figure(&html, "rejected_rows"),
    ];
    assert_eq!(dry[0], 40);
    assert_eq!(dry[1..].iter().sum::<u64>(), 40, "{dry:?}");
    let (status, html) = upload(
        &app,
        &client,
        &csrf,
        "so-khai-sinh.xlsx",
        book.clone(),
        false,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(figure(&html, "imported"), dry[1]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM civil_entries").await,
        dry[1] as i64
    );
    if dry[4] > 0 {
        assert!(html.contains("id=\"tai-dong-loi\""), "{html}");
        assert!(
            html.contains("data:application/vnd.openxmlformats"),
            "{html}"
        );
        assert!(
            html.contains("<td>2014</td>") || html.contains("<table id=\"rejected\">"),
            "{html}"
        );
    }
    // Again: everything already there.
    let (_, html) = upload(&app, &client, &csrf, "so-khai-sinh.xlsx", book, false).await;
    assert_eq!(figure(&html, "imported"), 0);
    assert_eq!(figure(&html, "duplicates"), dry[1]);

    for (name, bytes, message) in [
        (
            "ghi-chu.xlsx",
            b"xin chao".to_vec(),
            "không phải bảng tính Excel",
        ),
        (
            "hong.xlsx",
            b"PK\x03\x04 hong".to_vec(),
            "Không đọc được tệp",
        ),
        ("trong.xlsx", Vec::new(), "Tệp trống"),
        (
            "lon.xlsx",
            vec![b'x'; motcua_app::registers::MAX_WORKBOOK_BYTES + 1024 * 1024],
            "tối đa 20 MB",
        ),
    ] {
        let (status, html) = upload(&app, &client, &csrf, name, bytes, false).await;
        assert_eq!(status, 422, "{name}: {html}");
        assert!(html.contains(message), "{name}: {html}");
    }
    // A workbook with no register in it.
    let other = motcua_docs::registers::export_xlsx(&[motcua_docs::registers::ExportSheet {
        name: "Trang 1".into(),
        file_stem: "x".into(),
        titles: vec!["Chỉ một ô".into()],
        rows: vec![],
    }])
    .expect("xlsx");
    let (status, html) = upload(&app, &client, &csrf, "khac.xlsx", other, false).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("không có dòng nào để nhập"), "{html}");

    let counter = app.browser();
    app.signed_in(&counter, "tiepnhan").await;
    let r = counter
        .get(app.url("/ho-tich/nhap"))
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), 403);
}

/// A real .xls (BIFF8, written by xlwt: tests/fixtures/make_legacy_xls.py) with
/// names in TCVN3 (.VnTime), VNI and Unicode, Excel and typed dates, a blank row
/// and an impossible date: read by calamine and imported, every row accounted for.
async fn an_old_binary_xls_register_imports(app: TestApp) {
    let bytes = include_bytes!("fixtures/so-khai-sinh-2014.xls");
    assert!(bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]), "an OLE2 .xls");
    let mut workbook = motcua_legacy::read_workbook(
        bytes,
        "so-khai-sinh-2014.xls",
        "birth",
        &motcua_legacy::Mapping::default(),
    )
    .expect("read .xls");
    assert_eq!(workbook.sheets[0].header_row, Some(3));
    let rows = motcua_legacy::import_rows(&mut workbook);
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let report = regs
        .import(&officer, WARD_A, "birth", &rows, false)
        .await
        .expect("import");
    assert_eq!(
        (
            report.total_rows,
            report.imported,
            report.duplicates,
            report.blank,
            report.rejected_rows
        ),
        (6, 4, 0, 1, 1),
        "{report:?}"
    );
    assert_eq!(
        (
            report.rejected[0].sheet.as_str(),
            report.rejected[0].row,
            report.rejected[0].column.as_str()
        ),
        ("2014", 9, "registered_on")
    );
    let all = regs
        .search(
            &officer,
            &SearchQuery {
                year: Some(2014),
                ..Default::default()
            },
        )
        .await
        .expect("search");
    assert_eq!(
        names(&all),
        [
            "Đặng Hữu Khôi",
            "Hoàng Thị Hường",
            "Lê Thị Tuyết Mai",
            "Nguyễn Văn Đức"
        ]
    );
    let duc = regs
        .search(&officer, &q("nguyen van duc"))
        .await
        .expect("search");
    let e = regs
        .entry_as(&officer, &duc.items[0].id)
        .await
        .expect("entry");
    let field = |name: &str| {
        e.current
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.text.clone())
    };
    assert_eq!(field("mother_name").as_deref(), Some("Trần Thị Hoa"));
    assert_eq!(field("date_of_birth").as_deref(), Some("05/03/2014"));
    assert_eq!(field("personal_id").as_deref(), Some("001214000001"));
    assert_eq!(e.registered_on.to_string(), "2014-03-10");
}

/// Every page of `query`, `limit` a page, followed by its `next`.
async fn all_pages(
    regs: &motcua_app::registers::Registers<'_>,
    by: &Principal,
    mut query: SearchQuery,
    limit: i64,
) -> Vec<(String, String)> {
    query.limit = Some(limit);
    let mut out = Vec::new();
    loop {
        let page = regs.search(by, &query).await.expect("page");
        assert!(page.items.len() as i64 <= limit);
        out.extend(
            page.items
                .iter()
                .map(|i| (i.id.clone(), i.full_name.clone())),
        );
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    out
}

async fn search_pages_in_vietnamese_order_across_equal_prefixes(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    // Many names under the same prefixes, differing by vowel marks, tones and
    // case only (folded order and Vietnamese order disagree), two of them equal.
    let names = [
        "Nguyễn Văn Ân",
        "Nguyễn Văn An",
        "Nguyễn Văn Ăn",
        "Nguyễn Văn Ánh",
        "Nguyễn Văn An",
        "Nguyễn Văn Anh",
        "NGUYỄN VĂN AN",
        "Nguyen Van Am",
        "Nguyễn Vân Anh",
        "Nguyễn Văn Bé",
        "Trần Văn Nguyễn",
        "Ngô Thị Nga",
    ];
    for (i, name) in names.iter().enumerate() {
        regs.create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth(name, Some(i as i64 + 1)),
        )
        .await
        .expect("entry");
    }
    let fold = motcua_domain::text::fold;
    for query in [
        "nguyen van",
        "nguyen van an",
        "nguyen van a",
        "nguyen",
        "ng",
        "n",
        "",
    ] {
        // What the search must answer: every name one of whose terms (the whole
        // name, the given name) starts with the query, in Vietnamese order.
        let mut expected: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| {
                let f = fold(n);
                let given = f.rsplit(' ').next().unwrap_or_default().to_owned();
                f.starts_with(query) || given.starts_with(query)
            })
            .collect();
        expected.sort_by_key(|n| motcua_domain::text::collation_key(n));
        for limit in [1, 2, 3, 200] {
            let found = all_pages(
                &regs,
                &officer,
                SearchQuery {
                    q: Some(query.into()),
                    ..Default::default()
                },
                limit,
            )
            .await;
            let got: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
            assert_eq!(got, expected, "«{query}», {limit} a page");
            let mut ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), found.len(), "«{query}»: an entry twice");
        }
    }
    // With a narrowing filter (date of birth: read by its own index, every
    // entry here born the same day) the order and the pages are the same.
    for query in ["nguyen van a", "ng"] {
        let everything = all_pages(
            &regs,
            &officer,
            SearchQuery {
                q: Some(query.into()),
                ..Default::default()
            },
            200,
        )
        .await;
        let narrowed = all_pages(
            &regs,
            &officer,
            SearchQuery {
                q: Some(query.into()),
                born: Some("05/03/2014".into()),
                ..Default::default()
            },
            2,
        )
        .await;
        assert_eq!(narrowed, everything, "«{query}» born 05/03/2014");
    }
}

/// The rows of `civil_entry_names` with the ids their numbers stand for, in order.
async fn name_rows(app: &TestApp) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT a.id, n.prefix, n.name_key, e.id FROM civil_entry_names n \
         JOIN agencies a ON a.no = n.agency_no JOIN civil_entries e ON e.no = n.entry_no \
         ORDER BY a.id, n.prefix, n.name_key, e.id",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("name rows")
}

async fn migrations_0015_and_0026_fill_the_name_prefixes_of_existing_entries(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    for (i, name) in ["Nguyễn Văn Đúc", "Lê A", "An Thị Bình", "Ông Ích Khiêm"]
        .iter()
        .enumerate()
    {
        regs.create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth(name, Some(i as i64 + 1)),
        )
        .await
        .expect("entry");
    }
    // A marriage has the other person's name; a note changes a name.
    let mut m = cells(&[
        ("registered_on", t("10/03/2014")),
        ("husband_name", t("Trần Văn Hùng")),
        ("wife_name", t("Phạm Thị Lan")),
    ]);
    m.insert("book".into(), t("01/2014"));
    m.insert("number".into(), Cell::Integer(1));
    regs.create(&officer, WARD_A, "marriage", false, &m)
        .await
        .expect("marriage");
    let duc = regs
        .search(&officer, &q("nguyen van duc"))
        .await
        .expect("s");
    assert_eq!(names(&duc), ["Nguyễn Văn Đúc"]);
    // The note's new name replaces the old one's prefixes.
    regs.add_note(
        &officer,
        &duc.items[0].id,
        "correction",
        "02/01/2015",
        &cells(&[("full_name", t("Nguyễn Văn Phúc"))]),
        "Viết sai dấu",
        None,
    )
    .await
    .expect("note");
    assert!(regs
        .search(&officer, &q("nguyen van duc"))
        .await
        .expect("s")
        .items
        .is_empty());
    let written = name_rows(&app).await;
    assert!(!written.is_empty());
    // The entries as they stood before 0015 had no prefix rows: the migration's
    // own statement recomputes them, the same as the application writes them,
    // and 0026 numbers them as the application does.
    let engine = match app.db.engine() {
        motcua_store::Engine::Sqlite => "sqlite",
        motcua_store::Engine::Postgres => "postgres",
    };
    let migration = |file: &str| {
        std::fs::read_to_string(format!(
            "{}/crates/store/migrations/{engine}/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("migration file")
    };
    let between = |text: &str, from: &str, to: &str| -> String {
        text.split(from)
            .nth(1)
            .and_then(|rest| rest.split(to).next())
            .unwrap_or_else(|| panic!("{from} … {to}"))
            .trim()
            .to_owned()
    };
    let m0015 = migration("0015_register_search.sql");
    let table_0015 = format!(
        "CREATE TABLE civil_entry_names ({};",
        between(&m0015, "CREATE TABLE civil_entry_names (", ";")
    );
    let backfill = between(&m0015, "-- backfill begins", "-- backfill ends");
    let rebuild = between(
        &migration("0026_numbered_name_prefixes.sql"),
        "-- rebuild begins",
        "-- rebuild ends",
    );
    for step in [
        "DROP TABLE civil_entry_names;".to_owned(),
        table_0015,
        backfill,
        rebuild,
    ] {
        sqlx::raw_sql(&step)
            .execute(app.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{step}: {e}"));
    }
    assert_eq!(name_rows(&app).await, written);
    let found = regs.search(&officer, &q("phuc")).await.expect("s");
    assert_eq!(names(&found), ["Nguyễn Văn Phúc"]);
    let found = regs.search(&officer, &q("pham thi")).await.expect("s");
    assert_eq!(names(&found), ["Trần Văn Hùng – Phạm Thị Lan"]);
}

/// A bulk import numbers its entries and orders their prefix rows on a thread of
/// its own (from 2,000 entries): every entry gets a number of its own and exactly
/// the prefix rows the application computes for its names, and is found by them.
async fn a_large_import_writes_every_name_prefix_by_number(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    // An entry before the import (in the same book, after the workbook's
    // numbers): the import's entry numbers follow it.
    regs.create(
        &officer,
        WARD_A,
        "birth",
        false,
        &birth("Lê Văn Tám", Some(90_000)),
    )
    .await
    .expect("entry");
    let book = motcua_legacy::sample::birth_register(2_500).expect("workbook");
    let done = regs
        .import_file(
            &officer,
            WARD_A,
            "birth",
            "so.xlsx",
            book,
            &ImportOptions::default(),
        )
        .await
        .expect("import");
    assert_eq!(done.report.imported, 2_500, "{:?}", done.report.rejected);
    let entries: Vec<(String, String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT agency_id, id, name_fold, given_fold, other_fold, no FROM civil_entries",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("entries");
    assert_eq!(entries.len(), 2_501);
    let numbers: std::collections::BTreeSet<i64> = entries.iter().map(|e| e.5).collect();
    assert_eq!(numbers.len(), entries.len(), "every entry numbered once");
    assert!(numbers.iter().all(|&n| n > 0));
    let keys: BTreeMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT id, name_key FROM civil_entries")
            .fetch_all(app.db.pool())
            .await
            .expect("keys")
            .into_iter()
            .collect();
    let mut want: Vec<(String, String, String, String)> = entries
        .iter()
        .flat_map(|(agency, id, name, given, other, _)| {
            motcua_domain::civil::name_keys(name, given, other.as_deref())
                .into_iter()
                .map(|p| (agency.clone(), p, keys[id].clone(), id.clone()))
        })
        .collect();
    want.sort();
    assert_eq!(name_rows(&app).await, want);
    // Every imported name is found by its whole folded name.
    for (_, _, name, _, _, _) in entries.iter().step_by(250) {
        let found = regs.search(&officer, &q(name)).await.expect("search");
        assert!(!found.items.is_empty(), "{name}");
    }
}

async fn post_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = app
        .client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    (status, json(r).await)
}

async fn books(app: &TestApp, token: &str) -> Vec<(String, i64, bool)> {
    let r = app
        .client()
        .get(app.url("/api/v1/civil-books"))
        .bearer_auth(token)
        .send()
        .await
        .expect("books");
    assert_eq!(r.status(), 200);
    let v = json(r).await;
    v.as_array()
        .expect("a list")
        .iter()
        .map(|b| {
            (
                b["label"].as_str().expect("label").to_owned(),
                b["last_number"].as_i64().expect("last number"),
                b["closed"].as_bool().expect("closed"),
            )
        })
        .collect()
}

/// An old register's "Quyển số 01" is the year's book "01/2014" that new entries
/// are numbered in, not a second book restarting at 1; a full book is followed by
/// the next volume, in which the numbers go on; a closed year refuses entries.
async fn imported_books_are_the_years_books_and_a_full_one_is_followed(app: TestApp) {
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let report = regs
        .import(&officer, WARD_A, "birth", &legacy_rows(), false)
        .await
        .expect("import");
    assert_eq!(report.imported, 3);
    let e = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Phạm Thị Năm", None),
        )
        .await
        .expect("new entry");
    assert_eq!((e.book.as_str(), e.number), ("01/2014", 5));
    // A historical entry typed with "Quyển 1" goes to the same first book.
    let mut old = birth("Phạm Thị Ba", None);
    old.insert("book".into(), t("Quyển 1"));
    old.insert("number".into(), Cell::Integer(3));
    let e = regs
        .create(&officer, WARD_A, "birth", false, &old)
        .await
        .expect("historical");
    assert_eq!((e.book.as_str(), e.number), ("01/2014", 3));
    let specialist = app.token("chuyenvien").await;
    let leader = app.token("lanhdao").await;
    assert_eq!(
        books(&app, &specialist).await,
        [("01/2014".into(), 5, false)]
    );
    // The book is full: only a leader opens the next volume.
    let next = serde_json::json!({"kind": "birth", "year": 2014});
    let (status, _) = post_json(&app, &specialist, "/api/v1/civil-books/next", next.clone()).await;
    assert_eq!(status, 403);
    let (status, b) = post_json(&app, &leader, "/api/v1/civil-books/next", next.clone()).await;
    assert_eq!(status, 201, "{b}");
    assert_eq!(
        (b["label"].as_str(), b["last_number"].as_i64()),
        (Some("02/2014"), Some(5))
    );
    let e = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Phạm Thị Sáu", None),
        )
        .await
        .expect("in the next volume");
    assert_eq!((e.book.as_str(), e.number), ("02/2014", 6));
    assert_eq!(
        books(&app, &specialist).await,
        [("01/2014".into(), 5, true), ("02/2014".into(), 6, false)]
    );
    let found = regs
        .search(
            &officer,
            &SearchQuery {
                book: Some("1".into()),
                year: Some(2014),
                number: Some(3),
                ..Default::default()
            },
        )
        .await
        .expect("by book and number");
    assert_eq!(names(&found), ["Phạm Thị Ba"]);
    // The books page: what each book holds, and the leader's buttons.
    let browser = app.browser();
    let csrf = app.signed_in(&browser, "lanhdao").await;
    let at = app.url("/ho-tich/so");
    let page = |client: reqwest::Client| {
        let at = at.clone();
        async move {
            let r = client.get(at).send().await.expect("books page");
            assert_eq!(r.status(), 200);
            r.text().await.expect("html")
        }
    };
    assert!(page(browser.clone()).await.contains("Mở quyển tiếp theo"));
    let officer_browser = app.browser();
    app.signed_in(&officer_browser, "chuyenvien").await;
    let html = page(officer_browser).await;
    assert!(html.contains("02/2014") && !html.contains("Mở quyển tiếp theo"));
    // The end of the year: the book is closed, and so is the year's register.
    let close = serde_json::json!({"kind": "birth", "year": 2014, "label": "02"});
    let (status, b) = post_json(&app, &leader, "/api/v1/civil-books/close", close.clone()).await;
    assert_eq!((status, b["closed"].as_bool()), (200, Some(true)), "{b}");
    let (status, _) = post_json(&app, &leader, "/api/v1/civil-books/close", close).await;
    assert_eq!(status, 409);
    let (status, _) = post_json(&app, &leader, "/api/v1/civil-books/next", next).await;
    assert_eq!(status, 409);
    let refused = regs
        .create(
            &officer,
            WARD_A,
            "birth",
            false,
            &birth("Phạm Thị Muộn", None),
        )
        .await;
    assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
    let (status, p) = post_json(
        &app,
        &leader,
        "/api/v1/civil-books/next",
        serde_json::json!({"kind": "death", "year": 2014}),
    )
    .await;
    assert_eq!(status, 409, "no book yet: {p}");

    let html = page(browser.clone()).await;
    assert!(html.contains("<td>02/2014</td><td>6</td>"), "{html}");
    assert!(html.contains("Đã khóa ngày"), "{html}");
    let r = app
        .post_form(
            &browser,
            "/ho-tich/so/khoa",
            &[
                ("_csrf", &csrf),
                ("kind", "birth"),
                ("year", "2014"),
                ("label", "01/2014"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let html = browser
        .get(app.url(&to))
        .send()
        .await
        .expect("back")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Quyển sổ này đã khoá."), "{html}");
    // Books that existing databases kept under a bare number take the year's
    // label (migration 0027), unless the year already has a book under it.
    sqlx::raw_sql(
        "UPDATE civil_books SET label = '1' WHERE label = '01/2014'; \
         INSERT INTO civil_books (id, agency_id, kind, year, label, last_number, closed, created_at) \
         SELECT 'b-2015-a', agency_id, kind, 2015, '01', 1, 0, 0 FROM civil_books WHERE label = '1'; \
         INSERT INTO civil_books (id, agency_id, kind, year, label, last_number, closed, created_at) \
         SELECT 'b-2015-b', agency_id, kind, 2015, '01/2015', 1, 0, 0 FROM civil_books WHERE label = '1';",
    )
    .execute(app.db.pool())
    .await
    .expect("old labels");
    let engine = match app.db.engine() {
        motcua_store::Engine::Sqlite => "sqlite",
        motcua_store::Engine::Postgres => "postgres",
    };
    let m0027 = std::fs::read_to_string(format!(
        "{}/crates/store/migrations/{engine}/0027_book_labels.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("migration file");
    sqlx::raw_sql(&m0027)
        .execute(app.db.pool())
        .await
        .expect("migration 0027");
    let mut labels: Vec<String> = books(&app, &specialist)
        .await
        .into_iter()
        .map(|(label, _, _)| label)
        .collect();
    labels.sort();
    assert_eq!(labels, ["01", "01/2014", "01/2015", "02/2014"]);
}

/// An officer enters a historical entry with its book and number, and a note,
/// over the API; bad input is a 400 naming the field, a taken number a 409.
async fn entries_and_notes_by_hand_over_the_api(app: TestApp) {
    let specialist = app.token("chuyenvien").await;
    let counter = app.token("tiepnhan").await;
    let entry = serde_json::json!({
        "kind": "birth",
        "fields": {
            "registered_on": "10/03/2015",
            "full_name": "Đỗ Văn Tay",
            "sex": "Nam",
            "date_of_birth": "01/03/2015",
            "book": "3",
            "number": 17,
        }
    });
    let (status, _) = post_json(&app, &counter, "/api/v1/civil-events", entry.clone()).await;
    assert_eq!(status, 403);
    let (status, e) = post_json(&app, &specialist, "/api/v1/civil-events", entry.clone()).await;
    assert_eq!(status, 201, "{e}");
    assert_eq!(
        (
            e["book"].as_str(),
            e["number"].as_i64(),
            e["source"].as_str()
        ),
        (Some("03/2015"), Some(17), Some("manual"))
    );
    let (status, p) = post_json(&app, &specialist, "/api/v1/civil-events", entry).await;
    assert_eq!(status, 409, "{p}");
    let (status, p) = post_json(
        &app,
        &specialist,
        "/api/v1/civil-events",
        serde_json::json!({"kind": "birth", "fields": {"registered_on": "31/02/2015", "full_name": "X\u{0}"}}),
    )
    .await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 1);
    let id = e["id"].as_str().expect("id");
    let (status, n) = post_json(
        &app,
        &specialist,
        &format!("/api/v1/civil-events/{id}/notes"),
        serde_json::json!({
            "kind": "correction",
            "on": "02/01/2016",
            "changes": {"full_name": "Đỗ Văn Tây"},
            "reason": "Viết sai dấu",
            "basis": "Quyết định số 12/QĐ-UBND"
        }),
    )
    .await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["full_name"].as_str(), Some("Đỗ Văn Tây"));
    assert_eq!(n["history"][0]["before"].as_str(), Some("Đỗ Văn Tay"));
    let (status, p) = post_json(
        &app,
        &specialist,
        &format!("/api/v1/civil-events/{id}/notes"),
        serde_json::json!({"kind": "rewrite", "on": "02/01/2016", "changes": {}, "reason": "x"}),
    )
    .await;
    assert_eq!(status, 400, "{p}");
    let (status, _) = post_json(
        &app,
        &specialist,
        "/api/v1/civil-events/no-such-entry/notes",
        serde_json::json!({"kind": "correction", "on": "02/01/2016", "changes": {"full_name": "A"}, "reason": "x"}),
    )
    .await;
    assert_eq!(status, 404);
}

/// The rejected rows' workbook is read back by the import (its columns carry the
/// register's own titles): fixed, its rows import; unfixed, the same rows are
/// rejected again for the same reason.
async fn rejected_rows_come_back_fixed(app: TestApp) {
    use motcua_docs::registers::{export_xlsx, ExportCell, ExportSheet};
    use motcua_domain::civil::columns::title_of;
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let fields = [
        "book",
        "number",
        "registered_on",
        "full_name",
        "sex",
        "date_of_birth",
    ];
    let text = |s: &str| ExportCell::Text(s.into());
    let entry = |n: i64, on: &str, name: &str| {
        vec![
            text("01"),
            ExportCell::Int(n),
            text(on),
            text(name),
            text("Nữ"),
            text("01/03/2014"),
        ]
    };
    let workbook = export_xlsx(&[ExportSheet {
        name: "2014".into(),
        file_stem: "2014".into(),
        titles: fields
            .iter()
            .map(|f| title_of(f).expect("a title").to_owned())
            .collect(),
        rows: vec![
            entry(1, "10/03/2014", "Phạm Thị Một"),
            entry(2, "31/02/2014", "Phạm Thị Hai"),
            entry(3, "11/03/2014", "Phạm Thị Ba"),
        ],
    }])
    .expect("xlsx");
    let first = regs
        .import_file(
            &officer,
            WARD_A,
            "birth",
            "so.xlsx",
            workbook,
            &ImportOptions::default(),
        )
        .await
        .expect("import");
    assert_eq!((first.report.imported, first.report.rejected_rows), (2, 1));
    let rejected = first
        .rejected_xlsx
        .expect("a workbook of the rejected rows");
    // As downloaded: read back, the row is rejected again for its date.
    let again = regs
        .import_file(
            &officer,
            WARD_A,
            "birth",
            "loi.xlsx",
            rejected.clone(),
            &ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .await
        .expect("read back");
    assert_eq!(
        (
            again.report.total_rows,
            again.report.imported,
            again.report.rejected_rows
        ),
        (1, 0, 1),
        "{:?}",
        again.unmapped
    );
    assert_eq!(again.report.rejected[0].column, "registered_on");
    // Fixed: the officer corrects the date in the sheet and imports it.
    let mut read =
        motcua_legacy::read_workbook(&rejected, "loi.xlsx", "birth", &Default::default())
            .expect("readable");
    let mut rows = motcua_legacy::import_rows(&mut read);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].values.get("full_name"), Some(&t("Phạm Thị Hai")));
    rows[0]
        .values
        .insert("registered_on".into(), t("28/03/2014"));
    let fixed = regs
        .import(&officer, WARD_A, "birth", &rows, false)
        .await
        .expect("fixed");
    assert_eq!(
        (fixed.imported, fixed.rejected_rows),
        (1, 0),
        "{:?} {:?}",
        fixed.rejected,
        rows[0].values
    );
    let found = regs.search(&officer, &q("pham thi hai")).await.expect("s");
    assert_eq!(names(&found), ["Phạm Thị Hai"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 3);
}

/// The entry form and the note form, as an officer uses them: a refusal shows
/// the form again as typed with its message, and writes nothing.
async fn entries_and_notes_by_hand_on_the_pages(app: TestApp) {
    let browser = app.browser();
    let csrf = app.signed_in(&browser, "chuyenvien").await;
    let get = |path: String| {
        let browser = browser.clone();
        let url = app.url(&path);
        async move {
            let r = browser.get(url).send().await.expect("page");
            let status = r.status().as_u16();
            (status, r.text().await.expect("html"))
        }
    };
    let (status, html) = get("/ho-tich/them?kind=death".into()).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"f.full_name\"") && html.contains("name=\"f.book\""));
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("kind", "birth"),
        ("f.book", "2"),
        ("f.number", "5"),
        ("f.registered_on", "31/02/2015"),
        ("f.full_name", "Vũ Thị Tay"),
        ("f.sex", "Nữ"),
        ("f.date_of_birth", "01/02/2015"),
    ];
    let r = app.post_form(&browser, "/ho-tich/them", &form).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(html.contains("id=\"loi-ghi-muc\""), "{html}");
    assert!(
        html.contains("value=\"Vũ Thị Tay\""),
        "typed values kept: {html}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 0);
    form[4] = ("f.registered_on", "10/03/2015");
    let r = app.post_form(&browser, "/ho-tich/them", &form).await;
    assert_eq!(r.status(), 303);
    let entry = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let (status, html) = get(entry.clone()).await;
    assert_eq!(status, 200);
    assert!(html.contains("quyển 02/2015 năm 2015, số 5"), "{html}");
    let note_at = format!("{entry}/ghi-chu");
    let mut note = vec![
        ("_csrf", csrf.as_str()),
        ("note_kind", "correction"),
        ("on", "30/02/2016"),
        ("field", "full_name"),
        ("value", "Vũ Thị Tây"),
        ("reason", "Viết sai dấu"),
        ("basis", ""),
    ];
    let r = app.post_form(&browser, &note_at, &note).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.expect("html");
    assert!(html.contains("id=\"loi-ghi-chu\""), "{html}");
    assert!(html.contains("value=\"Viết sai dấu\""), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entry_notes").await, 0);
    note[2] = ("on", "01/02/2016");
    let r = app.post_form(&browser, &note_at, &note).await;
    assert_eq!(r.status(), 303);
    let (_, html) = get(entry).await;
    assert!(
        html.contains("<td>Vũ Thị Tay</td><td>Vũ Thị Tây</td><td>Viết sai dấu</td>"),
        "{html}"
    );
    // A counter officer writes no register.
    let counter = app.browser();
    app.signed_in(&counter, "tiepnhan").await;
    let r = counter
        .get(app.url("/ho-tich/them"))
        .send()
        .await
        .expect("form");
    assert_eq!(r.status(), 403);
}

/// A column whose title the reader does not know is reported, not imported; the
/// officer maps it by hand (by the field's name in the register or its code),
/// and a mapping that names no field of the register is refused, writing nothing.
async fn a_column_the_reader_does_not_know_is_mapped_by_hand(app: TestApp) {
    use motcua_docs::registers::{export_xlsx, ExportCell, ExportSheet};
    let officer = actor(&app, "chuyenvien").await;
    let regs = app.app.registers();
    let text = |s: &str| ExportCell::Text(s.into());
    let workbook = export_xlsx(&[ExportSheet {
        name: "2015".into(),
        file_stem: "2015".into(),
        titles: [
            "Quyển số",
            "Số",
            "Ngày đăng ký",
            "Họ, chữ đệm, tên",
            "Giới tính",
            "Ngày sinh",
            "Ghi chép XYZ",
            "Cột phụ",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: vec![
            vec![
                text("01"),
                ExportCell::Int(1),
                text("10/03/2015"),
                text("Phạm Văn Một"),
                text("Nam"),
                text("01/03/2015"),
                text("Lê Thị Mẹ"),
                text("a"),
            ],
            vec![
                text("01"),
                ExportCell::Int(2),
                text("11/03/2015"),
                text("Phạm Văn Hai"),
                text("Nam"),
                text("02/03/2015"),
                text("Lê Thị Má"),
                text("b"),
            ],
        ],
    }])
    .expect("xlsx");
    let import = |columns: &[&str], dry_run: bool| {
        let options = ImportOptions {
            dry_run,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            ..Default::default()
        };
        let (regs, officer, workbook) = (&regs, &officer, workbook.clone());
        async move {
            regs.import_file(officer, WARD_A, "birth", "so-2015.xlsx", workbook, &options)
                .await
        }
    };
    let first = import(&[], true).await.expect("dry run");
    assert_eq!(first.report.imported, 2);
    assert!(
        first.unmapped.iter().any(|u| u.contains("Ghi chép XYZ")),
        "{:?}",
        first.unmapped
    );
    for (columns, says) in [
        (
            &["Ghi chép XYZ = Tên con mèo"][..],
            "không có mục «Tên con mèo»",
        ),
        (&["Ghi chép XYZ là tên mẹ"][..], "Dòng ghép cột 1"),
        (&[" = mother_name"][..], "thiếu tiêu đề cột"),
    ] {
        match import(columns, false).await {
            Err(Error::Invalid(errors)) => {
                let all: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
                assert!(all.iter().any(|m| m.contains(says)), "{all:?}");
                assert_eq!(errors.0[0].field, "columns");
            }
            other => panic!("{columns:?}: {other:?}"),
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM civil_entries").await, 0);
    // By the field's name in the register, any case and marks; a line with
    // nothing after "=" leaves its column out (no longer reported).
    let done = import(
        &["ghi chep xyz = HỌ, CHỮ ĐỆM, TÊN NGƯỜI MẸ", "Cột phụ ="],
        false,
    )
    .await
    .expect("import");
    assert_eq!((done.report.imported, done.report.rejected_rows), (2, 0));
    assert!(done.unmapped.is_empty(), "{:?}", done.unmapped);
    let found = regs
        .search(&officer, &q("pham van mot"))
        .await
        .expect("search");
    let entry = regs
        .entry_as(&officer, &found.items[0].id)
        .await
        .expect("entry");
    let value = |f: &str| {
        entry
            .current
            .iter()
            .find(|v| v.field == f)
            .map(|v| v.value.clone())
    };
    assert_eq!(value("mother_name"), Some(serde_json::json!("Lê Thị Mẹ")));
    // By its code, the same.
    let again = import(&["Ghi chép XYZ=mother_name", "Cột phụ="], false)
        .await
        .expect("again");
    assert_eq!((again.report.imported, again.report.duplicates), (0, 2));
}

/// With htmx the upload answers at once with the import's progress, which the
/// page asks for until the report replaces it; only its owner sees the job, and
/// the report is given once.
async fn an_upload_from_the_page_is_followed_until_its_report(app: TestApp) {
    let client = app.browser();
    let csrf = app.signed_in(&client, "chuyenvien").await;
    let book = motcua_legacy::sample::birth_register(300).expect("workbook");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("kind", "birth")
        .part(
            "tep",
            reqwest::multipart::Part::bytes(book).file_name("so-khai-sinh.xlsx"),
        );
    let r = client
        .post(app.url("/ho-tich/nhap"))
        .header("HX-Request", "true")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    let marker = "hx-get=\"/ho-tich/nhap/";
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("a job to follow: {html}"));
    let job = html[at + marker.len()..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(html.contains("id=\"tien-trinh\""), "{html}");
    assert!(html.contains("<progress"), "{html}");
    // Someone else's job is no one's to see.
    let other = app.browser();
    app.signed_in(&other, "lanhdao").await;
    let r = other
        .get(app.url(&format!("/ho-tich/nhap/{job}")))
        .send()
        .await
        .expect("job");
    assert_eq!(r.status(), 404);
    // Followed as the page does, until the report comes.
    let mut report = None;
    for _ in 0..600 {
        let r = client
            .get(app.url(&format!("/ho-tich/nhap/{job}")))
            .header("HX-Request", "true")
            .send()
            .await
            .expect("job");
        assert_eq!(r.status(), 200);
        let html = r.text().await.expect("html");
        if !html.contains("hx-trigger=\"every") {
            report = Some(html);
            break;
        }
        assert!(html.contains("id=\"tien-trinh\""), "{html}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let html = report.expect("the report within 30 s");
    assert!(html.contains("Kết quả nhập"), "{html}");
    assert_eq!(figure(&html, "total_rows"), 300);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM civil_entries").await,
        figure(&html, "imported") as i64
    );
    // Given once.
    let r = client
        .get(app.url(&format!("/ho-tich/nhap/{job}")))
        .send()
        .await
        .expect("job");
    assert_eq!(r.status(), 404);
    assert!(r
        .text()
        .await
        .expect("html")
        .contains("Không còn lượt nhập này"));
}
