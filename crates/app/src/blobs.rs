//! Files as content-addressed blobs: named by their SHA-256, written once, on disk
//! under `{dir}/ab/cdef…`. Writing the same bytes twice stores them once.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

impl BlobStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        BlobStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, sha: &str) -> Result<PathBuf> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::NotFound("Không tìm thấy tệp.".into()));
        }
        Ok(self.dir.join(&sha[..2]).join(&sha[2..]))
    }

    /// Stores `bytes` and returns their SHA-256 (hex). The file appears whole or not
    /// at all: written to a temporary name, synced, then renamed, and the rename
    /// itself made durable (the folder synced) before the caller records the file in
    /// the database: after a power cut a dossier never names a file that is not
    /// there.
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha)?;
        if path.exists() {
            return Ok(sha);
        }
        let io =
            |e: std::io::Error| Error::internal(format!("blob store {}", self.dir.display()), e);
        let parent = path.parent().unwrap_or(&self.dir);
        let new_folder = !parent.is_dir();
        std::fs::create_dir_all(parent).map_err(io)?;
        if new_folder {
            // The shard folder's own entry must survive too.
            sync_dir(&self.dir).map_err(io)?;
        }
        let tmp = parent.join(format!(".{}.{}", &sha[2..], motcua_store::new_id()));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(io)?;
        sync_dir(parent).map_err(io)?;
        Ok(sha)
    }

    pub fn get(&self, sha: &str) -> Result<Vec<u8>> {
        std::fs::read(self.path(sha)?).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound("Không tìm thấy tệp.".into()),
            _ => Error::internal(format!("blob {sha}"), e),
        })
    }
}

/// Makes the entries of a folder (a rename, a new file or folder) durable. Only
/// Unix can open a folder to sync it; elsewhere the file system's own ordering is
/// relied on.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(test)]
    tests::SYNCED.with(|s| s.borrow_mut().push(dir.to_owned()));
    Ok(())
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// The folders this thread synced, in order.
        pub(super) static SYNCED: std::cell::RefCell<Vec<PathBuf>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_made_durable_with_its_folders() {
        let dir = std::env::temp_dir().join(format!("motcua-blobs-{}", motcua_store::new_id()));
        let store = BlobStore::new(&dir);
        SYNCED.with(|s| s.borrow_mut().clear());
        let sha = store.put(b"to khai").expect("put");
        let shard = dir.join(&sha[..2]);
        // The new shard folder's entry in the root, then the rename in the shard.
        assert_eq!(
            SYNCED.with(|s| s.borrow().clone()),
            vec![dir.clone(), shard.clone()]
        );
        // A second file in the same shard syncs the shard only; the same bytes again
        // touch nothing.
        SYNCED.with(|s| s.borrow_mut().clear());
        let mut other = 0u32;
        let sha2 = loop {
            let bytes = format!("to khai {other}");
            let sha2 = hex::encode(Sha256::digest(bytes.as_bytes()));
            if sha2[..2] == sha[..2] {
                break store.put(bytes.as_bytes()).expect("put");
            }
            other += 1;
        };
        assert_eq!(SYNCED.with(|s| s.borrow().clone()), vec![shard]);
        SYNCED.with(|s| s.borrow_mut().clear());
        store.put(b"to khai").expect("put again");
        assert!(SYNCED.with(|s| s.borrow().is_empty()));
        assert_ne!(sha, sha2);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn same_bytes_same_name_and_back() {
        let dir = std::env::temp_dir().join(format!("motcua-blobs-{}", motcua_store::new_id()));
        let store = BlobStore::new(&dir);
        let a = store.put(b"giay khai sinh").expect("put");
        let b = store.put(b"giay khai sinh").expect("put again");
        assert_eq!(a, b);
        assert_eq!(store.get(&a).expect("get"), b"giay khai sinh");
        assert!(store.get("../../etc/passwd").is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
