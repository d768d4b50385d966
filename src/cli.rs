//! The `broadside` command line: `serve` (the default), `migrate`, `seed`
//! and `openapi`.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::services::seed::{self, DemoOutcome};
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
            database::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { synthetic } => {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            match seed::load_demo(&db).await? {
                DemoOutcome::Loaded => println!("demo content loaded"),
                _ => println!("demo content already present"),
            }
            if let Some(n) = synthetic {
                let started = std::time::Instant::now();
                let report = seed::load_synthetic(&db, n).await?;
                database::analyze(&db).await?;
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
    }
}
