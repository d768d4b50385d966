//! One typed `Settings`, read once from the environment (and `.env` in
//! development) and checked at start-up: a bad value stops the process with a
//! message that names the variable. `.env.example` documents every variable.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use std::time::Duration;

use crate::domain::Locale;
use crate::domain::network::Network;

#[derive(Clone)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    /// HTTP worker threads.
    pub workers: usize,
    pub log: LogSettings,
    /// Load the demo content into an empty database at start-up.
    pub seed_demo: bool,
    /// Locale served when a slug is asked for without one.
    pub default_locale: Locale,
    pub auth: AuthSettings,
    /// How often scheduled publications are looked for.
    pub scheduler_interval: std::time::Duration,
    pub cache: CacheSettings,
    /// Origins browsers may call the API from (CORS); `*` for any.
    pub cors_origins: Vec<String>,
    /// How often a live change stream sends a heartbeat when idle.
    pub stream_heartbeat: std::time::Duration,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    pub webhooks: WebhookSettings,
}

/// Settings of the HTTP cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheSettings {
    /// Keep anonymous responses in memory.
    pub enabled: bool,
    /// Most bytes of response bodies kept.
    pub max_bytes: usize,
    /// `max-age` of public responses, seconds.
    pub max_age: u32,
    /// `stale-while-revalidate` of public responses, seconds.
    pub stale_while_revalidate: u32,
}

#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Whether this instance runs a delivery worker.
    pub enabled: bool,
    /// Whole-request timeout of one attempt.
    pub timeout: Duration,
    /// Attempts per delivery before it counts as failed.
    pub max_attempts: i32,
    /// The wait after the first failed attempt; it doubles each time.
    pub retry_base: Duration,
    /// The longest wait between attempts.
    pub retry_max: Duration,
    /// Deliveries in a row failing every attempt before a subscription is
    /// disabled.
    pub disable_after: i32,
    /// Attempts in flight at once, per instance.
    pub concurrency: usize,
    /// How often due deliveries are looked for when nothing wakes the worker.
    pub poll_interval: Duration,
    /// Events older than this, with nothing left to deliver, are removed.
    pub retention_days: i64,
    /// Non-public networks webhooks may nevertheless be sent to.
    pub allowed_networks: Vec<Network>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    /// A random JWT secret is made up when none is given.
    Development,
    /// A JWT secret of at least 32 bytes is required.
    Production,
}

#[derive(Clone)]
pub struct AuthSettings {
    pub environment: Environment,
    /// HS256 key for access tokens.
    pub jwt_secret: Vec<u8>,
    /// Whether `jwt_secret` was made up at start-up (development only).
    pub jwt_secret_generated: bool,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl_seconds: i64,
    pub refresh_token_ttl_seconds: i64,
    /// The first admin, created when the database has no users.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Sign-in attempts allowed per minute, per client address and per account.
    pub login_attempts_per_minute: std::num::NonZeroU32,
    /// Threads that hash passwords (bounds CPU and memory spent on logins).
    pub password_threads: usize,
}

#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    /// A read replica for anonymous reads (PostgreSQL only).
    pub read_url: Option<String>,
    /// Longest one statement may run on PostgreSQL before it is cancelled
    /// (and the request answered 503); `None`: no limit.
    pub statement_timeout: Option<std::time::Duration>,
}

