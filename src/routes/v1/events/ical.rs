//! Writing iCalendar (RFC 5545) content lines. Every TEXT value is escaped
//! (backslash, semicolon, comma, line breaks) and stripped of the control
//! characters RFC 5545 forbids, every other value is stripped of them too,
//! and every line is folded at 75 octets on a character boundary, so no
//! value, however hostile, can end a line of its own or start a property.

/// Longest content line, in octets, before it is folded (RFC 5545 §3.1).
const FOLD_AT: usize = 75;

/// A calendar being written, as CRLF lines.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn begin(&mut self, component: &str) {
        self.line(&format!("BEGIN:{component}"));
    }

    pub fn end(&mut self, component: &str) {
        self.line(&format!("END:{component}"));
    }

    /// A TEXT property.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape(value)));
    }

    /// A property whose value is a list of TEXT (`CATEGORIES`).
    pub fn texts<'a>(&mut self, name: &str, values: impl IntoIterator<Item = &'a str>) {
        let values: Vec<String> = values.into_iter().map(escape).collect();
        if !values.is_empty() {
            self.line(&format!("{name}:{}", values.join(",")));
        }
    }

    /// A property of another value type (dates, URIs, numbers, recurrence
    /// rules), with parameters.
    pub fn value(&mut self, name: &str, parameters: &[(&str, &str)], value: &str) {
        let mut line = name.to_owned();
        for (key, parameter) in parameters {
            line.push(';');
            line.push_str(key);
            line.push('=');
            line.push_str(&parameter_value(parameter));
        }
        line.push(':');
        line.extend(value.chars().filter(|c| allowed(*c)));
        self.line(&line);
    }

    /// Lines written elsewhere, already CRLF-terminated (time-zone
    /// definitions).
    pub fn lines(&mut self, crlf_lines: &str) {
        self.out.push_str(crlf_lines);
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            if width + c.len_utf8() > FOLD_AT {
                self.out.push_str("\r\n ");
                width = 1;
            }
            self.out.push(c);
            width += c.len_utf8();
        }
        self.out.push_str("\r\n");
    }
}

/// Characters a content line may carry: no controls but tab.
fn allowed(c: char) -> bool {
    c == '\t' || !c.is_control()
}

/// A TEXT value escaped as RFC 5545 §3.3.11 asks.
pub fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            // A CR LF is one line break; a lone CR is one too.
            '\n' => escaped.push_str("\\n"),
            '\r' if chars.peek() != Some(&'\n') => escaped.push_str("\\n"),
            '\r' => {}
            c if allowed(c) => escaped.push(c),
            _ => {}
        }
    }
    escaped
}

/// A parameter value: quoted when it holds `:`, `;` or `,`; double quotes
/// and controls, which it may not hold, removed.
fn parameter_value(value: &str) -> String {
    let clean: String = value.chars().filter(|c| allowed(*c) && *c != '"').collect();
    if clean.contains([':', ';', ',']) { format!("\"{clean}\"") } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_break_out_of_its_line() {
        let mut writer = Writer::default();
        writer
            .text("SUMMARY", "Meeting\r\nATTENDEE:mailto:x@example.org\rBEGIN:VEVENT\n; a, b \\ c\u{0}\u{b}");
        assert_eq!(
            writer.finish(),
            "SUMMARY:Meeting\\nATTENDEE:mailto:x@example.org\\nBEGIN:VEVENT\\n\\; a\\, b \\\\ c\r\n"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut writer = Writer::default();
        writer.text("DESCRIPTION", &"ü".repeat(100));
        let text = writer.finish();
        assert!(text.split("\r\n").all(|line| line.len() <= 75), "{text}");
        let unfolded = text.replace("\r\n ", "");
        assert_eq!(unfolded, format!("DESCRIPTION:{}\r\n", "ü".repeat(100)));
    }

    #[test]
    fn other_values_and_parameters_lose_their_controls() {
        let mut writer = Writer::default();
        writer.value("DTSTART", &[("TZID", "Europe/Athens"), ("X", "a:b\"\r\n")], "20270101T100000\r\nX:Y");
        assert_eq!(writer.finish(), "DTSTART;TZID=Europe/Athens;X=\"a:b\":20270101T100000X:Y\r\n");
    }
}
