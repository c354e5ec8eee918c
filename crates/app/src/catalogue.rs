//! The procedure catalogue: search, versions, per-agency enablement, import/export,
//! and the seed catalogue shipped as data files.

use motcua_domain::access::Action;
use motcua_domain::procedure::Procedure;
use motcua_domain::text;
use motcua_domain::validation::{Errors, FieldError};
use motcua_store::procedures as store;
use motcua_store::Conn;
use serde::Serialize;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::principal::{Actor, Principal};
use crate::App;

/// The seed catalogue: data files in the repository, compiled in so that a fresh
/// install has the commune-level procedures at once.
const SEEDS: &[(&str, &str)] = &[
    (
        "ho-tich",
        include_str!("../../../seeds/catalogue/ho-tich.json"),
    ),
    (
        "chung-thuc",
        include_str!("../../../seeds/catalogue/chung-thuc.json"),
    ),
    (
        "kinh-doanh",
        include_str!("../../../seeds/catalogue/kinh-doanh.json"),
    ),
    (
        "bao-tro-xa-hoi",
        include_str!("../../../seeds/catalogue/bao-tro-xa-hoi.json"),
    ),
    (
        "xay-dung",
        include_str!("../../../seeds/catalogue/xay-dung.json"),
    ),
    (
        "dat-dai",
        include_str!("../../../seeds/catalogue/dat-dai.json"),
    ),
];

/// Every procedure of the seed catalogue.
fn seed_procedures() -> Result<Vec<Procedure>> {
    let mut all = Vec::new();
    for (name, json) in SEEDS {
        let procs: Vec<Procedure> = serde_json::from_str(json)
            .map_err(|e| Error::internal(format!("seed catalogue {name}.json unreadable"), e))?;
        all.extend(procs);
    }
    Ok(all)
}

/// The catalogue in force today, parsed, in memory: public pages search it on every
/// keystroke, and it changes a few times a year. Saves and imports in this process
/// replace it at once; another process sharing a PostgreSQL database sees a change
/// within `CATALOGUE_TTL`.
#[derive(Default)]
pub struct CatalogueCache {
    snapshot: RwLock<Option<(Instant, Arc<Snapshot>)>>,
    qr: Mutex<HashMap<String, String>>,
    /// The codes each agency (by id) performs, read at every intake; kept like the
    /// catalogue (cleared with it, and by every change of an agency's list).
    enabled: Kept<Arc<Vec<String>>>,
    /// The latest version of each procedure read lately, parsed (dossier pages and
    /// control sheets read one each time); cleared with the catalogue.
    latest: Kept<CatalogueEntry>,
    /// Published versions by (code, version), parsed: a version is never changed
    /// once saved (a change is a new version), so these need no expiry. Every
    /// dossier page reads its dossier's version.
    versions: RwLock<HashMap<(String, i64), Procedure>>,
}

/// At most this many parsed versions are kept (a catalogue has a few hundred).
const VERSIONS_KEPT: usize = 10_000;

pub const CATALOGUE_TTL: Duration = Duration::from_secs(30);

/// Values read from the database by key, each kept for [`CATALOGUE_TTL`] after it
/// was read: reference data that every intake or page reads and that changes
/// rarely. This process forgets what it changes at once; another process sees a
/// change within the TTL.
pub(crate) struct Kept<T> {
    by_key: RwLock<HashMap<String, (Instant, T)>>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            by_key: RwLock::default(),
        }
    }
}

impl<T: Clone> Kept<T> {
    /// The value under `key` if read within the TTL.
    pub(crate) fn get(&self, key: &str) -> Option<T> {
        let m = self.by_key.read().ok()?;
        let (at, value) = m.get(key)?;
        (at.elapsed() < CATALOGUE_TTL).then(|| value.clone())
    }

    pub(crate) fn put(&self, key: &str, value: T) {
        if let Ok(mut m) = self.by_key.write() {
            m.insert(key.to_owned(), (Instant::now(), value));
        }
    }

    pub(crate) fn forget(&self, key: &str) {
        if let Ok(mut m) = self.by_key.write() {
            m.remove(key);
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut m) = self.by_key.write() {
            m.clear();
        }
    }
}