#[derive(Clone, Debug)]
pub struct LogSettings {
    /// A `tracing` filter such as `info` or `broadside=debug,sea_orm=warn`.
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, thiserror::Error)]
#[error("setting {name} is invalid: {reason}")]
pub struct SettingError {
    pub name: &'static str,
    pub reason: String,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://broadside.db";

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads settings from `vars`; every unset variable takes its default.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, SettingError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let database_url = get("DATABASE_URL").unwrap_or(DEFAULT_DATABASE_URL).to_owned();
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(SettingError {
                name: "DATABASE_URL",
                reason: "must start with sqlite: or postgres://".into(),
            });
        }
        Ok(Self {
            listen: parse(get, "BROADSIDE_LISTEN", "127.0.0.1:8080")?,
            database: DatabaseSettings {
                read_url: read_url(get("DATABASE_READ_URL"), &database_url)?,
                url: database_url,
                max_connections: parse_in(get, "BROADSIDE_DB_MAX_CONNECTIONS", 8, 1..=1000)?,
                statement_timeout: match parse_in(
                    get,
                    "BROADSIDE_DB_STATEMENT_TIMEOUT_MS",
                    10_000,
                    0..=3_600_000,
                )? {
                    0 => None,
                    ms => Some(std::time::Duration::from_millis(ms)),
                },
            },
            workers: parse_in(get, "BROADSIDE_WORKERS", default_workers, 1..=256)?,
            log: LogSettings {
                filter: get("BROADSIDE_LOG").unwrap_or("info").to_owned(),
                format: match get("BROADSIDE_LOG_FORMAT").unwrap_or("pretty") {
                    "pretty" => LogFormat::Pretty,
                    "json" => LogFormat::Json,
                    _ => {
                        return Err(SettingError {
                            name: "BROADSIDE_LOG_FORMAT",
                            reason: "must be `pretty` or `json`".into(),
                        });
                    }
                },
            },
            seed_demo: parse_bool(get, "BROADSIDE_SEED_DEMO", true)?,
            default_locale: Locale::parse(get("BROADSIDE_DEFAULT_LOCALE").unwrap_or("en"))
                .map_err(|e| SettingError { name: "BROADSIDE_DEFAULT_LOCALE", reason: e.to_string() })?,
            auth: auth_settings(&get)?,
            scheduler_interval: std::time::Duration::from_millis(parse_in(
                get,
                "BROADSIDE_SCHEDULER_INTERVAL_MS",
                1000,
                50..=60_000,
            )?),
            cache: CacheSettings {
                enabled: parse_bool(get, "BROADSIDE_CACHE", true)?,
                max_bytes: parse_in(get, "BROADSIDE_CACHE_MAX_MB", 16, 1..=4096)? * 1024 * 1024,
                max_age: parse_in(get, "BROADSIDE_CACHE_MAX_AGE", 60, 0..=31_536_000)?,
                stale_while_revalidate: parse_in(
                    get,
                    "BROADSIDE_CACHE_STALE_WHILE_REVALIDATE",
                    300,
                    0..=31_536_000,
                )?,
            },
            cors_origins: cors_origins(get("BROADSIDE_CORS_ORIGINS"))?,
            stream_heartbeat: std::time::Duration::from_secs(parse_in(
                get,
                "BROADSIDE_STREAM_HEARTBEAT_SECONDS",
                15,
                1..=300,
            )?),
            body_timeout: std::time::Duration::from_secs(parse_in(
                get,
                "BROADSIDE_BODY_TIMEOUT_SECONDS",
                10,
                1..=300,
            )?),
            webhooks: webhook_settings(&get)?,
        })
    }
}

fn read_url(value: Option<&str>, primary: &str) -> Result<Option<String>, SettingError> {
    let Some(url) = value else { return Ok(None) };
    let postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
    if !postgres(url) || !postgres(primary) {
        return Err(SettingError {
            name: "DATABASE_READ_URL",
            reason: "must be a postgres:// URL, beside a PostgreSQL DATABASE_URL".into(),
        });
    }
    Ok(Some(url.to_owned()))
}

fn webhook_settings<'a>(get: &impl Fn(&str) -> Option<&'a str>) -> Result<WebhookSettings, SettingError> {
    use std::time::Duration;
    let mut allowed_networks = Vec::new();
    for network in get("BROADSIDE_WEBHOOK_ALLOWED_NETWORKS").unwrap_or("").split(',').map(str::trim) {
        if network.is_empty() {
            continue;
        }
        allowed_networks.push(network.parse::<Network>().map_err(|reason| SettingError {
            name: "BROADSIDE_WEBHOOK_ALLOWED_NETWORKS",
            reason: format!("`{network}`: {reason}"),
        })?);
    }
    Ok(WebhookSettings {
        enabled: parse_bool(get, "BROADSIDE_WEBHOOKS", true)?,
        timeout: Duration::from_secs(parse_in(get, "BROADSIDE_WEBHOOK_TIMEOUT_SECONDS", 10, 1..=120)?),
        max_attempts: parse_in(get, "BROADSIDE_WEBHOOK_MAX_ATTEMPTS", 12, 1..=50)?,
        retry_base: Duration::from_millis(parse_in(
            get,
            "BROADSIDE_WEBHOOK_RETRY_BASE_MS",
            5000,
            10..=3_600_000,
        )?),
        retry_max: Duration::from_secs(parse_in(
            get,
            "BROADSIDE_WEBHOOK_RETRY_MAX_SECONDS",
            3600,
            1..=86_400,
        )?),
        disable_after: parse_in(get, "BROADSIDE_WEBHOOK_DISABLE_AFTER", 5, 1..=10_000)?,
        concurrency: parse_in(get, "BROADSIDE_WEBHOOK_CONCURRENCY", 8, 1..=256)?,
        poll_interval: Duration::from_millis(parse_in(get, "BROADSIDE_WEBHOOK_POLL_MS", 1000, 20..=60_000)?),
        retention_days: parse_in(get, "BROADSIDE_WEBHOOK_RETENTION_DAYS", 30, 1..=3650)?,
        allowed_networks,
    })
}

