//! The YAML layer: the only code that talks to the YAML parser. It turns a
//! workflow's text into a tree of [`Node`]s where every key and value keeps
//! its byte span, resolves aliases under a fixed expansion budget, and keeps
//! the comments so that rules can read `# v4.2.2` after a `uses:` value and
//! `# tplint: ignore[...]` suppressions (a lint run asks the parser for
//! them only in files that name `tplint:`, see [`Comments`]).
//!
//! Tags (`!reference [job, script]` in GitLab CI) are kept on the node as
//! written; GitHub workflows ignore them. [`parse`] reads the first document
//! of a file (as GitHub does), [`parse_documents`] every document (a GitLab
//! CI file may start with a `spec:` header document).
//!
//! Limits, so that no file can make tplint hang or use unbounded memory:
//! [`MAX_FILE_BYTES`] of input, [`MAX_NESTING`] levels of collections, and
//! [`ALIAS_NODE_BUDGET`] nodes created by alias expansion.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use granit_parser::{Event, Options, Parser, Placement, ScalarStyle, ScanError, StructureStyle};

use crate::source::Span;

/// Largest workflow file read, in bytes (4 MiB). Real workflows are under 100 KiB.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of mappings and sequences accepted.
pub const MAX_NESTING: usize = 128;
/// Most nodes that alias expansion may add to one document: a "billion laughs"
/// file stops here instead of exhausting memory.
pub const ALIAS_NODE_BUDGET: usize = 100_000;

/// How a scalar was written, which decides how plain values are interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Plain,
    Quoted,
    Block,
}

/// A node's content. Collections are shared, not copied, when a node is
/// cloned: every anchored node is kept for its aliases, and deep copies of
/// nested anchors would cost the square of the file's size in memory.
#[derive(Clone, Debug)]
pub enum Value {
    Scalar { text: String, kind: ScalarKind },
    Sequence(Arc<Vec<Node>>),
    Mapping(Arc<Vec<Entry>>),
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// A YAML node with the span of its source text.
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Whether the node came from expanding an alias (its span is then the
    /// anchored original).
    pub from_alias: bool,
    /// The node's tag as written (`!reference`), when it has one.
    pub tag: Option<String>,
}

impl Node {
    /// The scalar's text, if this node is a scalar (including empty/null ones).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// YAML null: `~`, `null`, or nothing at all, written plain.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, kind: ScalarKind::Plain }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value of the first entry whose key is `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?
            .iter()
            .find(|e| e.key.as_str() == Some(key))
    }

    /// A short name of the node's type for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Sequence(_) => "a sequence",
            Value::Mapping(_) => "a mapping",
        }
    }

    /// The span of `part`, a byte range of this scalar's text, when the
    /// source spells the text literally (plain, or quoted without escapes);
    /// otherwise the whole node's span.
    pub fn sub_span(&self, source: &str, part: std::ops::Range<usize>) -> Span {
        let Some(text) = self.as_str() else {
            return self.span;
        };
        let Some(raw) = source.get(self.span.range()) else {
            return self.span;
        };
        let inner_start = match raw.as_bytes().first() {
            Some(b'"' | b'\'') => 1,
            _ => 0,
        };
        match raw.get(inner_start..inner_start + text.len()) {
            Some(spelled) if spelled == text && part.end <= text.len() => Span::new(
                self.span.start + inner_start + part.start,
                self.span.start + inner_start + part.end,
            ),
            _ => self.span,
        }
    }
}

/// A comment and where it sits.
#[derive(Clone, Debug)]
pub struct Comment {
    /// Text after `#`.
    pub text: String,
    /// Covers `#` to the end of the line.
    pub span: Span,
    /// True when the comment follows content on the same line.
    pub trailing: bool,
}

/// A parsed YAML document.
#[derive(Debug)]
pub struct Document {
    /// `None` for an empty file.
    pub root: Option<Node>,
    /// All comments, in source order, when they were read (see
    /// [`Comments`]); none otherwise.
    pub comments: Vec<Comment>,
    /// Whether `comments` are all the text's comments.
    all_comments: bool,
    /// Otherwise, the comments once a value's trailing comment needed the
    /// parser to tell them (rare: other text follows the value on its line).
    parsed_comments: OnceLock<Vec<Comment>>,
}

