//! The use cases of motcua: one method per thing a person does, each in one
//! transaction, each checking who may do it where (see `motcua_domain::access`).
//! The web layer and the command line call these and nothing below them.

pub mod agencies;
pub mod audit;
pub mod auth;
pub mod auto_assign;
pub mod blobs;
pub mod calendar;
pub mod campaigns;
pub mod catalogue;
pub mod certifications;
pub mod clock;
pub mod demo;
pub mod dossiers;
pub mod error;
pub mod idempotency;
pub mod notify;
pub mod pending;
pub mod principal;
pub mod ratings;
pub mod registers;
pub mod reports;
pub mod secrets;
pub mod signed_copy;
pub mod signing;
pub mod throttle;
pub mod users;

pub use clock::{Clock, ManualClock};
pub use error::{Error, Result};
pub use principal::{Actor, Credential, Principal};

use motcua_store::Db;

/// Settings the use cases need from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The address citizens reach the public site at: tracking links, QR codes.
    pub public_url: String,
    /// Where file blobs live.
    pub blob_dir: std::path::PathBuf,
    /// Results not collected after this many days are listed and reminded.
    pub remind_after_days: u32,
    /// The demo certificate authority and the leaders' signing identities
    /// (created on first use; see docs/signing.md).
    pub signing_dir: std::path::PathBuf,
    /// Whose key signs: the demo CA (default) or a real CA's identity.
    pub signer: signing::SignerConfig,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            blob_dir: std::path::PathBuf::from("data/blobs"),
            remind_after_days: 3,
            signing_dir: std::path::PathBuf::from("data/signing"),
            signer: signing::SignerConfig::DemoCa,
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub(crate) settings: std::sync::Arc<Settings>,
    blobs: blobs::BlobStore,
    pub(crate) limits: throttle::Limits,
    pruner: std::sync::Arc<throttle::Pruner>,
    calendars: std::sync::Arc<calendar::CalendarCache>,
    clock: Clock,
    auth: std::sync::Arc<auth::AuthCache>,
    catalogue: std::sync::Arc<catalogue::CatalogueCache>,
    auto_rules: std::sync::Arc<auto_assign::RuleCache>,
    /// Parsing the embedded fonts takes a moment; done once, on first use.
    pdf: std::sync::Arc<std::sync::OnceLock<motcua_docs::PdfEngine>>,
    signers: std::sync::Arc<signing::SignerCache>,
    copy_turns: std::sync::Arc<certifications::CopyTurns>,
    dashboards: std::sync::Arc<reports::ComputedCache<reports::Dashboard>>,
    /// The modules built on the dossier core, asked in the dossier's own
    /// transaction (`dossiers::Extension`).
    extensions: std::sync::Arc<[Box<dyn dossiers::Extension>]>,
}

impl App {
    pub fn new(db: Db) -> Self {
        Self::with_settings(db, Settings::default())
    }

    pub fn with_settings(db: Db, settings: Settings) -> Self {
        Self::with_clock(db, settings, Clock::system())
    }

    /// An app that reads the time from `clock`: tests pass a manual one to run use
    /// cases at chosen instants.
    pub fn with_clock(db: Db, settings: Settings, clock: Clock) -> Self {
        App {
            db,
            clock,
            blobs: blobs::BlobStore::new(settings.blob_dir.clone()),
            settings: std::sync::Arc::new(settings),
            limits: Default::default(),
            pruner: Default::default(),
            calendars: Default::default(),
            auth: Default::default(),
            catalogue: Default::default(),
            auto_rules: Default::default(),
            pdf: Default::default(),
            signers: Default::default(),
            copy_turns: Default::default(),
            dashboards: Default::default(),
            extensions: std::sync::Arc::new([
                Box::new(registers::OnDossiers) as Box<dyn dossiers::Extension>
            ]),
        }
    }

    pub(crate) fn extensions(&self) -> &[Box<dyn dossiers::Extension>] {
        &self.extensions
    }

    /// A dossier of `agency_id` changed (committed): what this process computed
    /// from its dossiers is computed again when next asked.
    pub(crate) fn dossiers_changed(&self, agency_id: &str) {
        self.dashboards.forget_agency(agency_id);
    }

    /// Reference data every install needs, loaded into empty tables: the national
    /// calendar's known official days and the seed procedure catalogue; and the
    /// seed's civil-status rules where an older install lacks them.
    pub async fn seed_reference_data(&self) -> Result<()> {
        self.seed_national_calendar_if_empty().await?;
        if self.seed_catalogue_if_empty().await? == 0 {
            let added = self.add_missing_civil_rules().await?;
            if added > 0 {
                tracing::info!(
                    procedures = added,
                    "seed civil-status rules added to the catalogue"
                );
            }
        }
        Ok(())
    }