struct Snapshot {
    /// (folded search key, entry), ordered by sector then name.
    entries: Vec<(String, CatalogueEntry)>,
    sectors: Vec<(String, String)>,
    /// The local date (YYYY-MM-DD) the versions in force were chosen for.
    day: String,
}

impl CatalogueCache {
    pub fn clear(&self) {
        if let Ok(mut s) = self.snapshot.write() {
            *s = None;
        }
        self.enabled.clear();
        self.latest.clear();
    }

    fn version(&self, code: &str, version: i64) -> Option<Procedure> {
        let m = self.versions.read().ok()?;
        m.get(&(code.to_owned(), version)).cloned()
    }

    fn keep_version(&self, code: &str, version: i64, procedure: &Procedure) {
        if let Ok(mut m) = self.versions.write() {
            if m.len() >= VERSIONS_KEPT {
                m.clear();
            }
            m.insert((code.to_owned(), version), procedure.clone());
        }
    }

    fn fresh(&self) -> Option<Arc<Snapshot>> {
        let guard = self.snapshot.read().ok()?;
        let (at, snap) = guard.as_ref()?;
        (at.elapsed() < CATALOGUE_TTL).then(|| snap.clone())
    }
}

/// A procedure as the catalogue holds it now.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogueEntry {
    pub version: i64,
    #[serde(flatten)]
    pub procedure: Procedure,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub version: i64,
    pub effective_from: String,
    pub created_at: jiff::Timestamp,
    pub created_by: String,
    /// The saver's full name, for people to read ("Hệ thống" for the command line
    /// and the seed; the username when the account is gone).
    pub created_by_name: String,
}

fn parse_body(body: &str) -> Result<Procedure> {
    serde_json::from_str(body).map_err(|e| Error::internal("stored procedure unreadable", e))
}

fn not_found(code: &str) -> Error {
    Error::NotFound(format!("Không tìm thấy thủ tục có mã «{}».", code.trim()))
}

/// Checks and stores one procedure as a new version unless it equals the current
/// one, stamped `now_ms`. Returns (version, whether it was written).
async fn save(
    conn: &mut Conn,
    by: &Principal,
    mut p: Procedure,
    now_ms: i64,
) -> Result<(i64, bool, bool)> {
    p.normalize();
    let problems = p.validate();
    if !problems.is_empty() {
        return Err(Error::Invalid(Errors(problems)));
    }
    let sectors = motcua_store::sectors::all(conn).await?;
    if !sectors.iter().any(|s| s.code == p.sector) {
        return Err(Error::Invalid(
            FieldError::new(
                "sector",
                format!("Lĩnh vực «{}» không có trong danh mục.", p.sector),
            )
            .into(),
        ));
    }
    let body = serde_json::to_string(&p).map_err(|e| Error::internal("procedure as JSON", e))?;
    let existing = store::by_code(conn, &p.code).await?;
    if let Some(row) = &existing {
        if row.body == body {
            return Ok((row.current_version, false, false));
        }
    }
    let version = store::add_version(
        conn,
        &store::NewVersion {
            code: &p.code,
            name: &p.name,
            sector: &p.sector,
            level: &p.level,
            online: p.online.as_str(),
            effective_from: &p.effective_from.to_string(),
            body: &body,
            now: now_ms,
            by: by.audit_name(),
        },
    )
    .await?;
    Ok((version, true, existing.is_none()))
}

impl App {
    async fn snapshot(&self) -> Result<Arc<Snapshot>> {
        let today = self
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date()
            .to_string();
        // A new day may bring a version into force: yesterday's snapshot is stale
        // however recently it was read.
        if let Some(snap) = self.catalogue.fresh().filter(|s| s.day == today) {
            return Ok(snap);
        }
        let mut conn = self.db.read().await?;
        let sectors = motcua_store::sectors::all(&mut conn)
            .await?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect();
        let mut entries = Vec::new();
        for row in store::in_force(&mut conn, &today).await? {
            let procedure = parse_body(&row.body)?;
            entries.push((
                procedure.search_key(),
                CatalogueEntry {
                    version: row.current_version,
                    procedure,
                },
            ));
        }
        entries.sort_by(|a, b| {
            (&a.1.procedure.sector, &a.1.procedure.name)
                .cmp(&(&b.1.procedure.sector, &b.1.procedure.name))
        });
        let snap = Arc::new(Snapshot {
            entries,
            sectors,
            day: today,
        });
        if let Ok(mut slot) = self.catalogue.snapshot.write() {
            *slot = Some((Instant::now(), snap.clone()));
        }
        Ok(snap)
    }

