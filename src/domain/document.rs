//! What every document shares, whatever its type: its kind, its publication
//! status, and the one rule that decides who may see it.

use std::fmt;
use std::str::FromStr;

use super::Invalid;

/// The three content types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Essay,
    Lyrics,
    Event,
}

impl DocumentKind {
    pub const ALL: [Self; 3] = [Self::Essay, Self::Lyrics, Self::Event];

    /// The value of the `type` field and of the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Essay => "essay",
            Self::Lyrics => "lyrics",
            Self::Event => "event",
        }
    }

    /// The collection's path segment under `/v1`.
    pub fn collection(self) -> &'static str {
        match self {
            Self::Essay => "essays",
            Self::Lyrics => "lyrics",
            Self::Event => "events",
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocumentKind {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
            .ok_or_else(|| Invalid::new(format!("unknown document type `{value}`")))
    }
}

/// Where a document is in its publication workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl DocumentStatus {
    pub const ALL: [Self; 4] = [Self::Draft, Self::Scheduled, Self::Published, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }
}

impl FromStr for DocumentStatus {
    type Err = Invalid;

    fn from_str(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| Invalid::new(format!("unknown status `{value}`")))
    }
}

/// Who is looking. Every query of every content type goes through this one
/// rule: the public sees documents that are published and not deleted;
/// editors, admins and keys that may read unpublished documents see every
/// document that is not deleted, in any status; an author sees what the
/// public sees and their own documents besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    /// The author with this user id.
    Author(uuid::Uuid),
    Staff,
    /// Soft-deleted documents only, to restore them.
    Deleted,
    /// Everything, deleted documents included: for the write path only.
    All,
}

impl Visibility {
    /// Whether documents other than published ones may show.
    pub fn is_public(self) -> bool {
        self == Self::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_round_trip_through_their_names() {
        for kind in DocumentKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
        for status in DocumentStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        assert!("poem".parse::<DocumentKind>().is_err());
    }
}
