//! `motcua bench legacy`: reading a generated legacy birth register (issue 11),
//! decode + validate, without the database: the parser's share of the import.

use std::time::Instant;

use motcua_legacy::{read_workbook, sample, Mapping, Value};

#[derive(clap::Args)]
pub struct Args {
    /// Entries in the generated workbook.
    #[arg(long, default_value_t = 100_000)]
    rows: u32,
    /// Times the workbook is read; the best run is reported with the others.
    #[arg(long, default_value_t = 3)]
    runs: u32,
}

pub async fn run(args: Args) -> Result<(), String> {
    let started = Instant::now();
    let bytes = sample::birth_register(args.rows).map_err(|e| e.to_string())?;
    println!(
        "generated {} rows: {:.1} MB in {:.2} s",
        args.rows,
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let mut best = f64::INFINITY;
    for run in 1..=args.runs.max(1) {
        let started = Instant::now();
        let wb = read_workbook(&bytes, "bench.xlsx", "birth", &Mapping::new())
            .map_err(|e| e.to_string())?;
        let secs = started.elapsed().as_secs_f64();
        best = best.min(secs);
        let rows: usize = wb.sheets.iter().map(|s| s.rows.len()).sum();
        let invalid = wb
            .sheets
            .iter()
            .flat_map(|s| &s.rows)
            .flat_map(|r| r.values.values())
            .filter(|v| matches!(v, Value::Invalid { .. }))
            .count();
        println!(
            "run {run}: {rows} rows read in {secs:.3} s = {:.0} rows/s ({invalid} invalid values)",
            rows as f64 / secs
        );
    }
    println!(
        "best: {:.0} rows/s ({:.2} µs a row)",
        f64::from(args.rows) / best,
        best * 1e6 / f64::from(args.rows)
    );
    Ok(())
}
