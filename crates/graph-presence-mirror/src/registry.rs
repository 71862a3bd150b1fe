//! The registry file: what a restart needs to lose nothing. The subscriptions (identity,
//! users, expiry), the client state they were made with, and the sequence numbers held.
//!
//! Written atomically: a temporary file beside it is written and synced, then renamed over it
//! (and the directory synced), so a crash mid-write leaves the old file or the new one, never
//! half of one. It holds the client state, a secret: on Unix it is readable by its owner only.

use crate::error::{MirrorError, cut};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name in the directory the user names.
pub(crate) const FILE_NAME: &str = "presence-mirror.json";

/// The format's version; another is refused, not guessed at.
const VERSION: u32 = 1;

/// What is saved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Saved {
    pub version: u32,
    pub client_state: String,
    pub notification_url: String,
    /// By identity name.
    pub identities: BTreeMap<String, SavedIdentity>,
    /// Sequence numbers by user.
    pub sequences: BTreeMap<String, String>,
}

/// One identity's users and subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedIdentity {
    pub users: BTreeSet<String>,
    pub subscription: Option<SavedSubscription>,
}

/// A subscription as Graph last described it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedSubscription {
    pub id: String,
    /// The users its resource names (they differ from the identity's while a change is
    /// being made).
    pub users: BTreeSet<String>,
    pub expires: jiff::Timestamp,
}

/// The registry in `directory`.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    path: PathBuf,
}

impl Registry {
    pub fn in_directory(directory: &Path) -> Registry {
        Registry {
            path: directory.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What was saved, or `None` when nothing was.
    pub fn load(&self) -> Result<Option<Saved>, MirrorError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io(source)),
        };
        let saved: Saved =
            serde_json::from_slice(&bytes).map_err(|e| self.corrupt(&e.to_string()))?;
        if saved.version != VERSION {
            return Err(self.corrupt(&format!(
                "format version {} (this version reads {VERSION})",
                saved.version
            )));
        }
        Ok(Some(saved))
    }

    /// Saves `saved` atomically (see the module's docs).
    pub fn save(&self, saved: &Saved) -> Result<(), MirrorError> {
        let mut saved = saved.clone();
        saved.version = VERSION;
        let bytes = serde_json::to_vec_pretty(&saved).map_err(|e| self.corrupt(&e.to_string()))?;
        let directory = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(directory).map_err(|e| self.io(e))?;
        let temporary = self.path.with_extension("json.tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary).map_err(|e| self.io(e))?;
        file.write_all(&bytes).map_err(|e| self.io(e))?;
        file.sync_all().map_err(|e| self.io(e))?;
        drop(file);
        std::fs::rename(&temporary, &self.path).map_err(|e| self.io(e))?;
        // The rename itself is durable once the directory is synced (where that can be done).
        if let Ok(directory) = std::fs::File::open(directory) {
            let _ = directory.sync_all();
        }
        Ok(())
    }

    fn io(&self, source: std::io::Error) -> MirrorError {
        MirrorError::RegistryIo {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, reason: &str) -> MirrorError {
        MirrorError::RegistryCorrupt {
            path: self.path.clone(),
            reason: cut(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "presence-mirror-unit-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn what_is_saved_is_loaded_and_no_temporary_file_is_left() {
        let dir = directory("roundtrip");
        let registry = Registry::in_directory(&dir);
        assert_eq!(registry.load().expect("nothing yet"), None);
        let mut saved = Saved {
            client_state: "secret".into(),
            ..Saved::default()
        };
        saved.sequences.insert("u".into(), "5".into());
        registry.save(&saved).expect("saved");
        saved.version = VERSION;
        assert_eq!(registry.load().expect("read"), Some(saved));
        let names: Vec<_> = std::fs::read_dir(&dir)
            .expect("the directory")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(names, [FILE_NAME]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_crash_mid_write_leaves_the_last_whole_file() {
        let dir = directory("crash");
        let registry = Registry::in_directory(&dir);
        let saved = Saved {
            client_state: "before".into(),
            version: VERSION,
            ..Saved::default()
        };
        registry.save(&saved).expect("saved");
        // A crash while writing the next one: its temporary file is half written.
        std::fs::write(
            dir.join(format!("{FILE_NAME}.tmp")),
            b"{\"version\":1,\"cli",
        )
        .expect("written");
        assert_eq!(
            registry.load().expect("the last whole one"),
            Some(saved.clone())
        );
        // The next save replaces the leftover.
        let next = Saved {
            client_state: "after".into(),
            ..saved
        };
        registry.save(&next).expect("saved");
        assert_eq!(registry.load().expect("read"), Some(next));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_or_cut_file_is_a_clear_error() {
        let dir = directory("corrupt");
        let registry = Registry::in_directory(&dir);
        registry.save(&Saved::default()).expect("saved");
        let whole = std::fs::read(registry.path()).expect("read");
        std::fs::write(registry.path(), &whole[..whole.len() / 2]).expect("cut");
        let error = registry.load().expect_err("cut short");
        assert!(
            matches!(error, MirrorError::RegistryCorrupt { .. }),
            "{error}"
        );
        assert!(error.to_string().contains(FILE_NAME), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
