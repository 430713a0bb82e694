//! A real, throwaway PostgreSQL server for tests: `initdb` + `pg_ctl` in a temporary folder,
//! listening only on a Unix socket in that folder (no TCP port, so parallel test binaries never
//! collide), trust authentication for the `postgres` role, stopped and deleted at the end.
//!
//! * Binaries: `$MASTERCARD_POSTGRES_BIN`, else the newest `/usr/lib/postgresql/<version>/bin`
//!   (Debian's `postgresql` package), else `initdb` on `PATH`.
//! * Absent binaries: the caller skips with a message, unless `MASTERCARD_POSTGRES_REQUIRED=1`
//!   (set by `.ci/run`), which makes absence a failure.
//! * As root (CI): `initdb` and `postgres` refuse to run as root, so the cluster runs as
//!   `nobody` (`setpriv --reuid/--regid`, no PAM, no login shell needed) in a folder handed to
//!   that user; the test process connects over the socket as the `postgres` role.
//! * Cleanup: [`PostgresServer`]'s `Drop` stops the cluster; the [`shared`] server lives in a
//!   `static` whose destructor never runs, so it is started with a watchdog process that waits
//!   for the test process to exit (`tail --pid`) and then stops the cluster and removes its folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running throwaway cluster.
#[derive(Debug)]
pub struct PostgresServer {
    root: PathBuf,
    bin: PathBuf,
    run_as: Option<(u32, u32)>,
    stopped_by_drop: bool,
}

/// The folder of `initdb`, `pg_ctl`, `psql`, or `None`.
pub fn binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MASTERCARD_POSTGRES_BIN") {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").is_file().then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    })
}

fn required() -> bool {
    std::env::var("MASTERCARD_POSTGRES_REQUIRED").as_deref() == Ok("1")
}

