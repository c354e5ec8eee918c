//! The command line, run as a separate process against the test's database.

use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::common::*;
use crate::on_both_engines;

on_both_engines!(
    cli_adds_agencies_users_and_tokens,
    cli_refuses_bad_input_clearly,
    cli_imports_a_legacy_register_once,
    cli_import_maps_columns_and_writes_the_rejected_rows,
);

pub(crate) struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub(crate) async fn motcua(
    app: &TestApp,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(args)
        .env("MOTCUA_DATABASE_URL", &app.database_url)
        .env("MOTCUA_LOG", "warn")
        .env_remove("MOTCUA_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run motcua");
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).await.expect("stdin");
        }
    }
    let out = child.wait_with_output().await.expect("wait");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn cli_adds_agencies_users_and_tokens(app: TestApp) {
    let out = motcua(&app, &["migrate"], &[], None).await;
    assert_eq!(out.code, 0, "{}", out.stderr);

    let out = motcua(
        &app,
        &[
            "agency",
            "add",
            "--code",
            "000.07.33.H33",
            "--name",
            "UBND phường Hiến Nam",
            "--level",
            "commune",
            "--parent",
            PROVINCE,
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "000.07.33.H33\tUBND phường Hiến Nam\n");

    let out = motcua(
        &app,
        &[
            "user",
            "add",
            "--agency",
            "000.07.33.H33",
            "--username",
            "hn.tiepnhan",
            "--name",
            "Lý Thị Hoa",
            "--role",
            "counter_officer,specialist",
            "--sector",
            "ho-tich",
        ],
        &[("MOTCUA_PASSWORD", "mat-khau-cli-1")],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The password from standard input.
    let out = motcua(
        &app,
        &[
            "user",
            "add",
            "--agency",
            "000.07.33.H33",
            "--username",
            "hn.lanhdao",
            "--name",
            "Lý Văn Nam",
            "--role",
            "leader",
        ],
        &[],
        Some("mat-khau-cli-2\n"),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        app.sign_in(&app.browser(), "hn.lanhdao", "mat-khau-cli-2")
            .await
            .status(),
        303
    );

    let out = motcua(
        &app,
        &["token", "add", "--username", "hn.tiepnhan"],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let token = out.stdout.trim_end_matches('\n');
    assert!(
        !token.contains('\n') && token.starts_with("mc_"),
        "only the token: {:?}",
        out.stdout
    );
    let me = json(
        app.client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["username"], "hn.tiepnhan");
    assert_eq!(
        me["roles"],
        serde_json::json!(["counter_officer", "specialist"])
    );
}

async fn cli_refuses_bad_input_clearly(app: TestApp) {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "agency",
                "add",
                "--code",
                "000.08.33.H33",
                "--name",
                "UBND xã X",
                "--level",
                "commune",
                "--parent",
                "999.99.99.H99",
            ],
            "Không tìm thấy cơ quan có mã «999.99.99.H99»",
        ),
        (
            vec![
                "agency",
                "add",
                "--code",
                WARD_A,
                "--name",
                "UBND xã Trùng",
                "--level",
                "commune",
                "--parent",
                PROVINCE,
            ],
            "đã được dùng",
        ),
        (
            vec![
                "agency",
                "add",
                "--code",
                "000.08.33.H33",
                "--name",
                "UBND xã X",
                "--level",
                "village",
                "--parent",
                PROVINCE,
            ],
            "Cấp hành chính «village» không có",
        ),
        (
            vec![
                "user",
                "add",
                "--agency",
                "999.99.99.H99",
                "--username",
                "ai.do",
                "--name",
                "Ai Đó",
                "--role",
                "leader",
            ],
            "Không tìm thấy cơ quan",
        ),
        (
            vec![
                "user",
                "add",
                "--agency",
                WARD_A,
                "--username",
                "tiepnhan",
                "--name",
                "Ai Đó",
                "--role",
                "leader",
            ],
            "Tên đăng nhập «tiepnhan» đã có người dùng.",
        ),
        (
            vec![
                "user",
                "add",
                "--agency",
                WARD_A,
                "--username",
                "ai.do",
                "--name",
                "Ai Đó",
                "--role",
                "boss",
            ],
            "Vai trò «boss» không tồn tại",
        ),
        (
            vec!["token", "add", "--username", "khong.co"],
            "Không tìm thấy người dùng «khong.co»",
        ),
    ];
    let users = app.count("SELECT COUNT(*) FROM users").await;
    let agencies = app.count("SELECT COUNT(*) FROM agencies").await;
    for (args, message) in cases {
        let out = motcua(&app, &args, &[("MOTCUA_PASSWORD", "12345678")], None).await;
        assert_ne!(out.code, 0, "{args:?}");
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    // No password at all.
    let out = motcua(
        &app,
        &[
            "user",
            "add",
            "--agency",
            WARD_A,
            "--username",
            "ai.do",
            "--name",
            "Ai Đó",
            "--role",
            "leader",
        ],
        &[],
        Some(""),
    )
    .await;
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("MOTCUA_PASSWORD"));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);
    assert_eq!(app.count("SELECT COUNT(*) FROM agencies").await, agencies);

    // A wrong setting stops start-up with one line naming the variable.
    for (var, value) in [
        ("MOTCUA_LISTEN", "localhost"),
        ("MOTCUA_DATABASE_URL", "mysql://x"),
        ("MOTCUA_LOG_FORMAT", "xml"),
        ("MOTCUA_DEMO", "maybe"),
    ] {
        let out = motcua(&app, &["serve"], &[(var, value)], None).await;
        assert_eq!(out.code, 2, "{var}");
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(out.stderr.contains(var), "{}", out.stderr);
    }
}

