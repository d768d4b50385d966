//! BCP 47 language tags.

use std::fmt;

use uuid::Uuid;

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

/// The locales a reader asked for, best first, and whether a document in
/// another locale may be served when none of them exists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalePreference {
    pub wanted: Vec<Locale>,
    /// `locale=` (with any `fallback=`) is a requirement; `Accept-Language`
    /// is only a preference.
    pub strict: bool,
}

impl LocalePreference {
    /// The best of `available`: for each wanted tag in order, the tag itself
    /// and then its shorter prefixes (RFC 4647 lookup: `pt-BR`, then `pt`);
    /// failing that, any available tag of a wanted language (`es` finds
    /// `es-MX`).
    pub fn choose<'a>(&self, available: &[&'a str]) -> Option<&'a str> {
        let find = |tag: &str| available.iter().copied().find(|a| a.eq_ignore_ascii_case(tag));
        for wanted in &self.wanted {
            let mut range = wanted.as_str();
            loop {
                if let Some(found) = find(range) {
                    return Some(found);
                }
                let Some(cut) = range.rfind('-') else { break };
                range = &range[..cut];
                // A singleton (`x`, `u`) never ends a range on its own.
                if let Some(cut) = range.rfind('-').filter(|c| range.len() - c == 2) {
                    range = &range[..cut];
                }
            }
        }
        self.wanted.iter().find_map(|wanted| {
            let language = primary(wanted.as_str());
            available.iter().copied().find(|a| primary(a).eq_ignore_ascii_case(language))
        })
    }
}

/// What [`choose_translation`] needs of a document.
pub trait Translation {
    fn id(&self) -> Uuid;
    fn locale(&self) -> &str;
}

/// Of the documents a key names (`candidates`, oldest first) and their
/// `translations` (fetched only when a locale is wanted), the one to serve:
/// the best match for `preference`, else (unless the preference is strict)
/// the one in the default locale, else the oldest.
pub fn choose_translation<D: Translation>(
    candidates: Vec<D>,
    translations: Vec<D>,
    preference: &LocalePreference,
    default_locale: &Locale,
) -> Option<D> {
    if candidates.is_empty() {
        return None;
    }
    if !preference.wanted.is_empty() {
        let mut pool: Vec<&D> = candidates.iter().collect();
        pool.extend(translations.iter().filter(|t| !candidates.iter().any(|c| c.id() == t.id())));
        let locales: Vec<&str> = pool.iter().map(|d| d.locale()).collect();
        if let Some(locale) = preference.choose(&locales).map(str::to_owned) {
            return candidates.into_iter().chain(translations).find(|d| d.locale() == locale);
        }
        if preference.strict {
            return None;
        }
    }
    let preferred = candidates.iter().position(|d| d.locale() == default_locale.as_str());
    candidates.into_iter().nth(preferred.unwrap_or(0))
}

fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// The tags of an `Accept-Language` header, best first (`q=0` and `*`
/// left out). A header is a hint: entries that do not parse are skipped.
pub fn accept_language(header: &str) -> Vec<Locale> {
    let mut ranked: Vec<(u16, usize, Locale)> = Vec::new();
    for (position, item) in header.split(',').take(32).enumerate() {
        let mut parts = item.split(';').map(str::trim);
        let tag = parts.next().unwrap_or("");
        let quality = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .map_or(Some(1000), |q| {
                q.parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q)).map(|q| (q * 1000.0) as u16)
            });
        let (Some(quality), Ok(locale)) = (quality, Locale::parse(tag)) else { continue };
        if quality > 0 && tag != "*" {
            ranked.push((quality, position, locale));
        }
    }
    ranked.sort_by_key(|(quality, position, _)| (std::cmp::Reverse(*quality), *position));
    ranked.into_iter().map(|(_, _, locale)| locale).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preference(tags: &[&str]) -> LocalePreference {
        LocalePreference { wanted: tags.iter().filter_map(|t| Locale::parse(t).ok()).collect(), strict: true }
    }

    #[test]
    fn lookup_falls_back_from_the_most_specific_tag() {
        let available = ["en", "es-MX", "pt", "sr-Latn"];
        assert_eq!(preference(&["pt-BR"]).choose(&available), Some("pt"));
        assert_eq!(preference(&["fr", "en"]).choose(&available), Some("en"));
        assert_eq!(preference(&["es"]).choose(&available), Some("es-MX"), "same language, another region");
        assert_eq!(preference(&["sr-Latn-RS"]).choose(&available), Some("sr-Latn"));
        assert_eq!(preference(&["de", "fr"]).choose(&available), None);
        assert_eq!(preference(&[]).choose(&available), None);
    }

    #[test]
    fn accept_language_is_ranked_by_quality_and_forgiving() {
        let tags = |h: &str| accept_language(h).iter().map(|l| l.as_str().to_owned()).collect::<Vec<_>>();
        assert_eq!(tags("en;q=0.5, es-MX, es;q=0.9, *;q=0.1"), ["es-MX", "es", "en"]);
        assert_eq!(tags("fr;q=0, de"), ["de"]);
        assert_eq!(tags("not a tag!!, en;q=2, el"), ["el"]);
        assert!(tags("").is_empty());
    }

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

    struct Doc(u128, &'static str);

    impl Translation for Doc {
        fn id(&self) -> Uuid {
            Uuid::from_u128(self.0)
        }
        fn locale(&self) -> &str {
            self.1
        }
    }

    fn chosen(candidates: Vec<Doc>, translations: Vec<Doc>, wanted: &[&str], strict: bool) -> Option<u128> {
        let mut preference = preference(wanted);
        preference.strict = strict;
        let default = Locale::parse("en").ok()?;
        choose_translation(candidates, translations, &preference, &default).map(|d| d.0)
    }

    #[test]
    fn a_slug_names_the_default_locale_first_then_the_oldest() {
        assert_eq!(chosen(vec![Doc(1, "es"), Doc(2, "en")], vec![], &[], false), Some(2));
        assert_eq!(chosen(vec![Doc(1, "es"), Doc(2, "de")], vec![], &[], false), Some(1));
        assert_eq!(chosen(vec![], vec![Doc(3, "en")], &["en"], false), None);
    }

    #[test]
    fn a_wanted_locale_is_found_among_the_translations() {
        let translations = || vec![Doc(1, "en"), Doc(3, "pt")];
        assert_eq!(chosen(vec![Doc(1, "en")], translations(), &["pt-BR"], false), Some(3));
        // Nothing in a wanted locale: strict finds nothing, a hint the default.
        assert_eq!(chosen(vec![Doc(1, "en")], translations(), &["fr"], true), None);
        assert_eq!(chosen(vec![Doc(1, "en")], translations(), &["fr"], false), Some(1));
        // The key's own documents come before their translations.
        assert_eq!(chosen(vec![Doc(5, "pt")], translations(), &["pt"], false), Some(5));
    }
}
