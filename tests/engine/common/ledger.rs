//! The operation ledger: every request the suite's clients carry, by operation and the
//! daemon's status, appended to `$DOCKER_ENGINE_TEST_DIR/ledger/<engine>/<pid>.tsv`. After
//! the suite has run on every engine, `tests/ledger.rs` checks that every operation of the
//! spec was called on each and got what its test expected.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::sync::{Mutex, OnceLock};

use docker_engine::CallRecord;

fn file() -> &'static Mutex<File> {
    static FILE: OnceLock<Mutex<File>> = OnceLock::new();
    FILE.get_or_init(|| {
        let e = super::engine();
        let dir = std::path::Path::new(&e.dir).join("ledger").join(&e.name);
        std::fs::create_dir_all(&dir).expect("create the ledger directory");
        let path = dir.join(format!("{}.tsv", std::process::id()));
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("open the ledger {}: {e}", path.display()));
        Mutex::new(f)
    })
}

fn write(line: &str) {
    let mut f = file().lock().unwrap_or_else(|p| p.into_inner());
    f.write_all(line.as_bytes()).expect("write the ledger");
}

/// The observer every suite client carries: one `operation<TAB>status` line per request.
pub fn record(call: &CallRecord<'_>) {
    let status = call.status.map_or("-".to_string(), |s| s.to_string());
    write(&format!("{}\t{status}\n", call.operation));
}

/// Notes that a test asserted `status` from `operation` (the generated method's name) as
/// the answer an engine gives when the feature cannot work here (the checker counts it as
/// exercised).
pub fn expected_error(operation: &str, status: u16) {
    write(&format!("{operation}\t{status}\texpected\n"));
}
