//! Files sent with a form that was refused (a counter intake with a mistake):
//! kept on the server for the retry, so that the officer does not scan them
//! again, under an unguessable token that only the same user can redeem.
//! They live beside the blob store (`{blob_dir}/.pending/`), never in it: a
//! pending file is nobody's record, and one not redeemed within `PENDING_HOURS`
//! is deleted by the next stash.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::dossiers::Upload;
use crate::error::{Error, Result};
use crate::App;

/// How long a refused form's files wait for the retry.
pub const PENDING_HOURS: i64 = 24;

/// A file kept for the retry, as the form lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingFile {
    pub token: String,
    pub name: String,
    pub size: usize,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    user_id: String,
    name: String,
    content_type: Option<String>,
    size: usize,
    created_at: i64,
}

fn io(e: std::io::Error) -> Error {
    Error::internal("pending uploads", e)
}

/// A token as the stash makes it (URL-safe base64 of 32 bytes); anything else
/// names no file (and no path outside the folder).
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    fn pending_dir(&self) -> PathBuf {
        self.blobs().dir().join(".pending")
    }

    /// Keeps `files` for `user_id`'s retry; returns how the form names them. Files
    /// older than `PENDING_HOURS` (anyone's) are deleted first.
    pub fn stash_uploads(&self, user_id: &str, files: &[Upload]) -> Result<Vec<PendingFile>> {
        let dir = self.pending_dir();
        std::fs::create_dir_all(&dir).map_err(io)?;
        self.sweep_pending()?;
        let mut out = Vec::new();
        for f in files.iter().filter(|f| !f.bytes.is_empty()) {
            let token = crate::secrets::random_token();
            let meta = Meta {
                user_id: user_id.to_owned(),
                name: f.name.clone(),
                content_type: f.content_type.clone(),
                size: f.bytes.len(),
                created_at: self.now_ms(),
            };
            std::fs::write(dir.join(format!("{token}.bin")), &f.bytes).map_err(io)?;
            let meta_text =
                serde_json::to_vec(&meta).map_err(|e| Error::internal("pending upload meta", e))?;
            std::fs::write(dir.join(format!("{token}.json")), meta_text).map_err(io)?;
            out.push(PendingFile {
                token,
                name: f.name.clone(),
                size: f.bytes.len(),
            });
        }
        Ok(out)
    }

    /// The files `user_id` stashed under `tokens`; a token that is unknown,
    /// expired or someone else's is skipped.
    pub fn pending_uploads(
        &self,
        user_id: &str,
        tokens: &[String],
    ) -> Result<Vec<(PendingFile, Upload)>> {
        let dir = self.pending_dir();
        let oldest = self.now_ms() - PENDING_HOURS * 3_600_000;
        let mut out = Vec::new();
        for token in tokens.iter().filter(|t| well_formed(t)) {
            let Ok(text) = std::fs::read(dir.join(format!("{token}.json"))) else {
                continue;
            };
            let Ok(meta) = serde_json::from_slice::<Meta>(&text) else {
                continue;
            };
            if meta.user_id != user_id || meta.created_at < oldest {
                continue;
            }
            let Ok(bytes) = std::fs::read(dir.join(format!("{token}.bin"))) else {
                continue;
            };
            out.push((
                PendingFile {
                    token: token.clone(),
                    name: meta.name.clone(),
                    size: bytes.len(),
                },
                Upload {
                    name: meta.name,
                    content_type: meta.content_type,
                    bytes,
                },
            ));
        }
        Ok(out)
    }

    /// Forgets `user_id`'s stashed files once the form went through.
    pub fn drop_pending(&self, user_id: &str, tokens: &[String]) -> Result<()> {
        for (f, _) in self.pending_uploads(user_id, tokens)? {
            let dir = self.pending_dir();
            let _ = std::fs::remove_file(dir.join(format!("{}.bin", f.token)));
            let _ = std::fs::remove_file(dir.join(format!("{}.json", f.token)));
        }
        Ok(())
    }

    /// Deletes stashed files older than `PENDING_HOURS`.
    pub fn sweep_pending(&self) -> Result<usize> {
        let dir = self.pending_dir();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(0);
        };
        let oldest = self.now_ms() - PENDING_HOURS * 3_600_000;
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let expired = std::fs::read(&path)
                .ok()
                .and_then(|t| serde_json::from_slice::<Meta>(&t).ok())
                .is_none_or(|m| m.created_at < oldest);
            if expired {
                let _ = std::fs::remove_file(path.with_extension("bin"));
                let _ = std::fs::remove_file(&path);
                removed += 1;
            }
        }
        Ok(removed)
    }
}