fn is_root() -> bool {
    // `id -u` keeps this crate free of libc; it runs once per test binary.
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The uid/gid of `nobody`/`nogroup` (65534 where the files do not say otherwise).
fn nobody() -> (u32, u32) {
    let field = |file: &str, name: &str, index: usize| {
        std::fs::read_to_string(file).ok().and_then(|text| {
            text.lines()
                .map(|line| line.split(':').collect::<Vec<_>>())
                .find(|fields| fields.first() == Some(&name))
                .and_then(|fields| fields.get(index).and_then(|id| id.parse().ok()))
        })
    };
    let uid = field("/etc/passwd", "nobody", 2).unwrap_or(65534);
    let gid = field("/etc/passwd", "nobody", 3).unwrap_or(65534);
    (uid, gid)
}

impl PostgresServer {
    /// Starts a cluster, or returns `None` (after printing why) when no PostgreSQL binaries are
    /// installed and `MASTERCARD_POSTGRES_REQUIRED` is not `1`. Panics when a present
    /// installation fails to start: a broken fixture must stop the test.
    pub fn start() -> Option<Self> {
        let Some(bin) = binaries() else {
            assert!(
                !required(),
                "MASTERCARD_POSTGRES_REQUIRED=1 but no PostgreSQL binaries were found (install \
                 Debian's `postgresql` package or set MASTERCARD_POSTGRES_BIN)"
            );
            println!(
                "skipped: no PostgreSQL binaries (install the `postgresql` package or set \
                 MASTERCARD_POSTGRES_BIN; MASTERCARD_POSTGRES_REQUIRED=1 makes this a failure)"
            );
            return None;
        };
        Some(Self::start_with(&bin))
    }

    fn start_with(bin: &Path) -> Self {
        static SEQUENCE: AtomicU32 = AtomicU32::new(0);
        let root = std::env::temp_dir().join(format!(
            "mastercard-pg-{}-{}",
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let run_as = is_root().then(nobody);
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(&root, Some(uid), Some(gid)).unwrap();
        }
        let server = Self {
            root,
            bin: bin.to_owned(),
            run_as,
            stopped_by_drop: true,
        };
        let data = server.data_dir();
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "--no-locale".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        let options = format!(
            "-c listen_addresses='' -k {} -p 5432 -c fsync=off -c max_connections=200",
            server.root.display()
        );
        let log = server.root.join("server.log");
        server.run(
            "pg_ctl",
            &[
                "start".as_ref(),
                "-w".as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
            ],
        );
        server
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The command line for `program` of the installation, as the cluster's user.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match self.run_as {
            Some((uid, gid)) => {
                let mut command = Command::new("setpriv");
                command
                    .arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg("--")
                    .arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let output = self
            .command(program)
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
        assert!(
            output.status.success(),
            "{program} failed ({}): {}{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
        );
    }

    /// The folder of the server's Unix socket.
    pub fn socket_dir(&self) -> &Path {
        &self.root
    }

    /// A connection string (key=value form) for `database` as the `postgres` role.
    pub fn connection_string(&self, database: &str) -> String {
        format!(
            "host={} port=5432 user=postgres dbname={database}",
            self.root.display()
        )
    }

    /// Creates an empty database named `name` (letters, digits, `_`) and returns its
    /// connection string: each test gets its own.
    pub fn create_database(&self, name: &str) -> String {
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "database name {name:?}"
        );
        let output = Command::new(self.bin.join("psql"))
            .args(["-h"])
            .arg(&self.root)
            .args([
                "-p",
                "5432",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
            ])
            .arg(format!("CREATE DATABASE {name}"))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run psql: {error}"));
        assert!(
            output.status.success(),
            "CREATE DATABASE {name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.connection_string(name)
    }

    /// Runs `sql` with `psql` on the database of `connection_string` (from
    /// [`PostgresServer::create_database`]) and returns its unaligned output, trimmed.
    pub fn query(&self, connection_string: &str, sql: &str) -> String {
        let database = connection_string
            .split_whitespace()
            .find_map(|part| part.strip_prefix("dbname="))
            .unwrap_or("postgres");
        let output = Command::new(self.bin.join("psql"))
            .arg("-h")
            .arg(&self.root)
            .args([
                "-p",
                "5432",
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                sql,
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run psql: {error}"));
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Stops the cluster now (immediate shutdown) and deletes its folder.
    pub fn stop(&mut self) {
        if !self.stopped_by_drop {
            return;
        }
        self.stopped_by_drop = false;
        let data = self.data_dir();
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-w", "-m", "immediate", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.root);
    }

    /// Hands cleanup to a watchdog that stops the cluster when this process exits (for a
    /// server kept in a `static`).
    // The watchdog is meant to outlive this process: nobody waits for it.
    #[allow(clippy::zombie_processes)]
    fn stop_when_process_exits(&mut self) {
        let data = self.data_dir();
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = match self.run_as {
            Some((uid, gid)) => format!(
                "setpriv --reuid={uid} --regid={gid} --clear-groups -- '{}' stop -w -m immediate -D '{}'",
                pg_ctl.display(),
                data.display()
            ),
            None => format!(
                "'{}' stop -w -m immediate -D '{}'",
                pg_ctl.display(),
                data.display()
            ),
        };
        let script = format!(
            "tail --pid={} -f /dev/null; {stop} >/dev/null 2>&1; rm -rf '{}'",
            std::process::id(),
            self.root.display()
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.stopped_by_drop = false;
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One server for the whole test binary (started on first use, stopped when the process
/// exits), or `None` when skipped (see [`PostgresServer::start`]).
pub fn shared() -> Option<&'static PostgresServer> {
    static SERVER: OnceLock<Option<PostgresServer>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            let mut server = PostgresServer::start()?;
            server.stop_when_process_exits();
            Some(server)
        })
        .as_ref()
}

/// A fresh database on the [`shared`] server, named after the test (`None` when skipped).
pub fn fresh_database(test: &str) -> Option<String> {
    static SEQUENCE: AtomicU32 = AtomicU32::new(0);
    let server = shared()?;
    let name: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    Some(server.create_database(&format!(
        "t{}_{name}",
        SEQUENCE.fetch_add(1, Ordering::SeqCst)
    )))
}