    /// Adds a sector, or renames one (by code): for the administrators at the
    /// top of the tree, audited. A code is lower-case letters, digits and dashes.
    pub async fn save_sector(&self, by: &Principal, code: &str, name: &str) -> Result<bool> {
        let code = motcua_domain::user::SectorCode::parse(code).map_err(|_| {
            Error::field(
                "code",
                format!(
                    "Mã lĩnh vực «{}» chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ tu-phap.",
                    code.trim()
                ),
            )
        })?;
        let name = motcua_domain::text::clean(name);
        if name.is_empty() {
            return Err(Error::field("name", "Vui lòng nhập tên lĩnh vực."));
        }
        if name.chars().count() > 200 {
            return Err(Error::field("name", "Tên lĩnh vực dài quá 200 ký tự."));
        }
        let mut tx = self.begin_write_by(by).await?;
        by.require_top()?;
        let created = motcua_store::sectors::upsert(&mut tx, code.as_str(), &name).await?;
        // Filed under the administrator's own agency, so that it shows in the
        // audit log they read.
        let agency_id = by.agency_id().map(str::to_owned);
        self.record_audit(
            &mut tx,
            by,
            agency_id.as_deref(),
            "sector.save",
            code.as_str(),
            serde_json::json!({"name": name, "created": created}),
        )
        .await?;
        tx.commit().await?;
        self.catalogue.clear();
        Ok(created)
    }

    pub async fn sectors(&self) -> Result<Vec<(String, String)>> {
        let mut conn = self.db.read().await?;
        Ok(motcua_store::sectors::all(&mut conn)
            .await?
            .into_iter()
            .map(|s| (s.code, s.name))
            .collect())
    }
}

impl App {
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current instant for every business rule: read it here, never from the
    /// system, so that the app runs the same under a test's manual clock.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// The day [`App::now`] falls on in Vietnam: the default of every period.
    pub fn today(&self) -> jiff::civil::Date {
        self.now()
            .to_zoned(motcua_domain::calendar::vietnam_time_zone())
            .date()
    }

    /// [`App::now`] in the store's milliseconds since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(crate) fn blobs(&self) -> &blobs::BlobStore {
        &self.blobs
    }

    /// The public tracking page of a dossier: what its receipt's QR code holds.
    pub fn tracking_url(&self, code: &str) -> String {
        format!(
            "{}/tra-cuu?ma={code}",
            self.settings.public_url.trim_end_matches('/')
        )
    }

    pub(crate) fn pdf_engine(&self) -> &motcua_docs::PdfEngine {
        self.pdf.get_or_init(motcua_docs::PdfEngine::new)
    }

    /// Renders a document on the blocking pool, never on the threads that serve
    /// requests, and at most one per core at a time, so that a burst of receipts
    /// queues instead of multiplying the memory of layout.
    ///
    /// A Typst compilation cannot be interrupted; what bounds it is its input: the
    /// use cases' limits (`motcua_domain::limits`) cap every text and list printed,
    /// so the largest receipt renders in well under a second. A request that times
    /// out (or whose client leaves) while waiting for its turn drops its future and
    /// never starts rendering: the flag below is set on drop and read by the render
    /// before it begins.
    pub(crate) async fn render_off_thread(&self, job: RenderJob) -> Result<Vec<u8>> {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, LazyLock};
        static RENDERS: LazyLock<Arc<tokio::sync::Semaphore>> = LazyLock::new(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Arc::new(tokio::sync::Semaphore::new(cores))
        });
        struct CancelOnDrop(Arc<AtomicBool>);
        impl Drop for CancelOnDrop {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let permit = RENDERS
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("render queue closed".into()))?;
        let cancelled = Arc::new(AtomicBool::new(false));
        let _guard = CancelOnDrop(cancelled.clone());
        let pdf = self.pdf.clone();
        let task = tokio::task::spawn_blocking(move || {
            // Held until the render ends, even if the request has gone.
            let _permit = permit;
            if cancelled.load(Ordering::Relaxed) {
                return None;
            }
            Some(job(pdf.get_or_init(motcua_docs::PdfEngine::new)))
        });
        match task.await {
            Ok(Some(Ok(bytes))) => Ok(bytes),
            Ok(Some(Err(e))) => Err(Error::internal("PDF", e)),
            Ok(None) => Err(Error::Internal("PDF render cancelled".into())),
            Err(e) => Err(Error::internal("PDF render task", e)),
        }
    }
}

/// A document to render, with everything it prints moved in.
pub(crate) type RenderJob = Box<
    dyn FnOnce(&motcua_docs::PdfEngine) -> std::result::Result<Vec<u8>, motcua_docs::DocsError>
        + Send,
>;

/// A stable id for something with a unique name (an agency's code, a username):
/// the same on every installation, so that events naming it mean the same thing
/// after a dossier moves between installations. Shaped as a UUID (version nibble
/// 8, "custom") to sit beside the UUIDv7 ids of everything else.
pub(crate) fn named_id(kind: &str, name: &str) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(kind.as_bytes());
    h.update(b"\0");
    h.update(name.as_bytes());
    let h = hex::encode(h.finalize());
    format!(
        "{}-{}-8{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[16..20],
        &h[20..32]
    )
}
