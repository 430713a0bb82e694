//! The ZIP container Mastercom delivers documents in (`DocumentStructureResp`: "File Format is
//! ZIP", "the filename will have an extension of .zip"). Entries are stored uncompressed: the
//! documents are PDF/TIFF/JPG, which deflate would barely shrink, and storing keeps this a few
//! lines of framing instead of a compression dependency.

use super::ApiError;

/// CRC-32 (IEEE 802.3, reflected polynomial `0xEDB88320`), as ZIP requires, one table lookup
/// per byte.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| {
        CRC_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8)
    })
}

/// 1980-01-01 00:00 in MS-DOS form, the earliest ZIP can express: the sandbox keeps no time of
/// day per document.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// Version 2.0: what stored entries need.
const VERSION: u16 = 20;
/// General purpose flag bit 11: names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;

fn too_large() -> ApiError {
    ApiError::invalid(
        "DOCUMENT_TOO_LARGE",
        "the documents do not fit in a ZIP file without ZIP64",
    )
}

/// A ZIP archive holding `entries` (name, content) in order, uncompressed.
pub(super) fn archive(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = u32::try_from(out.len()).map_err(|_| too_large())?;
        let size = u32::try_from(data.len()).map_err(|_| too_large())?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_large())?;
        let crc = crc32(data);
        // Local file header.
        out.extend(0x0403_4b50u32.to_le_bytes());
        for field in [VERSION, UTF8_NAMES, 0, DOS_TIME, DOS_DATE] {
            out.extend(field.to_le_bytes());
        }
        for field in [crc, size, size] {
            out.extend(field.to_le_bytes());
        }
        out.extend(name_len.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(data);
        // Its central directory record.
        central.extend(0x0201_4b50u32.to_le_bytes());
        for field in [VERSION, VERSION, UTF8_NAMES, 0, DOS_TIME, DOS_DATE] {
            central.extend(field.to_le_bytes());
        }
        for field in [crc, size, size] {
            central.extend(field.to_le_bytes());
        }
        for field in [name_len, 0, 0, 0, 0] {
            central.extend(field.to_le_bytes());
        }
        central.extend(0u32.to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let count = u16::try_from(entries.len()).map_err(|_| too_large())?;
    let central_offset = u32::try_from(out.len()).map_err(|_| too_large())?;
    let central_size = u32::try_from(central.len()).map_err(|_| too_large())?;
    out.extend(central);
    // End of central directory.
    out.extend(0x0605_4b50u32.to_le_bytes());
    for field in [0u16, 0, count, count] {
        out.extend(field.to_le_bytes());
    }
    out.extend(central_size.to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        // The CRC-32 check value of the ASCII digits 1-9 (ISO-HDLC / ZIP).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
