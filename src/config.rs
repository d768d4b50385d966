//! One typed `Settings`, read once from the environment (and `.env` in
//! development) and checked at start-up: a bad value stops the process with a
//! message that names the variable. `.env.example` documents every variable.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use crate::domain::Locale;

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
}

#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
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
                url: database_url,
                max_connections: parse_in(get, "BROADSIDE_DB_MAX_CONNECTIONS", 8, 1..=1000)?,
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
        })
    }
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
        ] {
            let error = Settings::from_vars(&vars(&[(name, value)])).err();
            assert_eq!(error.map(|e| e.name), Some(name), "{name}={value}");
        }
    }

    #[test]
    fn passwords_are_redacted_from_debug_output() {
        let settings = Settings::from_vars(&vars(&[("DATABASE_URL", "postgres://app:s3cret@db/broadside")]))
            .unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
