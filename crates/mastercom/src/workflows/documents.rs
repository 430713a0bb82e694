//! Documents going up (`fileAttachment` of chargebacks, case filings, retrieval fulfilments)
//! and coming down (`get*Doc` responses), checked locally.
//!
//! Up: the spec's `DocumentStructure.file` is "Length: 1-22000000" characters of base64 and
//! "must represent a ZIP, JPG, TIFF, or PDF file". A [`DocumentFile`] checks both before
//! anything is sent: the size from the file's metadata before a byte is read (at most
//! [`MAX_DOCUMENT_BYTES`], the raw size whose base64 is [`MAX_BASE64_CHARS`]), a regular file
//! (a FIFO or device is refused, never opened), the type from its first bytes, and that the
//! file name's extension declares that same type.
//!
//! Down: [`save_document`] writes a `DocumentResponseStructure`'s base64 `file` to disk,
//! decoding it a piece at a time into a temporary file beside the target and renaming it into
//! place only when all of it decoded: invalid base64 leaves no file behind.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::base64::{Base64Error, decode_in_pieces};
use crate::types;

/// Longest `file` the spec accepts, in base64 characters.
pub const MAX_BASE64_CHARS: u64 = 22_000_000;
/// Largest document whose base64 fits in [`MAX_BASE64_CHARS`]: every 3 bytes become 4
/// characters.
pub const MAX_DOCUMENT_BYTES: u64 = MAX_BASE64_CHARS / 4 * 3;

/// Base64 characters decoded per piece when saving (64 KiB; 48 KiB decoded).
const DECODE_PIECE: usize = 64 * 1024;

/// The file types Mastercom accepts, told apart by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentType {
    /// ZIP archive (`PK\x03\x04`, or `PK\x05\x06` when empty); may hold JPG, TIFF or PDF files.
    Zip,
    /// JPEG image (`FF D8 FF`).
    Jpeg,
    /// TIFF image (`II*\0` little-endian or `MM\0*` big-endian).
    Tiff,
    /// PDF document (`%PDF-`).
    Pdf,
}

impl DocumentType {
    /// The type `bytes` start with, if it is one Mastercom accepts.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Self::Zip)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(Self::Tiff)
        } else if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            None
        }
    }

    /// The type a file name's extension declares (`.zip`, `.jpg`/`.jpeg`, `.tif`/`.tiff`,
    /// `.pdf`, in any case).
    pub fn from_filename(filename: &str) -> Option<Self> {
        let (_, extension) = filename.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "zip" => Some(Self::Zip),
            "jpg" | "jpeg" => Some(Self::Jpeg),
            "tif" | "tiff" => Some(Self::Tiff),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Zip => "ZIP",
            Self::Jpeg => "JPG",
            Self::Tiff => "TIFF",
            Self::Pdf => "PDF",
        })
    }
}

/// A document refused locally (nothing was sent), or one that could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file could not be inspected, read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: io::Error,
    },
    /// Not a regular file (a directory, FIFO, socket or device): refused without opening it,
    /// as reading a FIFO or device could block or never end.
    #[error("{} is not a regular file", .path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },
    /// Larger than the spec's `file` can carry.
    #[error(
        "the document is {bytes} bytes; its base64 would exceed the {MAX_BASE64_CHARS} \
         characters Mastercom accepts (at most {MAX_DOCUMENT_BYTES} bytes)"
    )]
    TooLarge {
        /// The document's size (from metadata when it came from a path).
        bytes: u64,
    },
    /// Empty (`file` is "Length: 1-…").
    #[error("the document is empty")]
    Empty,
    /// The first bytes are not those of a ZIP, JPG, TIFF or PDF file.
    #[error("the document is not a ZIP, JPG, TIFF or PDF file (by its first bytes)")]
    UnsupportedType,
    /// The file name does not end in an extension of an accepted type.
    #[error(
        "the file name {filename:?} does not declare a type Mastercom accepts \
         (.zip, .jpg, .jpeg, .tif, .tiff, .pdf); the content is {detected}"
    )]
    UndeclaredType {
        /// The file name.
        filename: String,
        /// The type found from the content.
        detected: DocumentType,
    },
    /// The extension declares one type, the content is another.
    #[error("the file name {filename:?} declares {declared} but the content is {detected}")]
    TypeMismatch {
        /// The file name.
        filename: String,
        /// The type its extension declares.
        declared: DocumentType,
        /// The type found from the content.
        detected: DocumentType,
    },
    /// No file name could be taken from the path.
    #[error("{} has no file name", .path.display())]
    NoFilename {
        /// The path given.
        path: PathBuf,
    },
    /// The file name is not accepted by the request type.
    #[error("the file name {filename:?} is not accepted: {reason}")]
    Filename {
        /// The file name.
        filename: String,
        /// Why.
        reason: String,
    },
    /// The response carries no `fileAttachment.file`.
    #[error("the response holds no document")]
    NoDocument,
    /// The response's `file` is not valid base64; no file was written.
    #[error("the downloaded document is not valid base64: {0}")]
    Base64(#[source] Base64Error),
}

