//! Copy that should never be published: "lorem ipsum" and the boilerplate
//! that website builders put on a new page, two paragraphs of which leaked
//! into the text this service was first given.

/// Phrases, in lower case with plain apostrophes, each with why it is flagged.
const PHRASES: &[(&str, &str)] = &[
    ("lorem ipsum", "contains “lorem ipsum” placeholder text"),
    (
        "don't worry about sounding professional",
        "contains website-builder placeholder copy (“Don’t worry about sounding professional…”)",
    ),
    (
        "there are over 1.5 billion websites out there",
        "contains website-builder placeholder copy (“There are over 1.5 billion websites out there…”)",
    ),
    (
        "be clear, be confident and don't overthink it",
        "contains website-builder placeholder copy (“Be clear, be confident and don’t overthink it…”)",
    ),
    (
        "your site can evolve with it",
        "contains website-builder placeholder copy (“…your site can evolve with it”)",
    ),
];

/// Warnings for every kind of placeholder copy found in `text`.
pub fn warnings(text: &str) -> Vec<String> {
    let normal = text.to_lowercase().replace(['’', '‘'], "'");
    let collapsed = normal.split_whitespace().collect::<Vec<_>>().join(" ");
    PHRASES
        .iter()
        .filter(|(phrase, _)| collapsed.contains(phrase))
        .map(|(_, why)| (*why).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lorem_ipsum_and_the_seed_boilerplate() {
        assert_eq!(warnings("Lorem  Ipsum dolor sit amet").len(), 1);
        let seed = "Don’t worry about sounding professional. Sound like you. There are over 1.5 billion \
                    websites out there, but your story is what’s going to separate this one from the rest.";
        assert_eq!(warnings(seed).len(), 2);
        assert!(warnings("It means that the struggle of the working class is a global struggle.").is_empty());
    }
}
