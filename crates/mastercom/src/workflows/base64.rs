//! Strict standard base64 (RFC 4648 §4, padded), decoded a piece at a time so a large
//! document never exists decoded in memory beside its encoded form.

/// Where and why a base64 text is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    /// A character outside the alphabet (or padding before the end) at this offset.
    #[error("character {offset} is not base64")]
    InvalidCharacter {
        /// Offset of the character in the text.
        offset: usize,
    },
    /// The text's length is not a multiple of 4.
    #[error("a base64 text of {len} characters is not a whole number of 4-character groups")]
    Length {
        /// The text's length.
        len: usize,
    },
}

fn value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `text` in pieces of at most `piece` characters (rounded down to a multiple of 4),
/// handing each decoded piece to `sink`. The whole text is checked before the last piece is
/// handed over only as far as it was read: a caller writing the pieces somewhere must discard
/// them when this returns an error.
pub(crate) fn decode_in_pieces<E>(
    text: &[u8],
    piece: usize,
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<Result<u64, E>, Base64Error> {
    if !text.len().is_multiple_of(4) {
        return Err(Base64Error::Length { len: text.len() });
    }
    let piece = (piece / 4).max(1) * 4;
    let mut out = Vec::with_capacity(piece / 4 * 3);
    let mut written = 0u64;
    for (index, chunk) in text.chunks(piece).enumerate() {
        out.clear();
        let base = index * piece;
        for (group_index, group) in chunk.chunks(4).enumerate() {
            let at = base + group_index * 4;
            let last = at + 4 == text.len();
            decode_group(group, at, last, &mut out)?;
        }
        if let Err(error) = sink(&out) {
            return Ok(Err(error));
        }
        written += out.len() as u64;
    }
    Ok(Ok(written))
}

/// One 4-character group; `=` is accepted only in the last group, as its last one or two
/// characters.
fn decode_group(group: &[u8], at: usize, last: bool, out: &mut Vec<u8>) -> Result<(), Base64Error> {
    let padding = if last {
        group.iter().rev().take_while(|&&b| b == b'=').count()
    } else {
        0
    };
    if padding > 2 {
        return Err(Base64Error::InvalidCharacter {
            offset: at + 4 - padding,
        });
    }
    let mut sextets = [0u8; 4];
    for (i, &byte) in group.iter().enumerate().take(4 - padding) {
        sextets[i] = value(byte).ok_or(Base64Error::InvalidCharacter { offset: at + i })?;
    }
    let bits = u32::from(sextets[0]) << 18
        | u32::from(sextets[1]) << 12
        | u32::from(sextets[2]) << 6
        | u32::from(sextets[3]);
    let bytes = bits.to_be_bytes();
    out.extend_from_slice(&bytes[1..4 - padding]);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn decode(text: &str, piece: usize) -> Result<Vec<u8>, Base64Error> {
        let mut all = Vec::new();
        decode_in_pieces(text.as_bytes(), piece, |bytes| {
            all.extend_from_slice(bytes);
            Ok::<(), ()>(())
        })?
        .unwrap();
        Ok(all)
    }

    #[test]
    fn decodes_what_openssl_encodes_at_any_piece_size() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = openssl::base64::encode_block(&data);
            for piece in [1, 4, 7, 8, 64] {
                assert_eq!(
                    decode(&text, piece).unwrap(),
                    data,
                    "len {len} piece {piece}"
                );
            }
        }
    }

    #[test]
    fn refuses_bad_characters_misplaced_padding_and_ragged_lengths() {
        assert_eq!(decode("QUJD", 4).unwrap(), b"ABC");
        assert_eq!(
            decode("QU=D", 4),
            Err(Base64Error::InvalidCharacter { offset: 2 })
        );
        assert_eq!(
            decode("QQ==QUJD", 8),
            Err(Base64Error::InvalidCharacter { offset: 2 })
        );
        assert_eq!(
            decode("Q===", 4),
            Err(Base64Error::InvalidCharacter { offset: 1 })
        );
        assert_eq!(decode("QUJ", 4), Err(Base64Error::Length { len: 3 }));
        assert_eq!(
            decode("QU\nJ", 4),
            Err(Base64Error::InvalidCharacter { offset: 2 })
        );
    }
}
