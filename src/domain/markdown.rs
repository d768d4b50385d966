//! Markdown (CommonMark + GFM) rendered to sanitised HTML when a document is
//! written, never per request, plus the plain text that excerpts, word counts
//! and reading times are derived from.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Words a reader gets through in a minute, for `reading_time_minutes`.
const WORDS_PER_MINUTE: usize = 230;
/// Longest derived excerpt, in characters.
const EXCERPT_CHARS: usize = 280;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML: no scripts, no event handlers, no `javascript:` URLs.
    pub html: String,
    /// The first paragraph as plain text, shortened at a word boundary.
    pub excerpt: String,
    pub word_count: usize,
}

impl Rendered {
    pub fn reading_time_minutes(&self) -> usize {
        self.word_count.div_ceil(WORDS_PER_MINUTE).max(1)
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

pub fn render(markdown: &str) -> Rendered {
    let mut unsafe_html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    let html = ammonia::clean(&unsafe_html);

    let mut word_count = 0;
    let mut first_paragraph = String::new();
    let mut in_first_paragraph = false;
    let mut first_paragraph_done = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) if !first_paragraph_done => in_first_paragraph = true,
            Event::End(TagEnd::Paragraph) if in_first_paragraph => {
                in_first_paragraph = false;
                first_paragraph_done = true;
            }
            Event::Text(text) | Event::Code(text) => {
                word_count += text.split_whitespace().count();
                if in_first_paragraph {
                    first_paragraph.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak if in_first_paragraph => first_paragraph.push(' '),
            _ => {}
        }
    }
    Rendered { html, excerpt: shorten(&first_paragraph, EXCERPT_CHARS), word_count }
}

/// `text` with its whitespace collapsed, cut at the last word boundary that
/// fits in `max` characters (an ellipsis marks the cut).
pub fn shorten(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let mut out = String::new();
    for word in collapsed.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let trimmed = out.trim_end_matches([',', ';', ':', '.', '–', '-']);
    format!("{trimmed}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_gfm_and_derives_text_figures() {
        let rendered = render("First *words* here.\n\n> quoted line\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(rendered.html.contains("<em>words</em>"));
        assert!(rendered.html.contains("<blockquote>"));
        assert!(rendered.html.contains("<table>"));
        assert_eq!(rendered.excerpt, "First words here.");
        assert_eq!(rendered.word_count, 9, "3 in the paragraph, 2 quoted, 4 in the table");
        assert_eq!(rendered.reading_time_minutes(), 1);
    }

    #[test]
    fn scripts_and_javascript_urls_never_reach_the_html() {
        let rendered =
            render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert!(!rendered.html.contains("<script"), "{}", rendered.html);
        assert!(!rendered.html.contains("javascript:"), "{}", rendered.html);
        assert!(!rendered.html.contains("onerror"), "{}", rendered.html);
    }

    #[test]
    fn long_excerpts_are_cut_at_a_word() {
        let long = "word ".repeat(100);
        let excerpt = shorten(&long, 30);
        assert!(excerpt.chars().count() <= 30);
        assert!(excerpt.ends_with("word…"));
    }
}