fn auth_settings<'a>(get: &impl Fn(&str) -> Option<&'a str>) -> Result<AuthSettings, SettingError> {
    let environment = match get("BROADSIDE_ENV").unwrap_or("development") {
        "development" => Environment::Development,
        "production" => Environment::Production,
        _ => {
            return Err(SettingError {
                name: "BROADSIDE_ENV",
                reason: "must be `development` or `production`".into(),
            });
        }
    };
    let (jwt_secret, jwt_secret_generated) = match get("BROADSIDE_JWT_SECRET") {
        Some(secret) if secret.len() >= 32 => (secret.as_bytes().to_vec(), false),
        Some(_) if environment == Environment::Production => {
            return Err(SettingError {
                name: "BROADSIDE_JWT_SECRET",
                reason: "must be at least 32 bytes".into(),
            });
        }
        None if environment == Environment::Production => {
            return Err(SettingError {
                name: "BROADSIDE_JWT_SECRET",
                reason: "is required when BROADSIDE_ENV=production (at least 32 bytes)".into(),
            });
        }
        _ => {
            let mut key = [0u8; 32];
            rand::fill(&mut key);
            (key.to_vec(), true)
        }
    };
    let admin_email = get("BROADSIDE_ADMIN_EMAIL").map(str::to_owned);
    let admin_password = get("BROADSIDE_ADMIN_PASSWORD").map(str::to_owned);
    if let Some(password) = &admin_password
        && password.chars().count() < 12
    {
        return Err(SettingError {
            name: "BROADSIDE_ADMIN_PASSWORD",
            reason: "must be at least 12 characters".into(),
        });
    }
    if admin_password.is_some() && admin_email.is_none() {
        return Err(SettingError {
            name: "BROADSIDE_ADMIN_EMAIL",
            reason: "is required when BROADSIDE_ADMIN_PASSWORD is set".into(),
        });
    }
    let attempts: u32 = parse_in(get, "BROADSIDE_LOGIN_ATTEMPTS_PER_MINUTE", 10, 1..=10_000)?;
    Ok(AuthSettings {
        environment,
        jwt_secret,
        jwt_secret_generated,
        jwt_issuer: get("BROADSIDE_JWT_ISSUER").unwrap_or("broadside").to_owned(),
        jwt_audience: get("BROADSIDE_JWT_AUDIENCE").unwrap_or("broadside-api").to_owned(),
        access_token_ttl_seconds: parse_in(get, "BROADSIDE_ACCESS_TOKEN_TTL", 900, 30..=86_400)?,
        refresh_token_ttl_seconds: parse_in(
            get,
            "BROADSIDE_REFRESH_TOKEN_TTL",
            30 * 86_400,
            60..=365 * 86_400,
        )?,
        admin_email,
        admin_password,
        login_attempts_per_minute: std::num::NonZeroU32::new(attempts).unwrap_or(std::num::NonZeroU32::MIN),
        password_threads: parse_in(get, "BROADSIDE_PASSWORD_THREADS", 2, 1..=64)?,
    })
}

fn parse<'a, T>(
    get: impl Fn(&str) -> Option<&'a str>,
    name: &'static str,
    default: &str,
) -> Result<T, SettingError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    let raw = get(name).unwrap_or(default);
    raw.parse().map_err(|e: T::Err| SettingError { name, reason: format!("`{raw}`: {e}") })
}

/// `*`, or a comma-separated list of origins such as `https://example.org`.
fn cors_origins(value: Option<&str>) -> Result<Vec<String>, SettingError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let mut origins = Vec::new();
    for origin in value.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let valid = origin == "*"
            || url::Url::parse(origin).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.path() == "/"
                    && u.query().is_none()
                    && !origin.ends_with('/')
            });
        if !valid {
            return Err(SettingError {
                name: "BROADSIDE_CORS_ORIGINS",
                reason: format!("`{origin}` is not an origin such as https://example.org, or *"),
            });
        }
        origins.push(origin.to_owned());
    }
    Ok(origins)
}

