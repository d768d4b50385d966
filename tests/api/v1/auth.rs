//! Signing in and out: tokens and their claims, refresh rotation, forged or
//! stale tokens refused, rate limits, malformed bodies.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use broadside::auth::Role;
use broadside::auth::jwt::JwtKeys;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, spawn_app, spawn_app_with};

#[tokio::test]
async fn signing_in_gives_tokens_and_me_describes_the_user() {
    let app = spawn_app().await;
    let pair = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert!(pair["refresh_token"].as_str().is_some_and(|t| t.starts_with("bsr_")));
    let token = pair["access_token"].as_str().unwrap();
    let me = app.get_with("/v1/auth/me", ("authorization", &format!("Bearer {token}"))).await;
    assert_eq!(me.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("private, no-store"));
    let me: Value = me.json().await.unwrap();
    assert_eq!(
        (me["kind"].as_str(), me["email"].as_str(), me["role"].as_str()),
        (Some("user"), Some(ADMIN_EMAIL), Some("admin"))
    );

    // The claims are the documented ones.
    let keys = JwtKeys::new(JWT_SECRET.as_bytes(), "broadside", "broadside-api", 900);
    let claims = keys.verify(token).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (claims.iss.as_str(), claims.aud.as_str(), claims.role.as_str()),
        ("broadside", "broadside-api", "admin")
    );
    assert_eq!(claims.exp - claims.iat, 900);
}

async fn assert_401(app: &crate::helpers::TestApp, header: (&str, &str), why: &str) {
    let response = app.get_with("/v1/auth/me", header).await;
    assert_eq!(response.status(), 401, "{why}");
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{why}: no WWW-Authenticate"));
    assert!(challenge.starts_with("Bearer"), "{why}: WWW-Authenticate is {challenge:?}");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 401, "{why}");
}

#[tokio::test]
async fn every_forged_or_stale_token_is_refused() {
    let app = spawn_app().await;
    let user = Uuid::now_v7();
    let sign = |secret: &str, audience: &str, ttl: i64| {
        JwtKeys::new(secret.as_bytes(), "broadside", audience, ttl)
            .issue(user, Role::Admin, Uuid::now_v7())
            .unwrap()
    };
    let valid = sign(JWT_SECRET, "broadside-api", 900);
    let payload = valid.split('.').nth(1).unwrap().to_owned();
    let alg_none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
    let mut tampered = valid.clone();
    let last = tampered.pop().map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
    tampered.push(last);
    let forged_claims = {
        let claims = json!({"sub": user, "role": "admin", "iss": "broadside", "aud": "broadside-api",
            "iat": 0, "exp": 4_000_000_000i64, "jti": user});
        let mut parts: Vec<String> = valid.split('.').map(String::from).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        parts.join(".")
    };
    let cases: Vec<(String, &str)> = vec![
        (format!("Bearer {}", sign(JWT_SECRET, "broadside-api", -120)), "expired"),
        (
            format!("Bearer {}", sign("another secret that is long enough!!", "broadside-api", 900)),
            "wrong key",
        ),
        (format!("Bearer {}", sign(JWT_SECRET, "someone-else", 900)), "wrong audience"),
        (format!("Bearer {alg_none}"), "alg none"),
        (format!("Bearer {tampered}"), "tampered signature"),
        (format!("Bearer {forged_claims}"), "claims changed after signing"),
        ("Bearer not-a-jwt".to_owned(), "garbage"),
        ("Bearer ".to_owned(), "empty"),
        (format!("Basic {}", URL_SAFE_NO_PAD.encode("admin:admin")), "wrong scheme"),
    ];
    for (header, why) in &cases {
        assert_401(&app, ("authorization", header), why).await;
    }
    // Bad credentials are refused even where anonymous reading is allowed.
    let response = app.get_with("/v1/essays", ("authorization", "Bearer not-a-jwt")).await;
    assert_eq!(response.status(), 401);
    assert_401(&app, ("x-api-key", "bsk_not-a-real-key"), "unknown API key").await;
    let anonymous = app.get("/v1/auth/me").await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_in_the_same_time() {
    let app = spawn_app().await;
    let attempt = |email: &'static str| {
        let app = &app;
        async move {
            let started = Instant::now();
            let response =
                app.post_json("/v1/auth/token", &json!({"email": email, "password": "wrong password"})).await;
            let elapsed = started.elapsed();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body["detail"].clone(), elapsed)
        }
    };
    let mut known = Duration::ZERO;
    let mut unknown = Duration::ZERO;
    for _ in 0..5 {
        let (status_a, detail_a, time_a) = attempt(ADMIN_EMAIL).await;
        let (status_b, detail_b, time_b) = attempt("nobody@example.org").await;
        assert_eq!((status_a, &detail_a), (401, &detail_b));
        assert_eq!(status_b, 401);
        known += time_a;
        unknown += time_b;
    }
    // Both run one Argon2 verification; an unknown email must not answer
    // measurably faster (generous bounds: the machine is shared).
    assert!(unknown * 3 > known, "unknown email {unknown:?} vs known {known:?}");
    assert!(known * 3 > unknown, "unknown email {unknown:?} vs known {known:?}");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let app = spawn_app().await;
    let first = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let refresh = |token: Value| {
        let app = &app;
        async move { app.post_json("/v1/auth/refresh", &json!({"refresh_token": token})).await }
    };
    let second = refresh(first["refresh_token"].clone()).await;
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let third = refresh(second["refresh_token"].clone()).await;
    assert_eq!(third.status(), 200);
    let third: Value = third.json().await.unwrap();

    // The first token again: it leaked. It fails, and so does the newest one.
    assert_eq!(refresh(first["refresh_token"].clone()).await.status(), 401);
    assert_eq!(refresh(third["refresh_token"].clone()).await.status(), 401, "the family is revoked");

    // Another sign-in is unaffected, until it signs out.
    let other = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let logout = app.post_json("/v1/auth/logout", &json!({"refresh_token": other["refresh_token"]})).await;
    assert_eq!(logout.status(), 204);
    assert_eq!(refresh(other["refresh_token"].clone()).await.status(), 401, "signed out");
    assert_eq!(refresh(json!("bsr_unknown")).await.status(), 401);
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = spawn_app_with(&[("BROADSIDE_LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        let response =
            app.post_json("/v1/auth/token", &json!({"email": ADMIN_EMAIL, "password": "nope"})).await;
        assert_eq!(response.status(), 401);
    }
    let limited =
        app.post_json("/v1/auth/token", &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).await;
    assert_eq!(limited.status(), 429);
    let retry_after = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| s >= 1), "{retry_after:?}");
}

