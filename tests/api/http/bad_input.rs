//! Every malformed request is a 4xx problem that says what is wrong — never
//! a 500.

use crate::helpers::spawn_app;

#[tokio::test]
async fn each_bad_request_gets_its_status_and_a_clear_detail() {
    let app = spawn_app().await;
    let cases: &[(&str, u16, &str)] = &[
        ("/v1/essays?limit=0", 400, "parameter `limit`: must be between 1 and 100"),
        ("/v1/essays?limit=101", 400, "parameter `limit`: must be between 1 and 100"),
        ("/v1/essays?limit=ten", 400, "parameter `limit`: invalid digit found in string"),
        ("/v1/essays?limit=-1", 400, "parameter `limit`: invalid digit found in string"),
        ("/v1/essays?limit=1&limit=2", 400, "parameter `limit`: duplicate field `limit`"),
        ("/v1/essays?colour=red", 400, "parameter `colour`: unknown parameter; expected one of"),
        ("/v1/essays?cursor=zzz", 400, "parameter `cursor`: malformed cursor"),
        ("/v1/essays?cursor=WyJ0aXRsZSIsMV0", 400, "parameter `cursor`: malformed cursor"),
        ("/v1/essays?sort=popularity", 400, "parameter `sort`: unknown variant `popularity`"),
        ("/v1/essays?tag=Not%20A%20Tag", 400, "parameter `tag`: lowercase letters, digits and hyphens only"),
        ("/v1/essays?author=-x", 400, "parameter `author`: hyphens only between letters or digits"),
        (
            "/v1/essays?locale=english",
            400,
            "parameter `locale`: `english` is not a valid BCP 47 language tag",
        ),
        ("/v1/lyrics?writer=UPPER", 400, "parameter `writer`: lowercase letters, digits and hyphens only"),
        ("/v1/lyrics?author=x", 400, "parameter `author`: unknown parameter"),
        ("/v1/events?from=yesterday", 400, "parameter `from`: expected an RFC 3339 date-time"),
        ("/v1/events?to=2027-02-30", 400, "parameter `to`: expected an RFC 3339 date-time"),
        ("/v1/events?from=2027-02-01&to=2027-01-01", 400, "parameter `to`: must be after `from`"),
        (
            "/v1/events?from=2027-01-01T10:00:00",
            400,
            "parameter `from`: expected an RFC 3339 date-time with offset",
        ),
        ("/v1/events?upcoming=soon", 400, "parameter `upcoming`: provided string was not `true` or `false`"),
        ("/v1/events?country=XX", 400, "parameter `country`: `XX` is not an ISO 3166-1 alpha-2 country code"),
        ("/v1/events?country=TUR", 400, "parameter `country`: `TUR` is not an ISO 3166-1 alpha-2"),
        ("/v1/events?event_status=maybe", 400, "parameter `event_status`: `maybe` is not one of scheduled"),
        ("/v1/events?sort=published_at", 400, "parameter `sort`: unknown variant `published_at`"),
        ("/v1/people?sort=age", 400, "parameter `sort`: unknown variant `age`"),
        ("/v1/people?tag=x", 400, "parameter `tag`: unknown parameter"),
        ("/v1/tags?limit=1000", 400, "parameter `limit`: must be between 1 and 100"),
        ("/v1/essays/Bad_Slug", 400, "parameter `id_or_slug`: not a document id (UUID) nor a valid slug"),
        ("/v1/essays/proletarian-internationalism?locale=xx-XX-XX", 400, "parameter `locale`"),
        (
            "/v1/essays/proletarian-internationalism?expand=authors",
            400,
            "parameter `expand`: unknown parameter",
        ),
        (
            "/v1/essays/proletarian-internationalism?fields=title,password",
            400,
            "parameter `fields`: `password` is not a field of Essay",
        ),
        ("/v1/essays?fields=", 400, "parameter `fields`: an empty field name is not a field of EssaySummary"),
        ("/v1/people/ralph-chaplin?locale=en", 400, "parameter `locale`: unknown parameter"),
        ("/v1/essays/no-such-essay", 404, "no essay `no-such-essay`"),
        (
            "/v1/lyrics/0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b",
            404,
            "no lyrics `0193a5b0-7c1e-7d2a-9f3b-1c2d3e4f5a6b`",
        ),
        ("/v1/events/no-such-event", 404, "no event `no-such-event`"),
        ("/v1/people/no-such-person", 404, "no person `no-such-person`"),
        ("/v1/essays/solidarity-forever", 404, "no essay `solidarity-forever`"),
        ("/v1/poems", 404, "no route for GET /v1/poems"),
        ("/v2/essays", 404, "no route for GET /v2/essays"),
    ];
    for (path, status, detail) in cases {
        let problem = app.get_problem(path, *status).await;
        let actual = problem["detail"].as_str().unwrap();
        assert!(actual.starts_with(detail), "GET {path}: detail {actual:?} does not start with {detail:?}");
        if *status == 400 {
            let field = problem["errors"][0]["field"]
                .as_str()
                .unwrap_or_else(|| panic!("GET {path}: no field named: {problem}"));
            assert!(!field.is_empty() && detail.contains(&format!("`{field}`")), "GET {path}: {problem}");
        }
    }
}

#[tokio::test]
async fn a_cursor_from_one_sort_is_refused_by_another() {
    let app = spawn_app().await;
    app.load_synthetic(30).await;
    let page = app.get_json("/v1/essays?limit=2&sort=title").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let problem = app.get_problem(&format!("/v1/essays?cursor={cursor}"), 400).await;
    assert_eq!(
        problem["detail"],
        "parameter `cursor`: this cursor belongs to sort=title, not sort=-published_at"
    );
}

#[tokio::test]
async fn hostile_strings_are_refused_cleanly() {
    let app = spawn_app().await;
    let long = "a".repeat(5000);
    for path in [
        format!("/v1/essays/{long}"),
        format!("/v1/essays?cursor={long}"),
        "/v1/essays?tag=%27%3B%20DROP%20TABLE%20documents%3B--".to_owned(),
        "/v1/essays?tag=%00".to_owned(),
        "/v1/essays/%F0%9F%92%A9".to_owned(),
        "/v1/essays?limit=99999999999999999999".to_owned(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 400, "GET {path}");
    }
    // The database is intact.
    app.get_json("/v1/essays/proletarian-internationalism").await;
}
