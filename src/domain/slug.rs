//! Slugs: the stable, human-readable handle of a document, person or tag.

use std::fmt;

use uuid::Uuid;

use super::Invalid;

/// Lowercase ASCII letters, digits and single hyphens between them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 200;

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        if value.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if value.len() > Self::MAX_LEN {
            return Err(Invalid::new(format!("must be at most {} characters", Self::MAX_LEN)));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if !value.chars().all(allowed) {
            return Err(Invalid::new("lowercase letters, digits and hyphens only"));
        }
        if value.starts_with('-') || value.ends_with('-') || value.contains("--") {
            return Err(Invalid::new("hyphens only between letters or digits"));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a `{id-or-slug}` path segment names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(Uuid),
    Slug(Slug),
}

impl IdOrSlug {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        // A slug cannot contain the braces or be 36 characters of hex and
        // hyphens in the UUID layout, so the two never overlap in practice;
        // a UUID-shaped value is an id.
        if let Ok(id) = Uuid::try_parse(value) {
            return Ok(Self::Id(id));
        }
        Slug::parse(value)
            .map(Self::Slug)
            .map_err(|e| Invalid::new(format!("not a document id (UUID) nor a valid slug: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_words_joined_by_hyphens() {
        for ok in ["a", "solidarity-forever", "2024-meeting", "x1-y2-z3"] {
            assert_eq!(Slug::parse(ok).map(|s| s.to_string()), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn rejects_anything_else() {
        let too_long = "a".repeat(Slug::MAX_LEN + 1);
        for bad in ["", "Upper", "with space", "under_score", "-lead", "trail-", "dou--ble", "é", &too_long]
        {
            assert!(Slug::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_uuid_is_an_id_and_anything_else_a_slug() {
        let id = Uuid::now_v7();
        assert_eq!(IdOrSlug::parse(&id.to_string()), Ok(IdOrSlug::Id(id)));
        assert!(matches!(IdOrSlug::parse("solidarity-forever"), Ok(IdOrSlug::Slug(_))));
        assert!(IdOrSlug::parse("Not A Slug").is_err());
    }
}
