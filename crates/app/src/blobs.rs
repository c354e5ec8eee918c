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
    /// at all: written to a temporary name, synced, then renamed.
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha)?;
        if path.exists() {
            return Ok(sha);
        }
        let io =
            |e: std::io::Error| Error::Internal(format!("blob store {}: {e}", self.dir.display()));
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = parent.join(format!(".{}.{}", &sha[2..], motcua_store::new_id()));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(sha)
    }

    pub fn get(&self, sha: &str) -> Result<Vec<u8>> {
        std::fs::read(self.path(sha)?).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound("Không tìm thấy tệp.".into()),
            _ => Error::Internal(format!("blob {sha}: {e}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
