//! Conversions between tplint's byte offsets and paths and the protocol's
//! positions and URIs. Positions count UTF-16 code units unless the client
//! offered UTF-8 (negotiated at initialization).

use std::path::{Path, PathBuf};

use gen_lsp_types as lsp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// How a position's `character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The position of byte `offset` of `text` (clamped to the text, and to
/// the start of a character it falls inside).
pub fn position(text: &str, offset: usize, encoding: Encoding) -> lsp::Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let character: usize = before[line_start..]
        .chars()
        .map(|c| encoding.width(c))
        .sum();
    lsp::Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}

pub fn range(text: &str, span: crate::source::Span, encoding: Encoding) -> lsp::Range {
    lsp::Range {
        start: position(text, span.start, encoding),
        end: position(text, span.end, encoding),
    }
}

/// The byte offset of a position; a position past the end of its line is
/// the line's end (before its line break), past the last line the text's end.
pub fn offset(text: &str, position: lsp::Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(at) => line_start += at + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |at| line_start + at);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let wanted = position.character as usize;
    let mut units = 0;
    for (at, c) in line.char_indices() {
        if units >= wanted {
            return line_start + at;
        }
        units += encoding.width(c);
    }
    line_start + line.len()
}

/// Characters kept as they are in a file URI's path.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `file:` URI of an absolute path.
pub fn file_uri(path: &Path) -> lsp::Uri {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        // A Windows path: `C:/x` is `file:///C:/x`.
        format!("/{text}")
    };
    lsp::Uri(format!("file://{}", utf8_percent_encode(&text, PATH)))
}

/// The path of a `file:` URI; `None` for other schemes.
pub fn uri_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.0.strip_prefix("file://")?;
    // `file://host/path`: only the local host is a path here.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let decoded = percent_decode_str(rest).decode_utf8().ok()?.into_owned();
    let bytes = decoded.as_bytes();
    let windows = bytes.len() >= 3 && bytes[2] == b':' && bytes[1].is_ascii_alphabetic();
    Some(PathBuf::from(if windows {
        decoded[1..].to_string()
    } else {
        decoded
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_bytes() {
        let text = "a: x\n# é😀 b\n";
        // Before `b`: `# é😀 ` is 6 UTF-16 units and 9 bytes.
        let at = text.find(" b").unwrap() + 1;
        let p16 = position(text, at, Encoding::Utf16);
        assert_eq!((p16.line, p16.character), (1, 6));
        let p8 = position(text, at, Encoding::Utf8);
        assert_eq!((p8.line, p8.character), (1, 9));
        assert_eq!(offset(text, p16, Encoding::Utf16), at);
        assert_eq!(offset(text, p8, Encoding::Utf8), at);
    }

    #[test]
    fn offsets_past_a_line_stop_at_its_end() {
        let text = "ab\r\ncd";
        let p = lsp::Position {
            line: 0,
            character: 40,
        };
        assert_eq!(offset(text, p, Encoding::Utf16), 2);
        let p = lsp::Position {
            line: 9,
            character: 0,
        };
        assert_eq!(offset(text, p, Encoding::Utf16), text.len());
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/a b/ç#.yml");
        let uri = file_uri(path);
        assert_eq!(uri.0, "file:///tmp/a%20b/%C3%A7%23.yml");
        assert_eq!(uri_path(&uri).unwrap(), path);
        assert_eq!(
            uri_path(&lsp::Uri("file:///C:/x/y.yml".into())).unwrap(),
            PathBuf::from("C:/x/y.yml")
        );
        assert!(uri_path(&lsp::Uri("untitled:1".into())).is_none());
    }
}
