use crate::helpers::{TestEssay, fields, spawn_app};

#[tokio::test]
async fn tags_count_only_published_documents() {
    let app = spawn_app().await;
    app.insert_essay(TestEssay { new_tags: &["drafts-only"], ..TestEssay::draft("unfinished") }).await;
    let tags = app.walk("/v1/tags", 100).await;
    let count_of = |slug: &str| {
        tags.iter().find(|t| t["slug"] == slug).map(|t| t["document_count"].as_u64().unwrap_or(99))
    };
    assert_eq!(count_of("solidarity"), Some(2), "the essay and the song");
    assert_eq!(count_of("sample"), Some(1));
    assert_eq!(count_of("drafts-only"), Some(0), "a draft is not counted");
    let slugs = fields(&tags, "slug");
    let mut sorted = slugs.clone();
    sorted.sort();
    assert_eq!(slugs, sorted);
    let back = app.walk("/v1/tags?sort=-slug", 3).await;
    assert_eq!(fields(&back, "slug").into_iter().rev().collect::<Vec<_>>(), slugs);
}
