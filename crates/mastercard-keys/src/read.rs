//! The one way this workspace reads a key, certificate or password file: regular files only, and
//! never more than [`MAX_FILE_LEN`] bytes.
//!
//! A path from a user can name `/dev/zero`, a FIFO that never ends or a directory; reading those
//! whole would hang or exhaust memory, so they are refused before anything is read.

use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::path::Path;

use crate::error::KeyError;

/// Largest key, certificate or password file read, in bytes (1 MiB).
///
/// A PKCS#12 container, a PEM key or a certificate chain is a few kilobytes; a megabyte leaves room
/// for long chains and commented exports while keeping a wrong path cheap.
pub const MAX_FILE_LEN: u64 = 1024 * 1024;

/// Reads a whole key, certificate or password file.
///
/// Refuses anything but a regular file (symbolic links are followed), and any file larger than
/// [`MAX_FILE_LEN`]. The type is checked before opening (opening a FIFO would block until a
/// writer appears) and again on the opened handle, and the read itself stops one byte past the
/// cap, so a file that changes in between still cannot make this read more.
pub fn read_file(path: impl AsRef<Path>) -> Result<Vec<u8>, KeyError> {
    let path = path.as_ref();
    let unreadable = |source| KeyError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    check_metadata(path, &std::fs::metadata(path).map_err(unreadable)?)?;
    let file = File::open(path).map_err(unreadable)?;
    check_metadata(path, &file.metadata().map_err(unreadable)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_FILE_LEN {
        return Err(too_large(path));
    }
    Ok(bytes)
}

fn check_metadata(path: &Path, metadata: &Metadata) -> Result<(), KeyError> {
    let file_type = metadata.file_type();
    if !file_type.is_file() {
        return Err(KeyError::NotARegularFile {
            path: path.to_path_buf(),
            kind: describe(file_type),
        });
    }
    if metadata.len() > MAX_FILE_LEN {
        return Err(too_large(path));
    }
    Ok(())
}

fn too_large(path: &Path) -> KeyError {
    KeyError::FileTooLarge {
        path: path.to_path_buf(),
        limit: MAX_FILE_LEN,
    }
}

/// Names a non-regular file type for the error message.
fn describe(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}