    /// The codes of the procedures an agency (by id) performs, from the cache when
    /// fresh. Takes a connection from the pool on a miss: call it holding none.
    pub(crate) async fn enabled_codes(&self, agency_id: &str) -> Result<Arc<Vec<String>>> {
        if let Some(codes) = self.catalogue.enabled.get(agency_id) {
            return Ok(codes);
        }
        let mut conn = self.db.read().await?;
        let codes = Arc::new(store::enabled_codes(&mut conn, agency_id).await?);
        drop(conn);
        self.catalogue.enabled.put(agency_id, codes.clone());
        Ok(codes)
    }

    /// Search by words with or without diacritics, in any Unicode form.
    pub async fn search_procedures(
        &self,
        query: &str,
        sector: Option<&str>,
        agency_code: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CatalogueEntry>> {
        let folded = text::fold(query);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let enabled: Option<Arc<Vec<String>>> = match agency_code {
            Some(code) => {
                let mut conn = self.db.read().await?;
                let agency =
                    motcua_store::agencies::by_code(&mut conn, &code.trim().to_ascii_uppercase())
                        .await?
                        .ok_or_else(|| crate::agencies::not_found(code))?;
                drop(conn);
                Some(self.enabled_codes(&agency.id).await?)
            }
            None => None,
        };
        let sector = sector.map(str::trim).filter(|s| !s.is_empty());
        let snap = self.snapshot().await?;
        let found = snap.entries.iter().filter(|(key, e)| {
            words.iter().all(|w| key.contains(w))
                && sector.is_none_or(|s| e.procedure.sector == s)
                && enabled
                    .as_ref()
                    .is_none_or(|codes| codes.contains(&e.procedure.code))
        });
        let limit = limit.clamp(1, 100_000) as usize;
        if words.is_empty() {
            return Ok(found.take(limit).map(|(_, e)| e.clone()).collect());
        }
        // The closest name first: the words as a phrase in the name before
        // scattered (or only in the code or elsewhere), then the name with the
        // fewest other words; ties in catalogue order.
        let phrase = words.join(" ");
        let mut ranked: Vec<((bool, usize, usize), &CatalogueEntry)> = found
            .enumerate()
            .map(|(i, (_, e))| {
                let name = text::fold(&e.procedure.name);
                let rank = (
                    !name.contains(&phrase),
                    name.split(' ').filter(|w| !w.is_empty()).count(),
                    i,
                );
                (rank, e)
            })
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        Ok(ranked
            .into_iter()
            .take(limit)
            .map(|(_, e)| e.clone())
            .collect())
    }

    /// The latest version, whether or not it is in force yet: what an administrator
    /// edits.
    pub async fn procedure_latest(&self, code: &str) -> Result<CatalogueEntry> {
        if let Some(entry) = self.catalogue.latest.get(code.trim()) {
            return Ok(entry);
        }
        let mut conn = self.db.read().await?;
        self.procedure_latest_in(&mut conn, code).await
    }

    /// `procedure_latest` on a connection the caller already holds.
    /// The version a dossier was received under (the latest if that one is gone).
    pub(crate) async fn procedure_version_in(
        &self,
        conn: &mut Conn,
        code: &str,
        version: i64,
    ) -> Result<Procedure> {
        // Most dossiers are under the version in force, which the cache holds parsed.
        if let Some(entry) = self.catalogue.latest.get(code.trim()) {
            if entry.version == version {
                return Ok(entry.procedure);
            }
        }
        if let Some(p) = self.catalogue.version(code.trim(), version) {
            return Ok(p);
        }
        match store::body_of_version(conn, code.trim(), version).await? {
            Some(body) => {
                let procedure = parse_body(&body)?;
                self.catalogue
                    .keep_version(code.trim(), version, &procedure);
                Ok(procedure)
            }
            None => Ok(self.procedure_latest_in(conn, code).await?.procedure),
        }
    }

    pub(crate) async fn procedure_latest_in(
        &self,
        conn: &mut Conn,
        code: &str,
    ) -> Result<CatalogueEntry> {
        if let Some(entry) = self.catalogue.latest.get(code.trim()) {
            return Ok(entry);
        }
        let row = store::by_code(conn, code.trim())
            .await?
            .ok_or_else(|| not_found(code))?;
        let entry = CatalogueEntry {
            version: row.current_version,
            procedure: parse_body(&row.body)?,
        };
        self.catalogue.latest.put(&row.code, entry.clone());
        Ok(entry)
    }

    /// The version in force today, as citizens see it.
    pub async fn procedure(&self, code: &str) -> Result<CatalogueEntry> {
        let snap = self.snapshot().await?;
        snap.entries
            .iter()
            .find(|(_, e)| e.procedure.code == code.trim())
            .map(|(_, e)| e.clone())
            .ok_or_else(|| not_found(code))
    }

    /// The sectors (code, name) of the catalogue, in their order.
    pub async fn catalogue_sectors(&self) -> Result<Vec<(String, String)>> {
        Ok(self.snapshot().await?.sectors.clone())
    }

    /// A QR code (SVG) for a page address, remembered: the same pages ask again.
    pub fn qr_svg(&self, text: &str) -> Result<String> {
        if let Some(svg) = self
            .catalogue
            .qr
            .lock()
            .ok()
            .and_then(|m| m.get(text).cloned())
        {
            return Ok(svg);
        }
        let svg = motcua_docs::qr_svg(text).map_err(|e| Error::internal("QR code", e))?;
        if let Ok(mut m) = self.catalogue.qr.lock() {
            if m.len() >= 10_000 {
                m.clear();
            }
            m.insert(text.to_owned(), svg.clone());
        }
        Ok(svg)
    }

    pub async fn procedure_versions(&self, code: &str) -> Result<Vec<VersionInfo>> {
        let mut conn = self.db.read().await?;
        let rows = store::versions(&mut conn, code.trim()).await?;
        drop(conn);
        let names = self
            .full_names(rows.iter().map(|v| v.created_by.clone()).collect())
            .await?;
        Ok(rows
            .into_iter()
            .map(|v| VersionInfo {
                version: v.version,
                effective_from: v.effective_from,
                created_at: motcua_store::from_millis(v.created_at),
                created_by_name: names.get(&v.created_by).cloned().unwrap_or_default(),
                created_by: v.created_by,
            })
            .collect())
    }

    /// Saves an edited procedure as a new version (nothing when unchanged).
    pub async fn save_procedure(&self, by: &Principal, p: Procedure) -> Result<i64> {
        let mut tx = self.begin_write_by(by).await?;
        by.require_top()?;
        let code = p.code.clone();
        let (version, written, created) = save(&mut tx, by, p, self.now_ms()).await?;
        if written {
            if created {
                enable_everywhere(&mut tx, &code).await?;
            }
            self.record_audit(
                &mut tx,
                by,
                by.agency_id(),
                "procedure.save",
                &code,
                serde_json::json!({"version": version}),
            )
            .await?;
        }
        tx.commit().await?;
        self.catalogue.clear();
        Ok(version)
    }

    /// Imports a whole catalogue in one transaction: every procedure valid, or
    /// nothing written. Importing the same file twice adds nothing.
    pub async fn import_catalogue(
        &self,
        by: &Principal,
        procedures: Vec<Procedure>,
    ) -> Result<ImportReport> {
        let mut tx = self.begin_write_by(by).await?;
        by.require_top()?;
        let mut report = ImportReport::default();
        let mut errors = Errors::new();
        let mut seen = std::collections::HashSet::new();
        for p in procedures {
            let code = p.code.clone();
            if !seen.insert(code.clone()) {
                errors.push("code", format!("Mã thủ tục «{code}» xuất hiện hai lần."));
                continue;
            }
            match save(&mut tx, by, p, self.now_ms()).await {
                Ok((_, false, _)) => report.unchanged += 1,
                Ok((_, true, true)) => {
                    enable_everywhere(&mut tx, &code).await?;
                    report.created += 1
                }
                Ok((_, true, false)) => report.updated += 1,
                Err(Error::Invalid(e)) => {
                    for f in e.0 {
                        errors.push(
                            &format!("{code}.{}", f.field),
                            format!("Thủ tục {code}: {}", f.message),
                        );
                    }
                }
                Err(other) => return Err(other),
            }
        }
        errors.into_result()?;
        if report.created + report.updated > 0 {
            self.record_audit(
                &mut tx,
                by,
                by.agency_id(),
                "catalogue.import",
                "catalogue",
                serde_json::to_value(&report).unwrap_or_default(),
            )
            .await?;
        }
        tx.commit().await?;
        self.catalogue.clear();
        Ok(report)
    }

    pub async fn export_catalogue(&self) -> Result<Vec<Procedure>> {
        let mut conn = self.db.read().await?;
        store::current(&mut conn)
            .await?
            .iter()
            .map(|r| parse_body(&r.body))
            .collect()
    }

    /// Loads the seed catalogue into an empty catalogue.
    pub async fn seed_catalogue_if_empty(&self) -> Result<usize> {
        {
            let mut conn = self.db.read().await?;
            if store::count(&mut conn).await? > 0 {
                return Ok(0);
            }
        }
        let report = self
            .import_catalogue(&Principal::System, seed_procedures()?)
            .await?;
        Ok(report.created)
    }

    /// The seed's civil-status rules (`civil_register`, what an approval writes
    /// in the registers) for the procedures whose latest version has none and was
    /// written by the system rather than an administrator: an install made before
    /// a rule shipped gets it at start, as a new version (dossiers keep the
    /// version they were received under). A version an administrator saved is
    /// theirs to change. The number of procedures given a rule.
    pub async fn add_missing_civil_rules(&self) -> Result<usize> {
        let mut missing = Vec::new();
        {
            let mut conn = self.db.read().await?;
            for seed in seed_procedures()? {
                let Some(rule) = seed.civil_register else {
                    continue;
                };
                let Some(row) = store::by_code(&mut conn, &seed.code).await? else {
                    continue;
                };
                let mut stored = parse_body(&row.body)?;
                let latest = store::versions(&mut conn, &seed.code).await?;
                let by_system = latest
                    .first()
                    .is_some_and(|v| v.created_by == Principal::System.audit_name());
                if stored.civil_register.is_none() && by_system {
                    stored.civil_register = Some(rule);
                    missing.push(stored);
                }
            }
        }
        let added = missing.len();
        for p in missing {
            self.save_procedure(&Principal::System, p).await?;
        }
        Ok(added)
    }

    /// The codes of the procedures an agency performs.
    pub async fn enabled_procedures(
        &self,
        actor: &Actor,
        agency_code: &str,
    ) -> Result<Vec<String>> {
        let mut conn = self.db.read().await?;
        let a =
            crate::agencies::load_for(&mut conn, &actor.into(), agency_code, Action::ReadAgency)
                .await?;
        Ok(store::enabled_codes(&mut conn, &a.id).await?)
    }

    /// For an administrator over other agencies (a province): for each procedure
    /// code, the names of the agencies below theirs that perform it.
    pub async fn performers_below(&self, actor: &Actor) -> Result<HashMap<String, Vec<String>>> {
        let mut conn = self.db.read().await?;
        let a = crate::agencies::load_for(
            &mut conn,
            &actor.into(),
            &actor.agency.code,
            Action::ReadAgency,
        )
        .await?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for (code, name) in store::performers_below(&mut conn, &a.path).await? {
            out.entry(code).or_default().push(name);
        }
        Ok(out)
    }

    pub async fn set_procedure_enabled(
        &self,
        by: &Principal,
        agency_code: &str,
        code: &str,
        enabled: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write_by(by).await?;
        let a = crate::agencies::load_for(&mut tx, by, agency_code, Action::ManageAgency).await?;
        store::by_code(&mut tx, code.trim())
            .await?
            .ok_or_else(|| not_found(code))?;
        if enabled {
            store::enable(&mut tx, &a.id, code.trim()).await?;
        } else {
            store::disable(&mut tx, &a.id, code.trim()).await?;
        }
        self.record_audit(
            &mut tx,
            by,
            Some(&a.id),
            "procedure.enable",
            code.trim(),
            serde_json::json!({"enabled": enabled}),
        )
        .await?;
        tx.commit().await?;
        self.catalogue.enabled.clear();
        Ok(())
    }
}

/// A new procedure is performed by every agency of its level until an
/// administrator turns it off there.
async fn enable_everywhere(conn: &mut Conn, code: &str) -> Result<()> {
    if let Some(row) = store::by_code(conn, code).await? {
        store::enable_level_for_code(conn, code, &row.level).await?;
    }
    Ok(())
}

impl App {
    /// The printable A4 poster of a procedure, with a QR code of its public page,
    /// naming the agency (by code) where it is filed when one is given.
    pub async fn procedure_poster(
        &self,
        code: &str,
        page_url: &str,
        agency_code: Option<&str>,
    ) -> Result<Vec<u8>> {
        let agency_name = match agency_code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => {
                let mut conn = self.db.read().await?;
                motcua_store::agencies::by_code(&mut conn, &c.to_ascii_uppercase())
                    .await?
                    .filter(|a| a.active)
                    .map(|a| a.name)
            }
            None => None,
        };
        let entry = self.procedure(code).await?;
        let sector_name = self
            .sectors()
            .await?
            .into_iter()
            .find(|s| s.0 == entry.procedure.sector)
            .map_or_else(|| entry.procedure.sector.clone(), |s| s.1);
        let today = self
            .now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date();
        let app = self.clone();
        let page_url = page_url.to_owned();
        // Typst layout is CPU work: keep it off the async threads.
        tokio::task::spawn_blocking(move || {
            motcua_docs::poster_pdf(
                app.pdf_engine(),
                &entry.procedure,
                &sector_name,
                &page_url,
                agency_name.as_deref(),
                today,
            )
            .map_err(|e| Error::internal("poster rendering", e))
        })
        .await
        .map_err(|e| Error::internal("poster task", e))?
    }
}