#[tokio::test]
async fn malformed_bodies_are_refused_with_clear_problems() {
    let app = spawn_app().await;
    let send = |body: String, content_type: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/v1/auth/token", app.address))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let cases: Vec<(String, &str, u16, &str)> = vec![
        ("{not json".into(), "application/json", 400, "the body is not valid JSON"),
        (
            r#"{"email": 5, "password": "x"}"#.into(),
            "application/json",
            422,
            "`email`: invalid type: integer `5`",
        ),
        (r#"{"email": "a@b.c"}"#.into(), "application/json", 422, "`password`: missing field `password`"),
        (
            r#"{"email": "a@b.c", "password": "x", "admin": true}"#.into(),
            "application/json",
            422,
            "`admin`: unknown field `admin`",
        ),
        (
            r#"{"email": "a\u0000@b.c", "password": "x"}"#.into(),
            "application/json",
            422,
            "`email`: contains the control character U+0000",
        ),
        (
            r#"{"email": "a@b.c", "password": "x"}"#.into(),
            "text/plain",
            415,
            "send the body as application/json",
        ),
        (
            r#"{"email": "a@b.c", "password": "x"}"#.into(),
            "application/json; charset=latin1",
            415,
            "JSON bodies are UTF-8",
        ),
        (
            format!(r#"{{"email": "{}", "password": "x"}}"#, "a".repeat(2 * 1024 * 1024)),
            "application/json",
            413,
            "the body is larger than",
        ),
    ];
    for (body, content_type, status, detail) in cases {
        let response = send(body, content_type).await;
        assert_eq!(response.status().as_u16(), status, "{detail}");
        let problem: Value = response.json().await.unwrap();
        let actual = problem["detail"].as_str().unwrap_or_else(|| panic!("{detail}: {problem}"));
        assert!(actual.starts_with(detail), "{problem}");
        assert_eq!(problem["instance"], "/v1/auth/token");
    }
}

/// `GET /v1/auth/me` with `token`: its status.
async fn me(app: &crate::helpers::TestApp, token: &Value) -> u16 {
    let bearer = format!("Bearer {}", token.as_str().unwrap());
    app.get_with("/v1/auth/me", ("authorization", &bearer)).await.status().as_u16()
}

#[tokio::test]
async fn signing_out_or_a_reused_refresh_token_ends_the_access_tokens_at_once() {
    let app = spawn_app().await;
    let session = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let other = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(me(&app, &session["access_token"]).await, 200);
    let logout = app.post_json("/v1/auth/logout", &json!({"refresh_token": session["refresh_token"]})).await;
    assert_eq!(logout.status(), 204);
    assert_eq!(me(&app, &session["access_token"]).await, 401, "signed out: its access token ends now");
    assert_eq!(me(&app, &other["access_token"]).await, 200, "another sign-in is untouched");

    // A refresh token presented twice ends every token of its sign-in,
    // access tokens included, those issued before and after the rotation.
    let rotated: Value = app
        .post_json("/v1/auth/refresh", &json!({"refresh_token": other["refresh_token"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me(&app, &rotated["access_token"]).await, 200);
    let reused = app.post_json("/v1/auth/refresh", &json!({"refresh_token": other["refresh_token"]})).await;
    assert_eq!(reused.status(), 401);
    assert_eq!(me(&app, &other["access_token"]).await, 401);
    assert_eq!(me(&app, &rotated["access_token"]).await, 401);

    // A restarted instance remembers which sign-ins ended.
    let mut app = app;
    app.stop().await;
    let restarted = crate::helpers::spawn_instance(&app.database_url, &[]).await;
    assert_eq!(me(&restarted, &session["access_token"]).await, 401);
    assert_eq!(me(&restarted, &rotated["access_token"]).await, 401);
}

#[tokio::test]
async fn a_token_that_is_not_yet_valid_is_refused() {
    let app = spawn_app().await;
    let pair = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let token = pair["access_token"].as_str().unwrap();
    let keys = jsonwebtoken::DecodingKey::from_secret(JWT_SECRET.as_bytes());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["broadside-api"]);
    let mut claims: Value = jsonwebtoken::decode::<Value>(token, &keys, &validation)
        .map(|data| data.claims)
        .unwrap_or_else(|e| panic!("{e}"));
    claims["nbf"] = json!(chrono::Utc::now().timestamp() + 600);
    let early = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(me(&app, &json!(early)).await, 401, "nbf ten minutes ahead");
    assert_eq!(me(&app, &pair["access_token"]).await, 200);
}
