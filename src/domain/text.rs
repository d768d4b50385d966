//! The one rule for characters in text, whatever the field and whatever the
//! database: no control characters (U+0000–U+001F, U+007F–U+009F) and no
//! Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two
//! code points of every plane). Multi-line fields (bodies, descriptions,
//! notes, biographies, summaries) also allow tab and line feed, and store
//! CR LF and a lone CR as a line feed.
//!
//! PostgreSQL cannot store U+0000 at all and XML 1.0 (feeds) forbids most
//! of the rest; a CR or LF in a one-line field would become a line of its
//! own in an iCalendar file or a log. Refusing them when text comes in
//! keeps every output format well formed, on both databases alike.

use super::Invalid;

/// Is `c` a character no text may hold?
fn forbidden(c: char) -> bool {
    c.is_control() || noncharacter(c)
}

/// U+FDD0–U+FDEF and U+xFFFE/U+xFFFF in every plane: code points Unicode
/// reserves never to assign, which XML 1.0 forbids in part.
pub fn noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

fn describe(c: char) -> String {
    match c {
        '\n' | '\r' => "a line break".to_owned(),
        '\t' => "a tab".to_owned(),
        c if noncharacter(c) => format!("U+{:04X}, which is not a character", u32::from(c)),
        c => format!("the control character U+{:04X}", u32::from(c)),
    }
}

/// Checks a one-line value: no control characters at all.
pub fn line(value: &str) -> Result<(), Invalid> {
    match value.chars().find(|c| forbidden(*c)) {
        None => Ok(()),
        Some(c) if matches!(c, '\n' | '\r' | '\t') => {
            Err(Invalid::new(format!("must be one line: it contains {}", describe(c))))
        }
        Some(c) => Err(Invalid::new(format!("contains {}, which text may not", describe(c)))),
    }
}

/// Checks a multi-line value and returns it with its line breaks made
/// `\n`: tab and line breaks are allowed, other control characters not.
pub fn lines(value: &str) -> Result<String, Invalid> {
    if let Some(c) = value.chars().find(|c| forbidden(*c) && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Invalid::new(format!("contains {}, which text may not", describe(c))));
    }
    Ok(if value.contains('\r') { value.replace("\r\n", "\n").replace('\r', "\n") } else { value.to_owned() })
}

/// A one-line value, trimmed, of 1 to `max` characters.
pub fn required_line(value: &str, max: usize) -> Result<String, Invalid> {
    line(value)?;
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(Invalid::new(format!("1 to {max} characters")));
    }
    Ok(value.to_owned())
}

/// An optional one-line value, trimmed, of at most `max` characters; blank
/// is none.
pub fn optional_line(value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    let Some(value) = value else { return Ok(None) };
    line(value)?;
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Invalid::new(format!("at most {max} characters")));
    }
    Ok(Some(value.to_owned()).filter(|v| !v.is_empty()))
}

/// An optional multi-line value, trimmed, of at most `max` characters;
/// blank is none.
pub fn optional_lines(value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    let Some(value) = value else { return Ok(None) };
    let value = lines(value)?;
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Invalid::new(format!("at most {max} characters")));
    }
    Ok(Some(value.to_owned()).filter(|v| !v.is_empty()))
}

/// `value` with every character XML 1.0 forbids removed: for output built
/// from text stored before the rule above held.
pub fn xml_safe(value: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || noncharacter(c));
    if value.chars().all(allowed) {
        std::borrow::Cow::Borrowed(value)
    } else {
        std::borrow::Cow::Owned(value.chars().filter(|c| allowed(*c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_refuses_every_control_character_and_noncharacter() {
        assert!(line("Solidarity Forever — “1915”, ünïcödé, 团结").is_ok());
        for bad in [
            "a\u{0}b",
            "a\nb",
            "a\r\nb",
            "a\tb",
            "\u{1}",
            "\u{b}",
            "\u{7f}",
            "\u{85}",
            "\u{fffe}",
            "\u{ffff}",
            "\u{fdd0}",
            "\u{1fffe}",
            "\u{10ffff}",
        ] {
            assert!(line(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            line("x\u{0}").map_err(|e| e.to_string()),
            Err("contains the control character U+0000, which text may not".into())
        );
        assert_eq!(
            line("x\r\nBEGIN:VEVENT").map_err(|e| e.to_string()),
            Err("must be one line: it contains a line break".into())
        );
    }

    #[test]
    fn multi_line_allows_tabs_and_line_breaks_and_makes_them_line_feeds() {
        assert_eq!(lines("a\r\nb\rc\n\td").as_deref(), Ok("a\nb\nc\n\td"));
        for bad in ["a\u{0}", "a\u{c}", "\u{1b}[31m", "\u{fffe}"] {
            assert!(lines(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn bounded_values_are_trimmed_and_blank_is_none() {
        assert_eq!(required_line("  Title  ", 10).as_deref(), Ok("Title"));
        assert!(required_line("   ", 10).is_err());
        assert!(required_line("elevenchars", 10).is_err());
        assert_eq!(optional_line(Some("  "), 10), Ok(None));
        assert_eq!(optional_lines(Some(" a\r\nb "), 10), Ok(Some("a\nb".into())));
    }

    #[test]
    fn xml_safe_drops_only_what_xml_forbids() {
        assert_eq!(xml_safe("a\u{1}b\u{b}c\u{fffe}d\te\n"), "abcd\te\n");
        assert!(matches!(xml_safe("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
