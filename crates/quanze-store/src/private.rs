//! Files and folders readable by their owner only (个人信息保护法 第51条: measures against
//! unauthorised access; 等保 2.0 §8.1.4.6): the database, its folder, the materials. Set at
//! creation by the mode given to the system call, since `unsafe_code` is forbidden and a
//! process-wide umask would reach every other file the process writes.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// Creates `dir` and its missing parents, each new one `0700`. Folders that exist keep their
/// mode (a shared parent such as `/var/lib` is not ours to change).
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

/// Creates `path` as a new, empty file `0600`, for writing; `AlreadyExists` if it is there.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn new_folders_and_files_are_the_owners_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data/county");
        create_private_dir_all(&dir).unwrap();
        for d in [root.path().join("data"), dir.clone()] {
            assert_eq!(std::fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let file = dir.join("quanze.db");
        drop(create_private_file(&file).unwrap());
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(create_private_file(&file).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        create_private_dir_all(&dir).expect("an existing folder is fine");
    }
}
