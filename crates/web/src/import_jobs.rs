//! Register imports running behind the upload page (`/ho-tich/nhap`): the upload
//! starts the import and answers at once; the page then asks for the job every
//! half second and shows where it stands until its report is ready.
//!
//! Held in this process only: a restart forgets the job, not the import, which
//! committed as a whole or not at all. A report waits an hour for its owner.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_app::registers::{FileImport, ImportProgress};

const KEEP: Duration = Duration::from_secs(60 * 60);
/// Beyond this many jobs kept, the oldest finished ones go first.
const CAPACITY: usize = 200;

/// How an import ended: its report, or the message that says why it could not run.
pub type Outcome = Result<FileImport, String>;

struct Job {
    owner: String,
    started: Instant,
    /// What the page shows beside the report.
    file_name: String,
    kind: String,
    dry_run: bool,
    progress: Arc<ImportProgress>,
    outcome: Option<Outcome>,
}

/// A job as the page shows it.
pub enum Seen {
    Running {
        progress: Arc<ImportProgress>,
    },
    /// Finished: given once, then forgotten.
    Finished {
        outcome: Box<Outcome>,
        file_name: String,
        kind: String,
        dry_run: bool,
    },
}

#[derive(Default)]
pub struct ImportJobs {
    jobs: Mutex<HashMap<String, Job>>,
}

impl ImportJobs {
    /// A new job of `owner` (a user id); its id, and the progress the import tells.
    pub fn start(
        &self,
        owner: &str,
        file_name: &str,
        kind: &str,
        dry_run: bool,
    ) -> (String, Arc<ImportProgress>) {
        let id = motcua_app::secrets::random_token();
        let progress = Arc::new(ImportProgress::default());
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        jobs.retain(|_, j| now.duration_since(j.started) < KEEP);
        while jobs.len() >= CAPACITY {
            let Some(oldest) = jobs
                .iter()
                .filter(|(_, j)| j.outcome.is_some())
                .min_by_key(|(_, j)| j.started)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            jobs.remove(&oldest);
        }
        jobs.insert(
            id.clone(),
            Job {
                owner: owner.to_owned(),
                started: now,
                file_name: file_name.to_owned(),
                kind: kind.to_owned(),
                dry_run,
                progress: progress.clone(),
                outcome: None,
            },
        );
        (id, progress)
    }

    pub fn finish(&self, id: &str, outcome: Outcome) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(job) = jobs.get_mut(id) {
            job.outcome = Some(outcome);
        }
    }

    /// The job `id` of `owner`: none for another person's or a forgotten one.
    pub fn see(&self, owner: &str, id: &str) -> Option<Seen> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let job = jobs.get(id).filter(|j| j.owner == owner)?;
        if job.outcome.is_none() {
            return Some(Seen::Running {
                progress: job.progress.clone(),
            });
        }
        let job = jobs.remove(id)?;
        Some(Seen::Finished {
            outcome: Box::new(job.outcome?),
            file_name: job.file_name,
            kind: job.kind,
            dry_run: job.dry_run,
        })
    }
}