impl Document {
    /// The comment that follows `span` on the same line, e.g. `# v4.2.2` after
    /// a `uses:` value, whether or not the parse kept the comments.
    pub fn trailing_comment(&self, source: &str, span: Span) -> Option<Comment> {
        if !self.all_comments {
            match comment_after(source, span.end) {
                Some(found) => return found,
                // Other text after the value on its line: the parser knows
                // what in it is a comment.
                None => {
                    let comments = self.parsed_comments.get_or_init(|| {
                        parse_stream(source, false, Comments::Keep)
                            .map(|(_, comments)| comments)
                            .unwrap_or_default()
                    });
                    return first_on_line(comments, source, span).cloned();
                }
            }
        }
        first_on_line(&self.comments, source, span).cloned()
    }
}

fn first_on_line<'c>(comments: &'c [Comment], source: &str, span: Span) -> Option<&'c Comment> {
    let index = comments.partition_point(|c| c.span.start < span.end);
    let comment = comments.get(index)?;
    let between = source.get(span.end..comment.span.start)?;
    (!between.contains('\n')).then_some(comment)
}

/// The comment on the rest of the line from `end`, read from the text
/// where that needs no parser: `Some(None)` when the line holds only
/// blanks after `end`, `Some(Some(comment))` when blanks then `#` follow
/// (a `#` after white space outside a scalar always starts a comment),
/// `None` when anything else does.
fn comment_after(source: &str, end: usize) -> Option<Option<Comment>> {
    let rest = source.get(end..)?;
    let line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let text = line.trim_start_matches([' ', '\t']);
    if text.is_empty() {
        return Some(None);
    }
    let blanks = line.len() - text.len();
    let payload = text.strip_prefix('#').filter(|_| blanks > 0)?;
    if payload.contains('\r') {
        return None;
    }
    let start = end + blanks;
    Some(Some(Comment {
        text: payload.to_string(),
        span: Span::new(start, start + text.len()),
        trailing: true,
    }))
}

/// Why a file could not be read as YAML.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub span: Span,
}

impl YamlError {
    fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
        }
    }
}

