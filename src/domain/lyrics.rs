//! Songs: stanzas stored once, and an arrangement that says in which order
//! they are sung (a chorus after every verse without storing it six times).

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use super::Invalid;

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = Invalid;

            fn from_str(value: &str) -> Result<Self, Invalid> {
                Self::ALL.iter().copied().find(|v| v.as_str() == value).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    Invalid::new(format!("`{value}` is not one of {}", allowed.join(", ")))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    /// What part of a song a stanza is.
    StanzaKind {
        Verse => "verse",
        Chorus => "chorus",
        Refrain => "refrain",
        Bridge => "bridge",
        PreChorus => "pre_chorus",
        Intro => "intro",
        Outro => "outro",
    }
);

named_enum!(
    /// What a person did for a song.
    WriterRole {
        Lyricist => "lyricist",
        Composer => "composer",
        Arranger => "arranger",
        Translator => "translator",
    }
);

named_enum!(
    /// Whether a song may be freely reproduced.
    RightsStatus {
        PublicDomain => "public_domain",
        Licensed => "licensed",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    key: String,
    kind: StanzaKind,
    lines: Vec<String>,
}

impl Stanza {
    pub const MAX_LINES: usize = 200;
    pub const MAX_LINE_CHARS: usize = 500;

    pub fn new(key: &str, kind: StanzaKind, lines: Vec<String>) -> Result<Self, Invalid> {
        let key_ok = !key.is_empty()
            && key.len() <= 32
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !key_ok {
            return Err(Invalid::new("stanza id: 1 to 32 lowercase letters, digits, hyphens or underscores"));
        }
        if lines.is_empty() || lines.len() > Self::MAX_LINES {
            return Err(Invalid::new(format!("a stanza has 1 to {} lines", Self::MAX_LINES)));
        }
        if let Some(Err(e)) = lines.iter().map(|line| super::text::line(line)).find(Result::is_err) {
            return Err(Invalid::new(format!("every line is one line of text: a line {e}")));
        }
        if lines.iter().any(|line| line.trim().is_empty() || line.chars().count() > Self::MAX_LINE_CHARS) {
            return Err(Invalid::new(format!(
                "every line has text, at most {} characters",
                Self::MAX_LINE_CHARS
            )));
        }
        Ok(Self { key: key.to_owned(), kind, lines })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn kind(&self) -> StanzaKind {
        self.kind
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// Stanzas plus the order they are sung in. Every key in the arrangement
/// names a stanza, and every stanza is sung at least once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Song {
    stanzas: Vec<Stanza>,
    arrangement: Vec<String>,
}

impl Song {
    pub const MAX_STANZAS: usize = 100;
    pub const MAX_ARRANGEMENT: usize = 500;

    pub fn new(stanzas: Vec<Stanza>, arrangement: Vec<String>) -> Result<Self, Invalid> {
        if stanzas.is_empty() || stanzas.len() > Self::MAX_STANZAS {
            return Err(Invalid::new(format!("a song has 1 to {} stanzas", Self::MAX_STANZAS)));
        }
        let mut keys = HashSet::new();
        for stanza in &stanzas {
            if !keys.insert(stanza.key.as_str()) {
                return Err(Invalid::new(format!("stanza id `{}` is used twice", stanza.key)));
            }
        }
        if arrangement.is_empty() || arrangement.len() > Self::MAX_ARRANGEMENT {
            return Err(Invalid::new(format!("the arrangement has 1 to {} entries", Self::MAX_ARRANGEMENT)));
        }
        if let Some(unknown) = arrangement.iter().find(|key| !keys.contains(key.as_str())) {
            return Err(Invalid::new(format!("the arrangement names no stanza `{unknown}`")));
        }
        let sung: HashSet<&str> = arrangement.iter().map(String::as_str).collect();
        if let Some(unsung) = stanzas.iter().find(|s| !sung.contains(s.key.as_str())) {
            return Err(Invalid::new(format!("stanza `{}` is never sung in the arrangement", unsung.key)));
        }
        Ok(Self { stanzas, arrangement })
    }

    pub fn stanzas(&self) -> &[Stanza] {
        &self.stanzas
    }

    pub fn arrangement(&self) -> &[String] {
        &self.arrangement
    }

    /// The whole song in sung order: stanzas separated by a blank line.
    pub fn text(&self) -> String {
        self.arrangement
            .iter()
            .filter_map(|key| self.stanzas.iter().find(|s| &s.key == key))
            .map(|stanza| stanza.lines.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stanza(key: &str, kind: StanzaKind, line: &str) -> Stanza {
        Stanza::new(key, kind, vec![line.to_owned()]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_chorus_stored_once_is_sung_after_every_verse() {
        let song = Song::new(
            vec![
                stanza("v1", StanzaKind::Verse, "one"),
                stanza("v2", StanzaKind::Verse, "two"),
                stanza("chorus", StanzaKind::Chorus, "all sing"),
            ],
            ["v1", "chorus", "v2", "chorus"].map(String::from).to_vec(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(song.text(), "one\n\nall sing\n\ntwo\n\nall sing");
    }

    #[test]
    fn the_arrangement_must_name_existing_stanzas_and_sing_each() {
        let verse = || stanza("v1", StanzaKind::Verse, "one");
        assert!(Song::new(vec![verse()], vec!["v2".into()]).is_err());
        assert!(Song::new(vec![verse(), stanza("c", StanzaKind::Chorus, "x")], vec!["v1".into()]).is_err());
        assert!(Song::new(vec![verse(), verse()], vec!["v1".into()]).is_err());
        assert!(Song::new(vec![verse()], vec![]).is_err());
    }

    #[test]
    fn stanza_ids_and_lines_are_bounded() {
        assert!(Stanza::new("Verse 1", StanzaKind::Verse, vec!["x".into()]).is_err());
        assert!(Stanza::new("v1", StanzaKind::Verse, vec![]).is_err());
        assert!(Stanza::new("v1", StanzaKind::Verse, vec!["  ".into()]).is_err());
        assert!("hook".parse::<StanzaKind>().is_err());
    }
}
