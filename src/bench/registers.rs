//! `motcua bench registers`: civil-status registers (issue 11).
//!
//! 1. Import: `--rows` generated birth rows (already parsed, as `motcua-legacy`
//!    hands them over) through `app.registers().import`, timed from the call to
//!    its commit: validation, duplicate checks and the batched inserts. Then the
//!    issue's figures end to end: a generated `--rows`-row workbook
//!    (`motcua_legacy::sample`, .xlsx) and one ward's 9,373-row workbook, each
//!    into a register of its own, through `app.registers().import_file` as the
//!    upload page and the command line do: parse + validate + insert.
//! 2. Search: a register of `--entries` entries (in one commune, or spread over
//!    `--communes`) generated straight into the table with multi-row inserts, a
//!    transaction a 50,000-entry book, then `--searches` name searches (full
//!    names without diacritics, given names, surname + middle name, each in the
//!    commune of the name), p50/p99 of the use case (`app.registers().search`,
//!    first page of 50).

use std::collections::BTreeMap;
use std::time::Instant;

use hdrhistogram::Histogram;
use motcua_app::agencies::NewAgency;
use motcua_app::registers::SearchQuery;
use motcua_app::{App, Principal};
use motcua_domain::civil::{self, Cell, ImportRow, Kind};
use motcua_store::registers as store;

use super::prepare;

#[derive(clap::Args)]
pub struct Args {
    /// Rows to import.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Entries in the register searched.
    #[arg(long, default_value_t = 1_000_000)]
    entries: usize,
    /// Communes the entries are spread over, as a province's registers share one
    /// table (a search reads one commune's). With 1, all go to one commune: the
    /// worst case for a search, and for generation, whose name-prefix rows then
    /// land all over one ever larger range of the index.
    #[arg(long, default_value_t = 1)]
    communes: usize,
    /// Searches to time.
    #[arg(long, default_value_t = 2_000)]
    searches: usize,
    /// Database to measure on (default: a fresh SQLite file in a temp folder).
    #[arg(long)]
    database_url: Option<String>,
}

const AGENCY: &str = "000.01.33.H33";
const SEARCH_AGENCY: &str = "000.03.33.H33";
/// Registers of their own for the workbook imports (created by the bench).
const WORKBOOK_AGENCY: &str = "000.11.33.H33";
const WARD_AGENCY: &str = "000.12.33.H33";
/// One ward's register since 2014 (issue 11).
const WARD_ROWS: u32 = 9_373;

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Lâm", "Mai", "Trịnh", "Tô", "Tạ", "Cao",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu", "Hồng", "Kim",
    "Bảo", "Gia", "Anh", "Phương", "Thế", "Công", "Đình", "Trọng",
];
const GIVEN: &[&str] = &[
    "An", "Anh", "Ánh", "Bình", "Châu", "Cường", "Dũng", "Duy", "Đức", "Giang", "Hà", "Hải",
    "Hạnh", "Hiếu", "Hoa", "Hùng", "Huy", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh",
    "My", "Nam", "Ngân", "Ngọc", "Nhung", "Oanh", "Phong", "Phúc", "Quân", "Quỳnh", "Sơn", "Tâm",
    "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Uyên", "Việt", "Vy", "Xuân", "Yến",
];

/// A small deterministic generator: the same register on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

fn name(r: &mut Lcg) -> String {
    format!("{} {} {}", r.pick(SURNAMES), r.pick(MIDDLE), r.pick(GIVEN))
}

fn import_rows(n: usize) -> Vec<ImportRow> {
    let mut r = Lcg(11);
    (0..n)
        .map(|i| {
            let year = 2014 + (i / 10_000) as i16;
            let born =
                jiff::civil::date(year, 1 + (r.next() % 12) as i8, 1 + (r.next() % 28) as i8);
            let mut values = BTreeMap::new();
            values.insert("book".into(), Cell::Text("01".into()));
            values.insert("book_year".into(), Cell::Year(year));
            values.insert("number".into(), Cell::Integer((i % 10_000) as i64 + 1));
            values.insert("registered_on".into(), Cell::Date(born));
            values.insert("full_name".into(), Cell::Text(name(&mut r)));
            values.insert(
                "sex".into(),
                Cell::Text(if i % 2 == 0 { "Nam" } else { "Nữ" }.into()),
            );
            values.insert("date_of_birth".into(), Cell::Date(born));
            values.insert(
                "place_of_birth".into(),
                Cell::Text("Trạm y tế phường".into()),
            );
            values.insert("mother_name".into(), Cell::Text(name(&mut r)));
            values.insert("mother_birth_year".into(), Cell::Year(year - 25));
            values.insert("father_name".into(), Cell::Text(name(&mut r)));
            values.insert("father_birth_year".into(), Cell::Year(year - 27));
            ImportRow {
                sheet: year.to_string(),
                excel_row: (i % 10_000) as u32 + 2,
                blank: false,
                values,
            }
        })
        .collect()
}