/// `motcua registry import`: a register kept in Excel (a merged title, names in
/// TCVN3, VNI and Unicode) goes in once; every row is accounted for; the same file
/// again, or a dry run, adds nothing.
async fn cli_imports_a_legacy_register_once(app: TestApp) {
    let dir = std::env::temp_dir().join(format!("motcua-registry-{}", unique()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("so-khai-sinh-2014.xlsx");
    std::fs::write(
        &file,
        motcua_legacy::sample::birth_register(40).expect("workbook"),
    )
    .expect("write workbook");
    let report_path = dir.join("report.json");
    let (file, report) = (
        file.to_string_lossy().into_owned(),
        report_path.to_string_lossy().into_owned(),
    );
    let import = |extra: &'static [&'static str]| {
        let mut args = vec![
            "registry", "import", &file, "--agency", WARD_A, "--kind", "birth", "--report", &report,
        ];
        args.extend_from_slice(extra);
        let (app, report_path) = (&app, report_path.clone());
        async move {
            let out = motcua(app, &args, &[], None).await;
            let report: serde_json::Value = serde_json::from_slice(
                &std::fs::read(&report_path).unwrap_or_else(|e| panic!("{e}: {}", out.stderr)),
            )
            .expect("report JSON");
            (out, report)
        }
    };
    let n = |r: &serde_json::Value, k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k}: {r}"));
    let entries = || app.count("SELECT COUNT(*) FROM civil_entries");

    let (out, first) = import(&[]).await;
    assert_eq!(n(&first, "total_rows"), 40, "{first}");
    assert!(n(&first, "imported") > 0, "{first}");
    assert_eq!(
        n(&first, "imported")
            + n(&first, "duplicates")
            + n(&first, "blank")
            + n(&first, "rejected_rows"),
        40,
        "every row accounted for: {first}"
    );
    assert_eq!(
        out.code == 0,
        n(&first, "rejected_rows") == 0,
        "{}",
        out.stderr
    );
    assert_eq!(entries().await, n(&first, "imported") as i64);

    for extra in [&[][..], &["--dry-run"][..]] {
        let (_, again) = import(extra).await;
        assert_eq!(n(&again, "imported"), 0, "{again}");
        assert_eq!(n(&again, "duplicates"), n(&first, "imported"), "{again}");
        assert_eq!(entries().await, n(&first, "imported") as i64);
    }

    let out = motcua(
        &app,
        &[
            "registry",
            "import",
            &file,
            "--agency",
            WARD_A,
            "--kind",
            "khai-sinh",
        ],
        &[],
        None,
    )
    .await;
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("không phải là loại"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `registry import --map "title=field" --rejected FILE.xlsx`: a column the
/// reader does not know is taken as the officer says, and the rejected rows come
/// out as a workbook that reads back with its reason.
async fn cli_import_maps_columns_and_writes_the_rejected_rows(app: TestApp) {
    use motcua_docs::registers::{export_xlsx, ExportCell, ExportSheet};
    let dir = std::env::temp_dir().join(format!("motcua-registry-{}", unique()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let text = |s: &str| ExportCell::Text(s.into());
    let row = |n: i64, on: &str, name: &str, mother: &str| {
        vec![
            text("01"),
            ExportCell::Int(n),
            text(on),
            text(name),
            text("Nữ"),
            text("01/03/2016"),
            text(mother),
        ]
    };
    let workbook = export_xlsx(&[ExportSheet {
        name: "2016".into(),
        file_stem: "2016".into(),
        titles: [
            "Quyển số",
            "Số",
            "Ngày đăng ký",
            "Họ, chữ đệm, tên",
            "Giới tính",
            "Ngày sinh",
            "Tên bà đẻ",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: vec![
            row(1, "10/03/2016", "Đỗ Thị Một", "Vũ Thị Lan"),
            row(2, "31/02/2016", "Đỗ Thị Hai", "Vũ Thị Huệ"),
        ],
    }])
    .expect("xlsx");
    let file = dir.join("so-2016.xlsx");
    std::fs::write(&file, workbook).expect("write workbook");
    let rejected = dir.join("loi.xlsx");
    let (file, rejected_arg) = (
        file.to_string_lossy().into_owned(),
        rejected.to_string_lossy().into_owned(),
    );
    let out = motcua(
        &app,
        &[
            "registry",
            "import",
            &file,
            "--agency",
            WARD_A,
            "--kind",
            "birth",
            "--map",
            "Tên bà đẻ=Họ, chữ đệm, tên người mẹ",
            "--rejected",
            &rejected_arg,
        ],
        &[],
        None,
    )
    .await;
    assert_eq!(out.code, 1, "a row was rejected: {}", out.stderr);
    assert!(out.stdout.contains("imported 1"), "{}", out.stdout);
    assert!(
        !out.stderr.contains("not imported"),
        "the column was mapped: {}",
        out.stderr
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM civil_entries WHERE number = 1 \
             AND CAST(fields AS TEXT) LIKE '%\"mother_name\":\"Vũ Thị Lan\"%'"
        )
        .await,
        1,
        "the mapped column holds the mother's name"
    );
    let bytes = std::fs::read(&rejected).expect("the rejected rows");
    let mut back = motcua_legacy::read_workbook(&bytes, "loi.xlsx", "birth", &Default::default())
        .expect("readable");
    let rows = motcua_legacy::import_rows(&mut back);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].values.get("full_name"),
        Some(&motcua_domain::civil::Cell::Text("Đỗ Thị Hai".into()))
    );
    // A mapping that names no field: refused, nothing written.
    let before = app.count("SELECT COUNT(*) FROM civil_entries").await;
    let out = motcua(
        &app,
        &[
            "registry",
            "import",
            &file,
            "--agency",
            WARD_A,
            "--kind",
            "birth",
            "--map",
            "Tên bà đẻ=tên bà ngoại",
        ],
        &[],
        None,
    )
    .await;
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("không có mục «tên bà ngoại»"),
        "{}",
        out.stderr
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM civil_entries").await,
        before
    );
    let _ = std::fs::remove_dir_all(&dir);
}
