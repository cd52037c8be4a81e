//! Fuzzes the configuration reader on arbitrary text, as a `tplint.toml`
//! or, when the first byte is odd, as a `pyproject.toml`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = if selector % 2 == 1 {
        "pyproject.toml"
    } else {
        "tplint.toml"
    };
    let mut sources = SourceMap::default();
    let _ = tplint::config::parse_text(path, text.to_string(), &mut sources);
});
