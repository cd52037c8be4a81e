//! Fuzzes the YAML layer: decoding arbitrary bytes and parsing the text into
//! a node tree. Every span it hands out must lie inside the text, on
//! character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplint::source::Span;
use tplint::yaml::{self, Node, Value};

fn check_span(text: &str, span: Span) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(text.get(span.range()).is_some(), "{span:?} in {} bytes", text.len());
}

fn check_node(text: &str, node: &Node) {
    check_span(text, node.span);
    match &node.value {
        Value::Scalar { .. } => {}
        Value::Sequence(items) => items.iter().for_each(|n| check_node(text, n)),
        Value::Mapping(entries) => entries.iter().for_each(|e| {
            check_node(text, &e.key);
            check_node(text, &e.value);
        }),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = match yaml::decode(data.to_vec()) {
        Ok(text) => text,
        Err((error, lossy)) => {
            // The error points at the bad bytes of the original input.
            assert!(error.span.end <= data.len(), "{error:?}");
            assert!(lossy.len() >= error.span.start);
            return;
        }
    };
    match yaml::parse(&text) {
        Ok(document) => {
            if let Some(root) = &document.root {
                check_node(&text, root);
            }
            for comment in &document.comments {
                check_span(&text, comment.span);
            }
        }
        Err(error) => check_span(&text, error.span),
    }
});