fn parse_in<'a, T>(
    get: impl Fn(&str) -> Option<&'a str>,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, SettingError>
where
    T: FromStr + PartialOrd + fmt::Display + Copy,
    T::Err: fmt::Display,
{
    let Some(raw) = get(name) else { return Ok(default) };
    let value: T = raw.parse().map_err(|e: T::Err| SettingError { name, reason: format!("`{raw}`: {e}") })?;
    if !range.contains(&value) {
        return Err(SettingError {
            name,
            reason: format!("{value} is outside {}..={}", range.start(), range.end()),
        });
    }
    Ok(value)
}

fn parse_bool<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
    name: &'static str,
    default: bool,
) -> Result<bool, SettingError> {
    match get(name) {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(SettingError { name, reason: format!("`{other}` is not true or false") }),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database.url))
            .field("database_max_connections", &self.database.max_connections)
            .field("workers", &self.workers)
            .field("log", &self.log)
            .field("seed_demo", &self.seed_demo)
            .field("default_locale", &self.default_locale.as_str())
            .field("environment", &self.auth.environment)
            .field("jwt_secret", &"[redacted]")
            .field("admin_email", &self.auth.admin_email)
            .finish()
    }
}

/// The URL with any password replaced, fit for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn defaults_need_no_environment() {
        let settings = Settings::from_vars(&HashMap::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.database.url, DEFAULT_DATABASE_URL);
        assert!(settings.seed_demo);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (name, value) in [
            ("BROADSIDE_LISTEN", "nowhere"),
            ("BROADSIDE_WORKERS", "0"),
            ("BROADSIDE_DB_MAX_CONNECTIONS", "many"),
            ("BROADSIDE_LOG_FORMAT", "xml"),
            ("BROADSIDE_SEED_DEMO", "perhaps"),
            ("BROADSIDE_DEFAULT_LOCALE", "english"),
            ("DATABASE_URL", "mysql://x"),
            ("BROADSIDE_ENV", "staging"),
            ("BROADSIDE_SCHEDULER_INTERVAL_MS", "1"),
            ("BROADSIDE_ADMIN_PASSWORD", "short"),
            ("BROADSIDE_ACCESS_TOKEN_TTL", "0"),
            ("BROADSIDE_CACHE", "sometimes"),
            ("BROADSIDE_CACHE_MAX_MB", "0"),
            ("BROADSIDE_CORS_ORIGINS", "example.org"),
            ("BROADSIDE_CORS_ORIGINS", "https://example.org/path"),
            ("DATABASE_READ_URL", "sqlite://replica.db"),
            ("BROADSIDE_WEBHOOKS", "maybe"),
            ("BROADSIDE_WEBHOOK_MAX_ATTEMPTS", "0"),
            ("BROADSIDE_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/33"),
            ("BROADSIDE_WEBHOOK_ALLOWED_NETWORKS", "localhost"),
        ] {
            let error = Settings::from_vars(&vars(&[(name, value)])).err();
            assert_eq!(error.map(|e| e.name), Some(name), "{name}={value}");
        }
    }

    #[test]
    fn production_refuses_a_missing_or_short_jwt_secret() {
        for vars_given in [
            vars(&[("BROADSIDE_ENV", "production")]),
            vars(&[("BROADSIDE_ENV", "production"), ("BROADSIDE_JWT_SECRET", "too short")]),
        ] {
            let error = Settings::from_vars(&vars_given).err();
            assert_eq!(error.map(|e| e.name), Some("BROADSIDE_JWT_SECRET"));
        }
        let secret = "x".repeat(32);
        let ok =
            Settings::from_vars(&vars(&[("BROADSIDE_ENV", "production"), ("BROADSIDE_JWT_SECRET", &secret)]));
        assert!(ok.is_ok_and(|s| !s.auth.jwt_secret_generated));
        let development = Settings::from_vars(&HashMap::new());
        assert!(development.is_ok_and(|s| s.auth.jwt_secret_generated && s.auth.jwt_secret.len() >= 32));
    }

    #[test]
    fn passwords_are_redacted_from_debug_output() {
        let settings = Settings::from_vars(&vars(&[
            ("DATABASE_URL", "postgres://app:s3cret@db/broadside"),
            ("BROADSIDE_JWT_SECRET", "jwt-secret-jwt-secret-jwt-secret-42"),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("jwt-secret"), "{shown}");
    }
}
