//! BCP 47 language tags.

use std::fmt;

use language_tags::LanguageTag;

use super::Invalid;

/// A well-formed, valid BCP 47 tag in canonical case (`en`, `pt-BR`, `sr-Latn`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locale(String);

impl Locale {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let invalid = || Invalid::new(format!("`{value}` is not a valid BCP 47 language tag"));
        if value.len() > 35 {
            return Err(invalid());
        }
        let tag = LanguageTag::parse(value).map_err(|_| invalid())?;
        let tag = tag.canonicalize().map_err(|_| invalid())?;
        tag.validate().map_err(|_| invalid())?;
        Ok(Self(tag.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises_case() {
        assert_eq!(Locale::parse("en").map(|l| l.to_string()), Ok("en".into()));
        assert_eq!(Locale::parse("pt-br").map(|l| l.to_string()), Ok("pt-BR".into()));
        assert_eq!(Locale::parse("SR-latn").map(|l| l.to_string()), Ok("sr-Latn".into()));
    }

    #[test]
    fn rejects_malformed_tags() {
        for bad in ["", "english", "en_US", "e", "en--US", "123"] {
            assert!(Locale::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