/// Decode a file's bytes as UTF-8 (a BOM is allowed) without copying them.
/// On failure the error points at the first bad byte, and the text is a lossy
/// decoding so the snippet can still be shown.
pub fn decode(bytes: Vec<u8>) -> Result<String, (YamlError, String)> {
    if bytes.len() > MAX_FILE_BYTES {
        let error = YamlError::new(
            format!(
                "file is {} bytes, more than the {} MiB limit for a workflow file",
                bytes.len(),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            Span::empty(0),
        );
        return Err((error, String::new()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        // An empty span: the bad bytes become one U+FFFD of another length in
        // the lossy text, so an end offset after them would fall inside it.
        let error = YamlError::new(
            format!(
                "file is not valid UTF-8 (invalid byte 0x{:02x})",
                bytes.get(at).copied().unwrap_or_default()
            ),
            Span::empty(at),
        );
        (error, String::from_utf8_lossy(&bytes).into_owned())
    })
}

/// Parse one YAML document (GitHub reads only one per workflow file).
pub fn parse(source: &str) -> Result<Document, YamlError> {
    parse_first(source, Comments::Keep)
}

/// Every document of a file, in order (an empty file has none), and all
/// its comments. Anchors are local to their document, as YAML says.
pub fn parse_documents(source: &str) -> Result<Documents, YamlError> {
    parse_all(source, Comments::Keep)
}

/// Whether a parse keeps the comments. Reading them is about a tenth of
/// the parser's work; a reader that looks only at the values (checking a
/// fix's result) skips them, and gets the same nodes with no comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    Keep,
    /// Only when the text names `tplint:`, as a suppression does: a lint
    /// run reads no other comment but the one after a value, which
    /// [`Document::trailing_comment`] finds either way.
    Suppressions,
    Skip,
}

/// Text that a suppression comment holds.
const SUPPRESSION_MARK: &str = "tplint:";

/// [`parse`], keeping the comments or not.
pub fn parse_first(source: &str, comments: Comments) -> Result<Document, YamlError> {
    let all_comments = reads_comments(source, comments);
    let (mut roots, comments) = parse_stream(source, false, comments)?;
    Ok(Document {
        root: roots.pop().flatten(),
        comments,
        all_comments,
        parsed_comments: OnceLock::new(),
    })
}

/// [`parse_documents`], keeping the comments or not.
pub fn parse_all(source: &str, comments: Comments) -> Result<Documents, YamlError> {
    let (roots, comments) = parse_stream(source, true, comments)?;
    Ok(Documents { roots, comments })
}

/// The documents of a multi-document file.
#[derive(Debug)]
pub struct Documents {
    /// One root per document (`None` for an empty document).
    pub roots: Vec<Option<Node>>,
    /// All comments, in source order.
    pub comments: Vec<Comment>,
}

type Roots = (Vec<Option<Node>>, Vec<Comment>);

fn parse_stream(source: &str, all: bool, comments: Comments) -> Result<Roots, YamlError> {
    if source.len() > MAX_FILE_BYTES {
        return Err(YamlError::new(
            format!(
                "file is larger than the {} MiB limit for a workflow file",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            Span::empty(0),
        ));
    }
    let mut options = Options::default();
    options.block_nesting_limit = MAX_NESTING;
    options.flow_nesting_limit = MAX_NESTING;
    options.emit_comments = reads_comments(source, comments);
    let mut builder = Builder::default();
    for event in Parser::new_from_str_with_options(source, options) {
        let (event, span) = event.map_err(|e| scan_error(source, &e))?;
        let span = span
            .byte_range()
            .map(|r| Span::new(r.start, r.end))
            .unwrap_or_default();
        builder.event(event, span)?;
        if builder.finished_document {
            builder.roots.push(builder.root.take());
            builder.anchors.clear();
            builder.finished_document = false;
            if !all {
                break;
            }
        }
    }
    if builder.root.is_some() {
        builder.roots.push(builder.root.take());
    }
    Ok((builder.roots, builder.comments))
}

fn reads_comments(source: &str, comments: Comments) -> bool {
    match comments {
        Comments::Keep => true,
        Comments::Suppressions => {
            memchr::memmem::find(source.as_bytes(), SUPPRESSION_MARK.as_bytes()).is_some()
        }
        Comments::Skip => false,
    }
}

fn scan_error(source: &str, error: &ScanError) -> YamlError {
    let marker = error.marker();
    let offset = marker
        .byte_offset()
        .unwrap_or_else(|| {
            source
                .char_indices()
                .nth(marker.index())
                .map_or(source.len(), |(i, _)| i)
        })
        .min(source.len());
    let message = match error.info() {
        info if info.contains("nesting") || info.contains("recursion") => {
            format!("{info} (tplint reads at most {MAX_NESTING} nested levels)")
        }
        info => info,
    };
    YamlError::new(message, Span::empty(offset))
}

enum Frame {
    Sequence {
        start: Span,
        flow: bool,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Mapping {
        start: Span,
        flow: bool,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<Entry>,
        pending_key: Option<Node>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    /// Roots of the documents read so far.
    roots: Vec<Option<Node>>,
    comments: Vec<Comment>,
    alias_nodes: usize,
    finished_document: bool,
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar { .. } => 0,
        Value::Sequence(items) => items.iter().map(count_nodes).sum(),
        Value::Mapping(entries) => entries
            .iter()
            .map(|e| count_nodes(&e.key) + count_nodes(&e.value))
            .sum(),
    }
}

fn mark_alias(node: &mut Node) {
    node.from_alias = true;
    match &mut node.value {
        Value::Scalar { .. } => {}
        // Copies the shared collections; the alias budget bounds the work.
        Value::Sequence(items) => Arc::make_mut(items).iter_mut().for_each(mark_alias),
        Value::Mapping(entries) => Arc::make_mut(entries).iter_mut().for_each(|e| {
            mark_alias(&mut e.key);
            mark_alias(&mut e.value);
        }),
    }
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(..) => {}
            Event::DocumentEnd => self.finished_document = true,
            Event::Comment(text, placement) => self.comments.push(Comment {
                text: text.into_owned(),
                span,
                trailing: placement == Placement::Right,
            }),
            Event::Anchor(..) => {}
            Event::Alias(id) => {
                let Some(original) = self.anchors.get(&id) else {
                    return Err(YamlError::new("alias refers to an unknown anchor", span));
                };
                self.alias_nodes += count_nodes(original);
                if self.alias_nodes > ALIAS_NODE_BUDGET {
                    return Err(YamlError::new(
                        format!(
                            "aliases expand to more than {ALIAS_NODE_BUDGET} nodes (possible alias bomb)"
                        ),
                        span,
                    ));
                }
                let mut node = original.clone();
                mark_alias(&mut node);
                self.push_node(node, 0)?;
            }
            Event::UnresolvedAlias(_) => {
                return Err(YamlError::new("alias refers to an unknown anchor", span));
            }
            Event::Scalar(text, style, anchor, tag) => {
                let kind = match style {
                    ScalarStyle::Plain => ScalarKind::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => ScalarKind::Quoted,
                    _ => ScalarKind::Block,
                };
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        kind,
                    },
                    span,
                    from_alias: false,
                    tag: tag.map(|t| tag_text(&t)),
                };
                self.push_node(node, anchor)?;
            }
            Event::SequenceStart(style, anchor, tag) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Sequence {
                    start: span,
                    flow: style == StructureStyle::Flow,
                    anchor,
                    tag: tag.map(|t| tag_text(&t)),
                    items: Vec::new(),
                });
            }
            Event::MappingStart(style, anchor, tag) => {
                self.check_depth(span)?;
                self.stack.push(Frame::Mapping {
                    start: span,
                    flow: style == StructureStyle::Flow,
                    anchor,
                    tag: tag.map(|t| tag_text(&t)),
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(YamlError::new("unbalanced collection end", span));
                };
                let (node, anchor) = match frame {
                    Frame::Sequence {
                        start,
                        flow,
                        anchor,
                        tag,
                        items,
                    } => {
                        let end = collection_end(flow, span, items.last().map(|n| n.span));
                        (
                            Node {
                                value: Value::Sequence(Arc::new(items)),
                                span: Span::new(start.start, end.max(start.end)),
                                from_alias: false,
                                tag,
                            },
                            anchor,
                        )
                    }
                    Frame::Mapping {
                        start,
                        flow,
                        anchor,
                        tag,
                        entries,
                        ..
                    } => {
                        let end = collection_end(flow, span, entries.last().map(|e| e.value.span));
                        (
                            Node {
                                value: Value::Mapping(Arc::new(entries)),
                                span: Span::new(start.start, end.max(start.end)),
                                from_alias: false,
                                tag,
                            },
                            anchor,
                        )
                    }
                };
                self.push_node(node, anchor)?;
            }
            // `Event` is non-exhaustive: later parser versions may add
            // presentation events that carry no data we read.
            _ => {}
        }
        Ok(())
    }

    fn check_depth(&self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_NESTING {
            return Err(YamlError::new(
                format!("nesting deeper than {MAX_NESTING} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
        Ok(())
    }
}

/// A tag as written: its handle before `%TAG` resolution, then its suffix.
fn tag_text(tag: &granit_parser::Tag) -> String {
    format!("{}{}", tag.original_handle(), tag.suffix())
}

fn collection_end(flow: bool, end_event: Span, last_child: Option<Span>) -> usize {
    if flow {
        end_event.end
    } else {
        last_child.map_or(end_event.start, |s| s.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(src: &str) -> Node {
        parse(src).unwrap().root.unwrap()
    }

    #[test]
    fn keys_and_values_carry_byte_spans() {
        let src = "on: push\njobs:\n  build:\n    \"runs-on\": 'ubuntu-latest'\n";
        let doc = root(src);
        let jobs = doc.entry("jobs").unwrap();
        assert_eq!(&src[jobs.key.span.range()], "jobs");
        let runs_on = doc
            .get("jobs")
            .unwrap()
            .get("build")
            .unwrap()
            .entry("runs-on");
        let runs_on = runs_on.unwrap();
        assert_eq!(&src[runs_on.key.span.range()], "\"runs-on\"");
        assert_eq!(&src[runs_on.value.span.range()], "'ubuntu-latest'");
        assert_eq!(runs_on.value.as_str(), Some("ubuntu-latest"));
    }

    #[test]
    fn yaml_1_2_scalars_stay_text() {
        let doc = root("on: push\nv: 3.10\nyes: no\n");
        assert_eq!(doc.get("v").unwrap().as_str(), Some("3.10"));
        assert!(doc.get("on").is_some());
        assert_eq!(doc.get("yes").unwrap().as_str(), Some("no"));
    }

    #[test]
    fn sub_span_points_inside_plain_and_quoted_scalars() {
        let src = "a: actions/checkout@v4\nb: \"x/y@v1\"\nc: \"a\\u0041@v1\"\n";
        let doc = root(src);
        let a = doc.get("a").unwrap();
        assert_eq!(&src[a.sub_span(src, 16..19).range()], "@v4");
        let b = doc.get("b").unwrap();
        assert_eq!(&src[b.sub_span(src, 3..6).range()], "@v1");
        // escapes: falls back to the whole value
        let c = doc.get("c").unwrap();
        assert_eq!(c.sub_span(src, 0..1), c.span);
    }

    #[test]
    fn flow_sequence_closed_at_key_indentation_parses() {
        let src = "jobs:\n  t:\n    strategy:\n      matrix:\n        os: [\n          \"ubuntu-latest\",\n        ]\n";
        let doc = root(src);
        let os = doc
            .get("jobs")
            .unwrap()
            .get("t")
            .unwrap()
            .get("strategy")
            .unwrap();
        let os = os.get("matrix").unwrap().get("os").unwrap();
        assert_eq!(os.as_sequence().unwrap().len(), 1);
    }

    #[test]
    fn aliases_expand_and_are_marked() {
        let doc = root("a: &x {k: v}\nb: *x\n");
        let b = doc.get("b").unwrap();
        assert!(b.from_alias);
        assert_eq!(b.get("k").unwrap().as_str(), Some("v"));
    }

    #[test]
    fn marking_an_alias_leaves_the_shared_original_alone() {
        let doc = root("a: &x {k: [v]}\nb: *x\n");
        let a = doc.get("a").unwrap();
        let b = doc.get("b").unwrap();
        assert!(!a.from_alias && !a.get("k").unwrap().from_alias);
        assert!(b.get("k").unwrap().as_sequence().unwrap()[0].from_alias);
        assert!(!a.get("k").unwrap().as_sequence().unwrap()[0].from_alias);
    }

    #[test]
    fn nested_anchors_over_a_large_sequence_are_cheap() {
        // Each anchor used to keep a deep copy of everything inside it: a
        // 4 MiB file of nested anchors needed tens of gigabytes.
        let mut src = format!("[{}]", vec!["x"; 50_000].join(","));
        for i in 0..MAX_NESTING - 2 {
            src = format!("&a{i} [{src}]");
        }
        let doc = root(&format!("x: {src}\n"));
        assert!(doc.get("x").is_some());
    }

    #[test]
    fn alias_bomb_is_stopped_by_the_budget() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let err = parse(&src).unwrap_err();
        assert!(err.message.contains("alias"), "{}", err.message);
        assert!(err.span.start > 0);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let src = "[".repeat(100_000);
        assert!(parse(&src).is_err());
        let mut block = String::new();
        for depth in 0..10_000 {
            block.push_str(&" ".repeat(depth));
            block.push_str("k:\n");
        }
        assert!(parse(&block).is_err());
    }

    #[test]
    fn syntax_errors_are_located() {
        let src = "on: push\njobs:\n  build: [\n";
        let err = parse(src).unwrap_err();
        assert!(err.span.start >= 16, "{:?}", err);
    }

    #[test]
    fn invalid_utf8_is_located_at_the_first_bad_byte() {
        let (err, lossy) = decode(b"on: push\n\xff\n".to_vec()).unwrap_err();
        assert_eq!(err.span, Span::empty(9));
        assert!(lossy.is_char_boundary(err.span.end));
        assert!(lossy.starts_with("on: push"));
    }

    #[test]
    fn trailing_comment_is_found_on_the_same_line_only() {
        let src = "uses: a/b@0123 # v1.2.3\nnext: x\n# own line\n";
        let doc = parse(src).unwrap();
        let root = doc.root.as_ref().unwrap();
        let uses = root.get("uses").unwrap();
        let comment = doc.trailing_comment(src, uses.span).unwrap();
        assert_eq!(comment.text.trim(), "v1.2.3");
        let next = root.get("next").unwrap();
        assert!(doc.trailing_comment(src, next.span).is_none());
    }

    #[test]
    fn tags_are_kept_with_their_node() {
        let src = "script:\n  - !reference [.setup, script]\n  - echo hi\nv: !!str 3\n";
        let doc = root(src);
        let items = doc.get("script").unwrap().as_sequence().unwrap();
        assert_eq!(items[0].tag.as_deref(), Some("!reference"));
        let words: Vec<_> = items[0]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(words, [".setup", "script"]);
        assert!(src[items[0].span.range()].ends_with("[.setup, script]"));
        assert_eq!(items[1].tag, None);
        assert_eq!(doc.get("v").unwrap().tag.as_deref(), Some("!!str"));
    }

    #[test]
    fn every_document_is_read_by_parse_documents_only() {
        let src = "spec:\n  inputs: {}\n---\nbuild:\n  script: x\n";
        let docs = parse_documents(src).unwrap();
        assert_eq!(docs.roots.len(), 2);
        let second = docs.roots[1].as_ref().unwrap();
        assert_eq!(
            &src[second.entry("build").unwrap().key.span.range()],
            "build"
        );
        assert!(parse(src).unwrap().root.unwrap().get("spec").is_some());
        assert!(parse_documents("").unwrap().roots.is_empty());
    }

    #[test]
    fn skipping_comments_keeps_the_same_nodes() {
        let src =
            "# head\non: push # trailing\njobs:\n  # own line\n  a: {b: [c, 'd # e']}\n---\nf: g\n";
        let kept = parse_documents(src).unwrap();
        let skipped = parse_all(src, Comments::Skip).unwrap();
        assert_eq!(kept.comments.len(), 3);
        assert!(skipped.comments.is_empty());
        assert_eq!(format!("{:?}", kept.roots), format!("{:?}", skipped.roots));
    }

    #[test]
    fn trailing_comments_are_the_same_without_the_parsers_comments() {
        let sources = [
            "uses: a/b@0123 # v1.2.3\nnext: x\n# own line\n",
            "uses: a/b@0123   #v1 \t\r\nnext: x #y\r\n",
            "uses: 'a/b@0123'\t# v1\n",
            "s: [a, b] # c\nm: {k: v, w: \"x # y\"} # z\n",
            "k: |\n  text # not a comment\n# after\nl: v # c\r\n",
            "- a # one\n- b\n  # two\n- c#d # three\n",
            "k: v # a\rb: c\n",
        ];
        for src in sources {
            let kept = parse(src).unwrap();
            let read = parse_first(src, Comments::Suppressions).unwrap();
            assert!(read.comments.is_empty());
            let mut nodes = vec![kept.root.as_ref().unwrap()];
            while let Some(node) = nodes.pop() {
                let comment = |d: &Document| {
                    d.trailing_comment(src, node.span)
                        .map(|c| (c.text.to_string(), c.span))
                };
                assert_eq!(comment(&kept), comment(&read), "{src:?} {:?}", node.span);
                match &node.value {
                    Value::Scalar { .. } => {}
                    Value::Sequence(items) => nodes.extend(items.iter()),
                    Value::Mapping(entries) => {
                        nodes.extend(entries.iter().flat_map(|e| [&e.key, &e.value]))
                    }
                }
            }
        }
        let glued = "k: \"a\"#b\n";
        assert_eq!(
            parse(glued).unwrap_err().message,
            parse_first(glued, Comments::Suppressions)
                .unwrap_err()
                .message
        );
        let suppressed = parse_first("a: b # tplint: ignore[TP501]\n", Comments::Suppressions);
        assert_eq!(suppressed.unwrap().comments.len(), 1);
    }

    #[test]
    fn anchors_do_not_cross_documents() {
        assert!(parse_documents("a: &x 1\n---\nb: *x\n").is_err());
    }
}