/// A document checked for upload: an accepted type, declared by its file name, within the
/// size limit. Its `Debug` shows the name, type and size, never the content.
#[derive(Clone)]
pub struct DocumentFile {
    filename: String,
    document_type: DocumentType,
    bytes: Vec<u8>,
}

impl fmt::Debug for DocumentFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentFile")
            .field("filename", &self.filename)
            .field("document_type", &self.document_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl DocumentFile {
    /// Reads the file at `path`, named after its last path component. The size and kind of
    /// file come from metadata before it is opened; the read is bounded too, in case the file
    /// grows in between.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, DocumentError> {
        let path = path.as_ref();
        let filename = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| DocumentError::NoFilename {
                path: path.to_owned(),
            })?
            .to_owned();
        let bytes = read_bounded(path)?;
        Self::from_bytes(filename, bytes)
    }

    /// A document from memory, uploaded as `filename`.
    pub fn from_bytes(filename: impl Into<String>, bytes: Vec<u8>) -> Result<Self, DocumentError> {
        let filename = filename.into();
        let len = bytes.len() as u64;
        if len == 0 {
            return Err(DocumentError::Empty);
        }
        if len > MAX_DOCUMENT_BYTES {
            return Err(DocumentError::TooLarge { bytes: len });
        }
        let detected = DocumentType::detect(&bytes).ok_or(DocumentError::UnsupportedType)?;
        match DocumentType::from_filename(&filename) {
            None => Err(DocumentError::UndeclaredType { filename, detected }),
            Some(declared) if declared != detected => Err(DocumentError::TypeMismatch {
                filename,
                declared,
                detected,
            }),
            Some(_) => Ok(Self {
                filename,
                document_type: detected,
                bytes,
            }),
        }
    }

    /// The name it is uploaded as.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// Its type, from its content.
    pub fn document_type(&self) -> DocumentType {
        self.document_type
    }

    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always `false`: an empty document is refused when built.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The request's `fileAttachment`: the file name and the content in base64 (the raw bytes
    /// are dropped as soon as they are encoded).
    pub fn into_attachment(self) -> Result<types::DocumentStructure, DocumentError> {
        let file = openssl::base64::encode_block(&self.bytes);
        drop(self.bytes);
        let filename = self.filename;
        let value = serde_json::json!({"filename": filename.clone(), "file": file});
        serde_json::from_value(value).map_err(|error| DocumentError::Filename {
            filename,
            reason: error.to_string(),
        })
    }
}

/// Reads a regular file of at most [`MAX_DOCUMENT_BYTES`], checking before reading.
fn read_bounded(path: &Path) -> Result<Vec<u8>, DocumentError> {
    let io_error = |source| DocumentError::Io {
        path: path.to_owned(),
        source,
    };
    let metadata = fs::metadata(path).map_err(io_error)?;
    check_metadata(path, &metadata)?;
    let file = File::open(path).map_err(io_error)?;
    // The path may have been replaced between the two looks; what was opened is what counts.
    let opened = file.metadata().map_err(io_error)?;
    check_metadata(path, &opened)?;
    let capacity = usize::try_from(opened.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge {
            bytes: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

fn check_metadata(path: &Path, metadata: &fs::Metadata) -> Result<(), DocumentError> {
    if !metadata.is_file() {
        return Err(DocumentError::NotAFile {
            path: path.to_owned(),
        });
    }
    if metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge {
            bytes: metadata.len(),
        });
    }
    if metadata.len() == 0 {
        return Err(DocumentError::Empty);
    }
    Ok(())
}

/// A document written by [`save_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDocument {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its type by its first bytes (Mastercom sends ZIP files), if an accepted one.
    pub document_type: Option<DocumentType>,
    /// The file name the server gave it (`<item>.zip`); informational only, never used as a
    /// path.
    pub server_filename: Option<String>,
}

