//! The framing both input formats use after their header (a flight's
//! chunks, `tls_params`'s strings): sections, each a big-endian u16 length
//! and that many bytes. A cut-off last section keeps what is there, and a
//! lone trailing byte is one empty section, so every input parses.

/// The sections of `input`, in order.
pub fn split(mut input: &[u8]) -> Vec<&[u8]> {
    let mut sections = Vec::new();
    while !input.is_empty() {
        let len = match input {
            [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
            _ => 0,
        };
        let body = &input[input.len().min(2)..];
        let take = len.min(body.len());
        sections.push(&body[..take]);
        input = &body[take..];
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn sections_cut_off_and_trailing_byte() {
        assert_eq!(split(&[]), Vec::<&[u8]>::new());
        assert_eq!(split(&[0, 2, 7, 8, 0, 0]), vec![&[7u8, 8][..], &[][..]]);
        // Declared 5, 1 there: keeps the 1.
        assert_eq!(split(&[0, 5, 9]), vec![&[9u8][..]]);
        // A lone length byte: one empty section.
        assert_eq!(split(&[0, 1, 3, 4]), vec![&[3u8][..], &[][..]]);
    }
}
