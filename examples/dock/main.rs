//! `dock`: a docker-like CLI on docker-engine, as a user would build it in an afternoon.
//!
//! ```sh
//! cargo run --example dock --features tls -- ps -a
//! cargo run --example dock --features tls -- pull 127.0.0.1:25000/app:1
//! cargo run --example dock --features tls -- run --rm -it busybox sh
//! ```
//!
//! It connects as the docker CLI does (`DOCKER_HOST`, `DOCKER_CONTEXT`, `DOCKER_TLS_VERIFY`,
//! `DOCKER_CERT_PATH`, through [`Docker::from_env`]), or to `-H/--host` or `--context`.
//! Tables, times and sizes are printed as the docker CLI prints them; exit codes are the
//! docker CLI's: the remote code for an attached `run` and for `exec`, 125 when the daemon
//! refuses a `run`, 1 for other errors, with `Error response from daemon: <message>`.
//! `tests/dock/` drives it in tmux against the test engines and compares its output with
//! the docker CLI's.

mod containers;
mod fmt;
mod images;
mod system;
mod term;

use clap::{Parser, Subcommand};
use docker_engine::{Docker, Error};

#[derive(Parser)]
#[command(name = "dock", about = "A docker-like CLI on the docker-engine crate")]
struct Cli {
    /// Daemon socket to connect to (as DOCKER_HOST).
    #[arg(short = 'H', long = "host", global = true)]
    host: Option<String>,
    /// Docker context to use (as DOCKER_CONTEXT).
    #[arg(long, global = true)]
    context: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List containers.
    Ps(containers::PsArgs),
    /// List images.
    Images(images::ImagesArgs),
    /// Pull an image from a registry.
    Pull { reference: String },
    /// Push an image to a registry.
    Push { reference: String },
    /// Build an image from a directory with a Dockerfile.
    Build(images::BuildArgs),
    /// Create and run a container.
    Run(containers::RunArgs),
    /// Run a command in a running container.
    Exec(containers::ExecArgs),
    /// Fetch the logs of a container.
    Logs(containers::LogsArgs),
    /// Remove containers.
    Rm(containers::RmArgs),
    /// Remove images.
    Rmi {
        #[arg(short, long)]
        force: bool,
        #[arg(required = true)]
        images: Vec<String>,
    },
    /// Low-level information on containers or images, as JSON.
    Inspect {
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Follow the daemon's events.
    Events(system::EventsArgs),
    /// Live resource usage of running containers.
    Stats(containers::StatsArgs),
    /// Client and server versions.
    Version,
    /// System-wide information.
    Info,
    /// Log in to a registry.
    Login(images::LoginArgs),
}

/// How a command failed, and the exit code it means.
pub enum Failure {
    /// A daemon (or connection) error: printed as the docker CLI prints it, exit 1.
    Daemon(Error),
    /// Any other failure, with its message.
    Other(String),
    /// Exit with this code, nothing printed (the message, if any, is out already).
    Exit(i32),
    /// A daemon error in `run`: exit 125.
    Run(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Daemon(e)
    }
}

/// What a command returns.
pub type Outcome = Result<(), Failure>;

/// The end of a command on several objects (`rm`, `rmi`): each error was printed as it
/// came, and any of them makes the exit code 1, as with the docker CLI.
pub fn exit_if_any_failed(failed: bool) -> Outcome {
    if failed {
        Err(Failure::Exit(1))
    } else {
        Ok(())
    }
}

/// The docker CLI's words for a daemon error.
pub fn describe(e: &Error) -> String {
    match e {
        Error::NotFound { message } | Error::Conflict { message } | Error::Api { message, .. } => {
            format!("Error response from daemon: {message}")
        }
        other => format!("Error: {other}"),
    }
}

fn connect(cli: &Cli) -> docker_engine::Result<Docker> {
    if let Some(host) = &cli.host {
        return Docker::builder().env()?.host(host.clone()).build();
    }
    if let Some(context) = &cli.context {
        return Docker::from_context(context);
    }
    Docker::from_env()
}

#[tokio::main]
async fn main() {
    // Output to a reader that went away (`dock ps | head -1`) ends dock quietly, as SIGPIPE
    // ends the docker CLI, instead of a panic message about the broken pipe.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default_hook(info);
    }));
    let cli = Cli::parse();
    let docker = match connect(&cli) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}", describe(&e));
            std::process::exit(1);
        }
    };
    let outcome = match cli.command {
        Command::Ps(a) => containers::ps(&docker, a).await,
        Command::Images(a) => images::images(&docker, a).await,
        Command::Pull { reference } => images::pull(&docker, &reference).await,
        Command::Push { reference } => images::push(&docker, &reference).await,
        Command::Build(a) => images::build(&docker, a).await,
        Command::Run(a) => containers::run(&docker, a).await,
        Command::Exec(a) => containers::exec(&docker, a).await,
        Command::Logs(a) => containers::logs(&docker, a).await,
        Command::Rm(a) => containers::rm(&docker, a).await,
        Command::Rmi { force, images } => images::rmi(&docker, force, images).await,
        Command::Inspect { names } => system::inspect(&docker, names).await,
        Command::Events(a) => system::events(&docker, a).await,
        Command::Stats(a) => containers::stats(&docker, a).await,
        Command::Version => system::version(&docker, cli.context.as_deref()).await,
        Command::Info => system::info(&docker).await,
        Command::Login(a) => images::login(&docker, a).await,
    };
    let code = match outcome {
        Ok(()) => 0,
        Err(Failure::Daemon(e)) => {
            eprintln!("{}", describe(&e));
            1
        }
        Err(Failure::Run(e)) => {
            eprintln!("{}", describe(&e));
            125
        }
        Err(Failure::Other(message)) => {
            eprintln!("{message}");
            1
        }
        Err(Failure::Exit(code)) => code,
    };
    std::process::exit(code);
}
