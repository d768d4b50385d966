//! Content negotiation (RFC 9110 §12.5.1): of the media types an
//! operation can send, the one `Accept` gives the highest weight, each
//! weighed by the most specific range that names it (`type/subtype` over
//! `type/*` over `*/*`).

/// The weight `accept` gives `media_type`, 0 to 1000 (`q=0.9` is 900).
fn weight(accept: &str, media_type: &str) -> u16 {
    let (kind, _) = media_type.split_once('/').unwrap_or((media_type, ""));
    // (specificity, weight) of the most specific range that matches.
    let mut best: Option<(u8, u16)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let name = parts.next().unwrap_or("").to_ascii_lowercase();
        let specificity = if name == media_type {
            2
        } else if name.strip_suffix("/*").is_some_and(|t| t == kind) {
            1
        } else if name == "*/*" {
            0
        } else {
            continue;
        };
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1000, |(_, v)| quality(v.trim()));
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0, |(_, q)| q)
}

/// A `q` value as thousandths; anything malformed counts as 0.
fn quality(value: &str) -> u16 {
    let Ok(q) = value.parse::<f32>() else { return 0 };
    if (0.0..=1.0).contains(&q) { (q * 1000.0).round() as u16 } else { 0 }
}

/// The one of `offered` that `accept` prefers, the first on a tie; `None`
/// when it refuses them all. No `Accept` accepts anything.
pub fn preferred<'a>(accept: Option<&str>, offered: &[&'a str]) -> Option<&'a str> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else { return offered.first().copied() };
    let mut chosen: Option<(&str, u16)> = None;
    for media_type in offered {
        let q = weight(accept, media_type);
        if q > 0 && chosen.is_none_or(|(_, best)| q > best) {
            chosen = Some((media_type, q));
        }
    }
    chosen.map(|(media_type, _)| media_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERED: [&str; 2] = ["application/json", "application/ld+json"];

    #[test]
    fn the_highest_weight_wins_and_json_wins_a_tie() {
        let cases = [
            (None, Some("application/json")),
            (Some("application/ld+json"), Some("application/ld+json")),
            (Some("application/json;q=0.9, application/ld+json;q=0.1"), Some("application/json")),
            (Some("application/json;q=0.1, application/ld+json"), Some("application/ld+json")),
            (Some("application/ld+json, application/json"), Some("application/json")),
            (Some("*/*"), Some("application/json")),
            (Some("application/ld+json;q=0, */*"), Some("application/json")),
            (Some("application/*;q=0.5, application/ld+json;q=0.6"), Some("application/ld+json")),
            (Some("text/html"), None),
            (Some("application/ld+json;q=0"), None),
            (Some("application/ld+json;q=nonsense, application/json;q=0.2"), Some("application/json")),
            (Some("APPLICATION/LD+JSON"), Some("application/ld+json")),
        ];
        for (accept, expected) in cases {
            assert_eq!(preferred(accept, &OFFERED), expected, "{accept:?}");
        }
    }
}
