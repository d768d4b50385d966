//! Markdown (CommonMark + GFM) rendered to sanitised HTML when a document is
//! written, never per request, plus the plain text that excerpts, word counts
//! and reading times are derived from.
//!
//! Sanitising takes time that grows with the square of how deeply elements
//! nest (48 KB of nested `>` quotes took seconds), so a body is refused
//! before it is sanitised when its elements, quotes, lists and raw HTML
//! alike, nest deeper than [`MAX_NESTING`]: no body then takes more than
//! milliseconds. Parsing and rendering are CPU work: callers in the server
//! run [`Markdown::parse`] off the async workers.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Invalid, text};

/// Words a reader gets through in a minute, for `reading_time_minutes`.
const WORDS_PER_MINUTE: usize = 230;
/// Longest derived excerpt, in characters.
const EXCERPT_CHARS: usize = 280;
/// Longest Markdown source, in bytes.
pub const MAX_BYTES: usize = 512 * 1024;
/// Deepest nesting of elements in the rendered HTML (a quote in a list in
/// a quote is six: `blockquote`, `ul`, `li`, …).
pub const MAX_NESTING: usize = 64;

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

/// A Markdown source that passed every check, and its rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown {
    source: String,
    rendered: Rendered,
}

impl Markdown {
    /// Checks `source` (size, characters, nesting) and renders it. CPU-bound:
    /// milliseconds for the largest body allowed.
    pub fn parse(source: &str) -> Result<Self, Invalid> {
        if source.len() > MAX_BYTES {
            return Err(Invalid::new(format!("at most {MAX_BYTES} bytes")));
        }
        let source = text::lines(source)?;
        let rendered = render(&source)?;
        Ok(Self { source, rendered })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn rendered(&self) -> &Rendered {
        &self.rendered
    }

    pub fn into_parts(self) -> (String, Rendered) {
        (self.source, self.rendered)
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

fn render(markdown: &str) -> Result<Rendered, Invalid> {
    let mut unsafe_html = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    if nesting(&unsafe_html) > MAX_NESTING {
        return Err(Invalid::new(format!(
            "nests quotes, lists or HTML elements more than {MAX_NESTING} levels deep"
        )));
    }
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
    Ok(Rendered { html, excerpt: shorten(&first_paragraph, EXCERPT_CHARS), word_count })
}

/// Elements HTML never closes, which nest nothing.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];

/// How deeply the elements of `html` nest, counted from its tags in one
/// pass: an upper bound of what a parser would build (tags the parser
/// would close on its own, such as a `<p>` left open, count as open).
fn nesting(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while let Some(offset) = bytes[at..].iter().position(|b| *b == b'<') {
        let start = at + offset + 1;
        let Some(end) = bytes[start..].iter().position(|b| *b == b'>').map(|e| start + e) else { break };
        let tag = &html[start..end];
        at = end + 1;
        if let Some(closing) = tag.strip_prefix('/') {
            if closing.starts_with(|c: char| c.is_ascii_alphabetic()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) || tag.ends_with('/') {
            continue;
        }
        let name_end = tag.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(tag.len());
        if VOID.iter().any(|void| tag[..name_end].eq_ignore_ascii_case(void)) {
            continue;
        }
        depth += 1;
        deepest = deepest.max(depth);
    }
    deepest
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
        let markdown =
            Markdown::parse("First *words* here.\n\n> quoted line\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        let rendered = markdown.map(|m| m.rendered().clone()).unwrap_or_else(|e| panic!("{e}"));
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
            render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
                .unwrap_or_else(|e| panic!("{e}"));
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

    #[test]
    fn deep_nesting_is_refused_before_it_is_sanitised() {
        let started = std::time::Instant::now();
        for body in [
            ">".repeat(50_000) + " x",
            "- ".repeat(25_000) + "x",
            "<div>".repeat(20_000),
            (0..500).map(|i| format!("{}- x\n", "  ".repeat(i))).collect::<String>(),
        ] {
            let refused = Markdown::parse(&body).map(|_| ()).map_err(|e| e.to_string());
            let expected =
                format!("nests quotes, lists or HTML elements more than {MAX_NESTING} levels deep");
            assert_eq!(refused, Err(expected), "{}…", &body[..40]);
        }
        // Seconds each before the limit; milliseconds now, even unoptimised.
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        let shallow = format!("{} quoted\n", ">".repeat(20));
        assert!(Markdown::parse(&shallow).is_ok());
        assert!(Markdown::parse(&"<p>unclosed ".repeat(10)).is_ok());
    }

    #[test]
    fn size_and_characters_are_checked() {
        assert!(Markdown::parse(&"a".repeat(MAX_BYTES + 1)).is_err());
        assert!(Markdown::parse("a\u{0}b").is_err());
        assert_eq!(Markdown::parse("a\r\nb").map(|m| m.source().to_owned()), Ok("a\nb".to_owned()));
    }

    #[test]
    fn nesting_counts_open_elements_only() {
        assert_eq!(nesting("<p>a<br>b<img src=x /></p><p>c</p>"), 1);
        assert_eq!(nesting("<blockquote><ul><li><p>x</p></li></ul></blockquote>"), 4);
        assert_eq!(nesting("a < b and c > d </ e"), 0);
    }
}