/// The exchange formats of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueFormat {
    Json,
    Xlsx,
}

impl CatalogueFormat {
    /// By file name: `.json` or `.xlsx`.
    pub fn of_file(name: &str) -> Result<CatalogueFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Ok(CatalogueFormat::Json)
        } else if lower.ends_with(".xlsx") {
            Ok(CatalogueFormat::Xlsx)
        } else {
            Err(Error::field(
                "file",
                "Tệp danh mục phải có đuôi .json hoặc .xlsx.",
            ))
        }
    }
}

impl App {
    pub async fn export_catalogue_as(&self, format: CatalogueFormat) -> Result<Vec<u8>> {
        let procs = self.export_catalogue().await?;
        match format {
            CatalogueFormat::Json => Ok(motcua_docs::catalogue::to_json(&procs)),
            CatalogueFormat::Xlsx => motcua_docs::catalogue::to_xlsx(&procs)
                .map_err(|e| Error::internal("catalogue workbook", e)),
        }
    }

    /// Reads a catalogue file and imports it whole (see `import_catalogue`). Every
    /// problem of the file is reported, each on its own line, naming where it is.
    pub async fn import_catalogue_file(
        &self,
        by: &Principal,
        format: CatalogueFormat,
        bytes: &[u8],
    ) -> Result<ImportReport> {
        let parsed = match format {
            CatalogueFormat::Json => motcua_docs::catalogue::from_json(bytes),
            CatalogueFormat::Xlsx => motcua_docs::catalogue::from_xlsx(bytes),
        };
        let procs = parsed.map_err(|e| match e {
            motcua_docs::catalogue::CatalogueError::Invalid(problems) => Error::Invalid(Errors(
                problems
                    .iter()
                    .map(|p| FieldError::new("file", p.to_string()))
                    .collect(),
            )),
            other => Error::internal("reading a catalogue file", other),
        })?;
        self.import_catalogue(by, procs).await
    }
}
