//! `motcua bench signing`: produce and sign electronic certified copies of a
//! scan of `--pages` pages (issue 12), in process: the demo CA's PKCS#12
//! signer, the PDF engine warmed up once, then `--runs` copies timed one by one.

use std::time::Instant;

use motcua_app::signed_copy::produce_signed_copy;
use motcua_docs::certified_copy::CopyMetadata;
use motcua_docs::{Document, PdfEngine};
use motcua_sign::DemoCa;

#[derive(clap::Args)]
pub struct Args {
    /// Pages of the scan.
    #[arg(long, default_value_t = 10)]
    pages: usize,
    /// Copies produced and signed (after one warm-up).
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// What the scan is: `jpeg`, a scanner's PDF (one 150 dpi grey JPEG per
    /// page, what the counters upload), or `text`, a PDF of typeset text
    /// (every page converted to vector graphics).
    #[arg(long, default_value = "jpeg")]
    scan: String,
}

pub async fn run(args: Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("motcua-bench-signing-{}", std::process::id()));
    let result = measure(&args, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn measure(args: &Args, dir: &std::path::Path) -> Result<(), String> {
    let engine = PdfEngine::new();
    let pages = args.pages.max(1);
    let scan = match args.scan.as_str() {
        "jpeg" => motcua_docs::sample_scan::scanned_pdf(pages, 150),
        "text" => {
            let source = (1..=pages)
                .map(|i| format!("#set page(paper: \"a4\")\n= Bản chính, trang {i}\n#lorem(400)"))
                .collect::<Vec<_>>()
                .join("\n#pagebreak()\n");
            engine
                .render(&Document::new(source))
                .map_err(|err| err.to_string())?
        }
        other => return Err(format!("--scan {other}: jpeg or text")),
    };
    let ca = DemoCa::open_or_create(dir, "UBND xã Bench").map_err(|err| err.to_string())?;
    let signer = ca
        .identity("bench", "Nguyễn Văn An", "Phó Chủ tịch", "bench")
        .map_err(|err| err.to_string())?;
    let meta = CopyMetadata {
        statement: "Chứng thực bản sao này đúng với bản chính.".into(),
        number: "1".into(),
        book: "01/2026-SCBS".into(),
        date: jiff::civil::date(2026, 3, 5),
        place: "Xã Bench".into(),
        parent_agency: String::new(),
        agency: "Ủy ban nhân dân xã Bench".into(),
        signer_name: "Nguyễn Văn An".into(),
        signer_title: "Phó Chủ tịch".into(),
        verify_url: "https://motcua.example/xac-minh/0123456789abcdef".into(),
    };
    // The two halves apart too: the copy rendered (conversion, Typst,
    // PDF/A), then signed (the incremental update, SHA-256, RSA).
    let mut render_ms = Vec::with_capacity(args.runs);
    let mut sign_ms = Vec::with_capacity(args.runs);
    for _ in 0..2 {
        let start = Instant::now();
        let copy = motcua_docs::certified_copy::electronic_copy_pdf(
            &engine,
            &scan,
            "application/pdf",
            &meta,
        )
        .map_err(|err| err.to_string())?;
        render_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        let start = Instant::now();
        motcua_sign::sign_pdf(
            &copy.pdf,
            &signer,
            &motcua_sign::SignOptions {
                name: meta.signer_name.clone(),
                reason: "bench".into(),
                location: meta.agency.clone(),
                time: jiff::Timestamp::now(),
            },
        )
        .map_err(|err| err.to_string())?;
        sign_ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let once = || {
        produce_signed_copy(
            &engine,
            &scan,
            "application/pdf",
            &meta,
            &signer,
            jiff::Timestamp::now(),
        )
        .map_err(|err| err.to_string())
    };
    let warm = once()?;
    let mut times = Vec::with_capacity(args.runs);
    for _ in 0..args.runs.max(1) {
        let start = Instant::now();
        once()?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "signing: {} scan ({} KB, {} pages), {} KB signed copy, {} runs: median {median:.1} ms, max {max:.1} ms (target < 300 ms); apart (2nd of 2): render {:.1} ms, sign {:.1} ms",
        args.scan,
        scan.len() / 1024,
        warm.pages,
        warm.pdf.len() / 1024,
        times.len(),
        render_ms[1],
        sign_ms[1],
    );
    Ok(())
}