pub async fn run(args: Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-registers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.sqlite3").display()));
    let app = prepare(&url).await?;
    let engine = app.db.engine().name();
    let regs = app.registers();

    // 1. Import.
    let rows = import_rows(args.rows);
    let started = Instant::now();
    let report = regs
        .import(&Principal::System, AGENCY, "birth", &rows, false)
        .await
        .map_err(|e| e.to_string())?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "registers import ({engine}): {} rows in {took:.2} s = {:.0} rows/s (imported {}, duplicates {}, rejected {})",
        rows.len(),
        rows.len() as f64 / took,
        report.imported,
        report.duplicates,
        report.rejected_rows
    );
    let small: Vec<ImportRow> = import_rows(9_373)
        .into_iter()
        .map(|mut r| {
            r.values.insert("book".into(), Cell::Text("02".into()));
            r
        })
        .collect();
    let started = Instant::now();
    regs.import(&Principal::System, AGENCY, "birth", &small, false)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "registers import ({engine}): one ward's register (9,373 rows) in {:.3} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let again = regs
        .import(&Principal::System, AGENCY, "birth", &rows, false)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "registers import ({engine}): the same {} rows again in {:.2} s (imported {}, duplicates {})",
        rows.len(),
        started.elapsed().as_secs_f64(),
        again.imported,
        again.duplicates
    );

    // The figures: workbooks read and imported end to end.
    for (code, rows, what) in [
        (WORKBOOK_AGENCY, args.rows, "generated workbook"),
        (WARD_AGENCY, WARD_ROWS as usize, "one ward's workbook"),
    ] {
        workbook_import(&app, code, rows, what).await?;
    }

    // 2. A large register, generated straight into the table: one commune's (the
    // demo's) or spread over communes created for it.
    let mut agencies = Vec::new();
    for k in 0..args.communes.max(1) {
        let code = if args.communes <= 1 {
            SEARCH_AGENCY.to_owned()
        } else {
            let code = format!("000.{:02}.{:02}.H34", k % 50 + 1, 30 + k / 50);
            create_commune(&app, &code).await?;
            code
        };
        let id: (String,) = sqlx::query_as("SELECT id FROM agencies WHERE code = $1")
            .bind(&code)
            .fetch_one(app.db.pool())
            .await
            .map_err(|e| e.to_string())?;
        agencies.push((code, id.0));
    }
    let started = Instant::now();
    // The rows are made on a thread of their own (names, JSON, search columns)
    // while this task writes the previous book: generation is then bound by the
    // inserts alone. A commune's entries are written one after another.
    let per_book = 50_000usize;
    let entries = args.entries;
    let ids: Vec<String> = agencies.iter().map(|(_, id)| id.clone()).collect();
    let (tx_rows, mut rx_rows) = tokio::sync::mpsc::channel::<Book>(4);
    let maker = std::thread::spawn(move || {
        let mut r = Lcg(7);
        // (commune, name) of one entry in fifty, to search for.
        let mut names = Vec::new();
        let communes = ids.len();
        for (c, agency_id) in ids.iter().enumerate() {
            let mine = entries / communes + usize::from(c < entries % communes);
            let mut done = 0usize;
            while done < mine {
                let year = 1950 + (done / per_book) as i64;
                let n = per_book.min(mine - done);
                // A book at a time: the store sorts a call's name-prefix rows by
                // key, so a whole book's go into the b-tree in one ordered pass.
                let mut rows = Vec::with_capacity(n);
                for i in 0..n {
                    let full = name(&mut r);
                    let mother = name(&mut r);
                    let born = jiff::civil::date(
                        year as i16,
                        1 + (r.next() % 12) as i8,
                        1 + (r.next() % 28) as i8,
                    );
                    if names.len() < 10_000 * communes && r.next().is_multiple_of(50) {
                        names.push((c, full.clone()));
                    }
                    let mut values = civil::Values::new();
                    values.insert(civil::Field::FullName, civil::Value::Text(full));
                    values.insert(civil::Field::Sex, civil::Value::Text("Nam".into()));
                    values.insert(civil::Field::DateOfBirth, civil::Value::Date(born));
                    values.insert(civil::Field::MotherName, civil::Value::Text(mother));
                    let s = civil::searchable(Kind::Birth, &values);
                    rows.push(store::EntryRow {
                        id: motcua_store::new_id(),
                        book_id: String::new(),
                        agency_id: agency_id.clone(),
                        kind: "birth".into(),
                        re_registration: false,
                        number: i as i64 + 1,
                        registered_on: born.to_string(),
                        registration_year: year,
                        fields: civil::values_to_json(&values),
                        display_name: s.display_name,
                        name_fold: s.name_fold,
                        given_fold: s.given_fold,
                        name_key: s.name_key,
                        other_fold: s.other_fold,
                        date_of_birth: s.date_of_birth.map(|d| d.to_string()),
                        birth_year: s.birth_year.map(i64::from),
                        personal_id: None,
                        mother_fold: s.mother_fold,
                        father_fold: None,
                        notes: 0,
                        source: "import".into(),
                        dossier_id: None,
                        created_at: 0,
                        created_by: None,
                    });
                }
                let book = Book {
                    agency_id: agency_id.clone(),
                    year,
                    rows,
                };
                if tx_rows.blocking_send(book).is_err() {
                    return names;
                }
                done += n;
            }
        }
        names
    });
    // One transaction a book (50,000 entries), as an import of a year's sheet.
    while let Some(mut book) = rx_rows.recv().await {
        let mut tx = app.db.begin_write().await.map_err(|e| e.to_string())?;
        let (row, _) = store::next_number(
            &mut tx,
            &motcua_store::new_id(),
            &book.agency_id,
            "birth",
            book.year,
            "01",
            0,
        )
        .await
        .map_err(|e| e.to_string())?;
        for e in &mut book.rows {
            e.book_id.clone_from(&row.id);
        }
        store::insert_entries(&mut tx, &book.rows)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    let names = maker
        .join()
        .map_err(|_| "the generating thread panicked".to_string())?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "registers generate ({engine}): {} entries in {} commune(s) in {took:.1} s = {:.0} rows/s",
        args.entries,
        agencies.len(),
        args.entries as f64 / took
    );
    if engine == "postgres" {
        sqlx::query("ANALYZE civil_entries")
            .execute(app.db.pool())
            .await
            .map_err(|e| e.to_string())?;
    } else {
        sqlx::query("ANALYZE")
            .execute(app.db.pool())
            .await
            .map_err(|e| e.to_string())?;
    }
    // Searches: a whole name without diacritics, the given name and the surname
    // with the middle name, in turn. Names are picked one entry in fifty: a
    // register of a few entries may have none to look for.
    if names.is_empty() {
        println!(
            "registers search ({engine}, {} entries): no name picked to search for; use more --entries",
            args.entries
        );
        app.db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(());
    }
    let mut h = Histogram::<u64>::new(3).map_err(|e| e.to_string())?;
    let mut found = 0usize;
    for i in 0..args.searches {
        let (commune, full) = &names[i % names.len()];
        let folded = motcua_domain::text::fold(full);
        let words: Vec<&str> = folded.split(' ').collect();
        let q = match i % 3 {
            0 => folded.clone(),
            1 => words.last().copied().unwrap_or_default().to_owned(),
            _ => words[..2.min(words.len())].join(" "),
        };
        let started = Instant::now();
        let page = regs
            .search(
                &Principal::System,
                &SearchQuery {
                    q: Some(q),
                    agency: Some(agencies[*commune].0.clone()),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        h.record(started.elapsed().as_micros() as u64).ok();
        found += page.items.len();
    }
    println!(
        "registers search ({engine}, {} entries in {} commune(s), each search in one): {} searches, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} results)",
        args.entries,
        agencies.len(),
        args.searches,
        h.value_at_quantile(0.5) as f64 / 1000.0,
        h.value_at_quantile(0.99) as f64 / 1000.0,
        h.max() as f64 / 1000.0,
        found
    );
    app.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A commune of the demo province, for the bench's own registers.
async fn create_commune(app: &App, code: &str) -> Result<(), String> {
    app.create_agency(
        &Principal::System,
        NewAgency {
            code: code.into(),
            name: format!("UBND phường {code} (dữ liệu thử tải)"),
            level: "commune".into(),
            parent_code: Some(motcua_app::demo::PROVINCE.0.into()),
        },
    )
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// A generated book of the large register, to be written in one transaction.
struct Book {
    agency_id: String,
    year: i64,
    rows: Vec<store::EntryRow>,
}

/// Generates a `rows`-row birth register workbook (.xlsx, as
/// `motcua_legacy::sample` writes it: TCVN3, VNI and Unicode names, serial and
/// typed dates), then times `import_file` into a new commune's empty register,
/// from the bytes to the commit.
async fn workbook_import(app: &App, code: &str, rows: usize, what: &str) -> Result<(), String> {
    let engine = app.db.engine().name();
    create_commune(app, code).await?;
    let n = u32::try_from(rows).map_err(|e| e.to_string())?;
    let bytes = motcua_legacy::sample::birth_register(n).map_err(|e| e.to_string())?;
    if bytes.len() > motcua_app::registers::MAX_WORKBOOK_BYTES {
        println!(
            "registers import ({engine}): {what} of {rows} rows is {:.1} MB, above the upload limit: not imported",
            bytes.len() as f64 / 1e6
        );
        return Ok(());
    }
    let size = bytes.len() as f64 / 1e6;
    let started = Instant::now();
    let done = app
        .registers()
        .import_file(
            &Principal::System,
            code,
            "birth",
            "register.xlsx",
            bytes,
            &motcua_app::registers::ImportOptions::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "registers import ({engine}): {what}, {rows} rows ({size:.1} MB .xlsx), parse + validate + insert in {took:.3} s = {:.0} rows/s (imported {}, rejected {})",
        rows as f64 / took,
        done.report.imported,
        done.report.rejected_rows
    );
    Ok(())
}
