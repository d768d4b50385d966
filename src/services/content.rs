//! The three content types, told apart in one place: code that works for
//! any of them is generic over [`super::render::Rendered`], and where a
//! [`DocumentKind`](crate::domain::DocumentKind) known only at run time
//! must pick the type, [`with_content_type!`] does it.

/// Evaluates `$body` with `$T` the content type of `$kind`.
macro_rules! with_content_type {
    ($kind:expr, $T:ident => $body:expr) => {
        match $kind {
            $crate::domain::DocumentKind::Essay => {
                type $T = $crate::services::essays::Essays;
                $body
            }
            $crate::domain::DocumentKind::Lyrics => {
                type $T = $crate::services::lyrics::Lyrics;
                $body
            }
            $crate::domain::DocumentKind::Event => {
                type $T = $crate::services::events::Events;
                $body
            }
        }
    };
}
pub(crate) use with_content_type;
