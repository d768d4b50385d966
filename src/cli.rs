//! The `broadside` command line: `serve` (the default), `migrate`, `seed`
//! and `openapi`.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::auth::passwords::Passwords;
use crate::auth::{Role, Scope};
use crate::config::Settings;
use crate::services::seed::{self, DemoOutcome};
use crate::services::{api_keys, maintenance, users};
use crate::startup::Application;
use crate::{database, openapi};

#[derive(Debug, Parser)]
#[command(
    name = "broadside",
    version,
    about = "A headless JSON content API for essays, song lyrics and event listings."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API (the default command).
    Serve {
        /// Address to listen on, as HOST:PORT [default: BROADSIDE_LISTEN or 127.0.0.1:8080]
        #[arg(long, value_name = "HOST:PORT")]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Load the demo content (unless present) and, with --synthetic, generated documents.
    Seed {
        /// Make sure N deterministic generated documents of each type exist.
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
    },
    /// Print the OpenAPI document to standard output.
    Openapi,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys for integrators.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        #[arg(long)]
        email: String,
        /// admin, editor or author.
        #[arg(long)]
        role: String,
    },
    /// List users.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key and print it (it is shown only this once).
    Create {
        #[arg(long)]
        name: String,
        /// content:read or content:write; repeat for both.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// When the key stops working (RFC 3339).
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
}

pub async fn run(cli: Cli, mut settings: Settings) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                settings.listen = listen;
            }
            let application = Application::build(settings).await?;
            let base = format!("http://{}", application.address());
            tracing::info!(api = %format!("{base}/v1"), docs = %format!("{base}/docs/"), "Broadside is listening");
            application.run_until_stopped().await.context("the HTTP server failed")
        }
        Command::Migrate => {
            let db = database::connect(&settings.database).await?;
            maintenance::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { synthetic } => {
            let db = database::connect(&settings.database).await?;
            maintenance::migrate(&db).await?;
            match seed::load_demo(&db, &crate::routes::v1::renderers()).await? {
                DemoOutcome::Loaded => println!("demo content loaded"),
                _ => println!("demo content already present"),
            }
            if let Some(n) = synthetic {
                let started = std::time::Instant::now();
                let (mut shown, mut first) = (std::time::Instant::now(), None);
                let mut progress = |done: usize, total: usize| {
                    let first = *first.get_or_insert(done.saturating_sub(1_000));
                    if shown.elapsed().as_secs() >= 2 || done == total {
                        shown = std::time::Instant::now();
                        let rate = (done - first) as f64 / started.elapsed().as_secs_f64().max(0.001);
                        eprintln!("seeding: {done} of {total} documents present ({rate:.0} added a second)");
                    }
                };
                let report =
                    seed::load_synthetic(&db, n, &crate::routes::v1::renderers(), &mut progress).await?;
                // What a migration left stale is rendered now, not by a
                // server under load.
                let renderers = crate::routes::v1::renderers();
                while crate::services::renderings::render_stale(&db, &renderers, 1_000).await? > 0 {}
                // Statistics change only with what was added: analysing a
                // million documents for nothing reads the whole file (two
                // minutes, cold). Left stale by an interrupted seed, they
                // are refreshed as the next process connects (`PRAGMA
                // optimize`, see `database::connect`).
                if report.added_per_type > 0 {
                    database::analyze(&db).await?;
                }
                println!(
                    "synthetic content: {} of each type present, {} of each added in {:.1} s",
                    n,
                    report.added_per_type,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Openapi => {
            print!("{}", openapi::pretty_json()?);
            Ok(())
        }
        Command::User(command) => user(command, &settings).await,
        Command::ApiKey(command) => api_key(command, &settings).await,
    }
}

async fn user(command: UserCommand, settings: &Settings) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    maintenance::migrate(&db).await?;
    match command {
        UserCommand::Add { email, role } => {
            let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            if !users::valid_email(&email) {
                anyhow::bail!("--email: `{email}` is not an email address");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            if password.chars().count() < 12 {
                anyhow::bail!("the password must be at least 12 characters");
            }
            let hash = Passwords::new(1)?.hash(password).await?;
            let user = users::create(&db, &email, hash, role).await?;
            println!("added {} ({}) {}", user.email, user.role, user.id);
        }
        UserCommand::List => {
            for user in users::list(&db).await? {
                println!("{}\t{}\t{}\t{}", user.id, user.email, user.role, user.created_at.to_rfc3339());
            }
        }
    }
    Ok(())
}

async fn api_key(command: ApiKeyCommand, settings: &Settings) -> anyhow::Result<()> {
    let db = database::connect(&settings.database).await?;
    maintenance::migrate(&db).await?;
    match command {
        ApiKeyCommand::Create { name, scopes, expires_at } => {
            let scopes: Vec<Scope> = scopes
                .iter()
                .map(|s| s.parse().map_err(|e| anyhow::anyhow!("--scope: {e}")))
                .collect::<Result<_, _>>()?;
            if name.trim().is_empty() {
                anyhow::bail!("--name must not be empty");
            }
            let (model, key) = api_keys::create(&db, name.trim(), &scopes, expires_at, None).await?;
            eprintln!("created API key {} ({}); it is shown only this once:", model.id, model.name);
            println!("{key}");
        }
    }
    Ok(())
}