/// Writes the document of a `get*Doc` response to `path`, replacing any file there. The
/// base64 is decoded 64 KiB at a time into a temporary file in `path`'s folder, which is
/// renamed to `path` only when everything decoded and was flushed to disk; on any error the
/// temporary file is removed and `path` is left as it was.
pub fn save_document(
    response: &types::DocumentResponseStructure,
    path: impl AsRef<Path>,
) -> Result<SavedDocument, DocumentError> {
    let path = path.as_ref();
    let attachment = response
        .file_attachment
        .as_ref()
        .ok_or(DocumentError::NoDocument)?;
    let text = attachment
        .file
        .as_deref()
        .ok_or(DocumentError::NoDocument)?;
    let (temp_path, file) = temporary_beside(path)?;
    let written = write_decoded(text.as_bytes(), file, &temp_path);
    let bytes = match written {
        Ok(bytes) => bytes,
        Err(error) => {
            // Best effort: the error being reported matters more than a failed cleanup.
            let _ = fs::remove_file(&temp_path);
            return Err(error);
        }
    };
    if let Err(source) = fs::rename(&temp_path, path) {
        let _ = fs::remove_file(&temp_path);
        return Err(DocumentError::Io {
            path: path.to_owned(),
            source,
        });
    }
    let mut head = [0u8; 8];
    let head_len = decode_head(text.as_bytes(), &mut head);
    Ok(SavedDocument {
        path: path.to_owned(),
        bytes,
        document_type: DocumentType::detect(&head[..head_len]),
        server_filename: attachment.filename.clone(),
    })
}

/// Decodes `text` into `file` and flushes it to disk.
fn write_decoded(text: &[u8], file: File, temp_path: &Path) -> Result<u64, DocumentError> {
    let io_error = |source| DocumentError::Io {
        path: temp_path.to_owned(),
        source,
    };
    let mut writer = io::BufWriter::with_capacity(DECODE_PIECE, file);
    let bytes = decode_in_pieces(text, DECODE_PIECE, |piece| writer.write_all(piece))
        .map_err(DocumentError::Base64)?
        .map_err(io_error)?;
    let file = writer
        .into_inner()
        .map_err(|error| io_error(error.into_error()))?;
    file.sync_all().map_err(io_error)?;
    Ok(bytes)
}

/// The first decoded bytes of `text` (up to `head.len()`, a multiple of 3), for type detection.
fn decode_head(text: &[u8], head: &mut [u8]) -> usize {
    let prefix = &text[..text.len().min(head.len() / 3 * 4)];
    let mut len = 0;
    let decoded = decode_in_pieces(prefix, prefix.len().max(4), |piece| {
        let take = piece.len().min(head.len());
        head[..take].copy_from_slice(&piece[..take]);
        len = take;
        Ok::<(), ()>(())
    });
    if matches!(decoded, Ok(Ok(_))) { len } else { 0 }
}

/// A new, empty file in `path`'s folder with a name no other writer uses.
fn temporary_beside(path: &Path) -> Result<(PathBuf, File), DocumentError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let stem = path
        .file_name()
        .and_then(|name| name.to_str())
        .ok_or_else(|| DocumentError::NoFilename {
            path: path.to_owned(),
        })?;
    let mut attempt = 0u32;
    loop {
        let mut random = [0u8; 8];
        // openssl's CSPRNG; a failure only makes a name collision (handled below) likelier.
        let _ = openssl::rand::rand_bytes(&mut random);
        let candidate = folder.join(format!(
            ".{stem}.{}.{:016x}.part",
            std::process::id(),
            u64::from_le_bytes(random)
        ));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 8 => {
                attempt += 1;
            }
            Err(source) => {
                return Err(DocumentError::Io {
                    path: candidate,
                    source,
                });
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_apart_by_their_first_bytes() {
        assert_eq!(
            DocumentType::detect(b"PK\x03\x04rest"),
            Some(DocumentType::Zip)
        );
        assert_eq!(
            DocumentType::detect(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(DocumentType::Jpeg)
        );
        assert_eq!(DocumentType::detect(b"II*\0...."), Some(DocumentType::Tiff));
        assert_eq!(DocumentType::detect(b"MM\0*...."), Some(DocumentType::Tiff));
        assert_eq!(DocumentType::detect(b"%PDF-1.7"), Some(DocumentType::Pdf));
        assert_eq!(DocumentType::detect(b"GIF89a"), None);
        assert_eq!(DocumentType::detect(b""), None);
        assert_eq!(
            DocumentType::from_filename("a.JPEG"),
            Some(DocumentType::Jpeg)
        );
        assert_eq!(
            DocumentType::from_filename("a.tif"),
            Some(DocumentType::Tiff)
        );
        assert_eq!(DocumentType::from_filename("pdf"), None);
    }

    #[test]
    fn the_size_limit_is_the_raw_size_of_the_longest_base64() {
        assert_eq!(MAX_DOCUMENT_BYTES, 16_500_000);
        assert_eq!(MAX_DOCUMENT_BYTES.div_ceil(3) * 4, MAX_BASE64_CHARS);
    }

    #[test]
    fn the_head_of_a_base64_text_is_decoded_for_detection() {
        let text = openssl::base64::encode_block(b"%PDF-1.7 and more");
        let mut head = [0u8; 8];
        let len = decode_head(text.as_bytes(), &mut head);
        assert_eq!(&head[..len], b"%PDF-1");
        assert_eq!(DocumentType::detect(&head[..len]), Some(DocumentType::Pdf));
    }
}
