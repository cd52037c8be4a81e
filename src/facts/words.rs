//! Literal words looked for in shell text, the first question several
//! facts ask of every script of every job: one substring search per word
//! (`memchr::memmem`, whose vectorised prefilter skips most of the text),
//! which on the texts of `run:` steps and scripts costs less than one
//! automaton pass over every byte.

use memchr::memmem::Finder;

/// Whether a text contains any of a fixed list of words.
pub struct AnyWord(Vec<Finder<'static>>);

impl AnyWord {
    pub fn new(words: &[&'static str]) -> Self {
        Self(words.iter().map(|&word| Finder::new(word)).collect())
    }

    /// Whether `text` contains one of the words.
    pub fn in_text(&self, text: &str) -> bool {
        self.0
            .iter()
            .any(|word| word.find(text.as_bytes()).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_any_word_anywhere() {
        let words = AnyWord::new(&["gem push", "publish"]);
        assert!(words.in_text("bundle exec gem push pkg/*.gem"));
        assert!(words.in_text("npm publish"));
        assert!(words.in_text("republished"));
        assert!(!words.in_text("gem  push"));
        assert!(!words.in_text(""));
    }
}
