//! Fuzzes the splitting of `run:` scripts into commands: no panic on any
//! text, and every command's offset is a character boundary in the script.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else {
        return;
    };
    for command in tplint::facts::shell::commands(script) {
        assert!(script.is_char_boundary(command.offset), "{command:?}");
        assert!(command.offset < script.len().max(1), "{command:?}");
    }
});
