//! Every parser of outside input, on 1,000,000 generated inputs each, must answer `Ok` or
//! `Err` without panicking: `DOCKER_HOST`, `.dockerignore` patterns and the paths matched
//! against them, `config.json` and its `auth` values, credential-helper output, the archive
//! path-stat header, the frame demuxer and the JSON-lines framer and decoder.
//!
//! Needs no engine. The inputs are deterministic: a seeded xorshift generator builds valid
//! inputs from the pieces of each format, and a mutator flips bytes, inserts awkward tokens
//! and long runs, deletes, truncates and splices (a quarter of the inputs stay valid, and
//! there the result is checked against what was built). A panic or a failed invariant
//! prints the input that caused it; `-- --nocapture` prints the counts and times, and
//! `PARSERS_FUZZ_SEED=n` runs other inputs. The private parsers are reached through
//! `docker_engine::__fuzz`, which is not part of the API.

use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
use bytes::Bytes;
use docker_engine::__fuzz;
use docker_engine::auth::{DockerConfig, RegistryAuth, registry_of};
use docker_engine::containers::PathStat;
use docker_engine::images::DockerIgnore;
use docker_engine::stream::LogChunk;
use docker_engine::stream::demux::{Demuxer, MAX_FRAME, encode_frame};
use docker_engine::stream::json_lines::{JsonLines, MAX_LINE, decode_line};
use docker_engine::types::op;
use docker_engine::{Error, Host};
use serde_json::Value;

/// Inputs per parser.
const CASES: usize = 1_000_000;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

impl Rng {
    /// The generator of one parser; `PARSERS_FUZZ_SEED=n` gives every parser other inputs
    /// (to search further by hand; the default is what CI runs).
    fn new(parser: u64) -> Rng {
        let extra = std::env::var("PARSERS_FUZZ_SEED")
            .ok()
            .map(|s| s.parse::<u64>().expect("PARSERS_FUZZ_SEED is a number"))
            .unwrap_or(0);
        let seed = parser.wrapping_add(extra.wrapping_mul(0x1000_0000_01b3));
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
}

/// What the mutator inserts: separators and escapes of every format, bytes that are not
/// UTF-8, numbers at the edges of their types.
const TOKENS: &[&[u8]] = &[
    b"\\",
    b"/",
    b"%",
    b"..",
    b"?",
    b"#",
    b"@",
    b":",
    b"[",
    b"]",
    b"!",
    b"*",
    b"**",
    b"^",
    b"-",
    b"\"",
    b"{",
    b"}",
    b",",
    b"\0",
    b"\x01",
    b"\x1b",
    b"\x7f",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b" ",
    b"=",
    "é".as_bytes(),
    "\u{feff}".as_bytes(),
    "\u{10ffff}".as_bytes(),
    "日本".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"0",
    b"-1",
    b"65535",
    b"65536",
    b"4294967296",
    b"18446744073709551616",
    b"1e999",
    b"null",
    b"[]",
    b"{}",
    b"\\u0000",
    b"\\ud800",
    b"%2f",
    b"://",
    b"[::1]",
];

/// Apply up to a few random edits to `buf` (none for a quarter of the inputs), keeping it
/// within `max_len`; `others` are what splices take from. Whether anything was applied.
fn mutate(rng: &mut Rng, buf: &mut Vec<u8>, others: &[Vec<u8>], max_len: usize) -> bool {
    let rounds = match rng.below(8) {
        0 | 1 => 0,
        2..=5 => 1 + rng.below(2),
        _ => 2 + rng.below(6),
    };
    for _ in 0..rounds {
        let len = buf.len();
        let at = rng.below(len + 1);
        match rng.below(12) {
            0 if at < len => buf[at] ^= 1 << rng.below(8),
            1 if at < len => buf[at] = rng.next() as u8,
            5 if rng.one_in(3) => {
                let token = rng.pick(TOKENS);
                let run = token.repeat(16 + rng.below(max_len / 2 / token.len()));
                buf.splice(at..at, run);
            }
            6 if at < len => {
                let end = (at + 1 + rng.below(8)).min(len);
                buf.drain(at..end);
            }
            7 => buf.truncate(at),
            8 => {
                let other = rng.pick(others);
                let from = rng.below(other.len() + 1);
                buf.truncate(at);
                buf.extend_from_slice(&other[from..]);
            }
            9 => {
                let other = rng.pick(others);
                let from = rng.below(other.len() + 1);
                let to = from + rng.below(other.len() - from + 1);
                buf.splice(at..at, other[from..to].iter().copied());
            }
            10 if at < len => {
                let end = (at + 1 + rng.below(16)).min(len);
                let copy = buf[at..end].to_vec();
                buf.splice(at..at, copy);
            }
            11 if at < len => buf[at] = *rng.pick(b"09azAZ/:.@[]-_ "),
            _ => {
                let token = rng.pick(TOKENS);
                buf.splice(at..at, token.iter().copied());
            }
        }
        buf.truncate(max_len);
    }
    rounds > 0
}

/// Run `f`; if it panics (a parser, or a failed invariant), print the input first.
fn guarded<T>(what: &str, input: &[u8], f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(panic) => {
            eprintln!(
                "{what} panicked on input ({} bytes): b\"{}\"",
                input.len(),
                input.escape_ascii()
            );
            resume_unwind(panic)
        }
    }
}

/// Print and check the count of one parser.
fn report(parser: &str, started: Instant, inputs: usize, accepted: usize, extra: &str) {
    let took = started.elapsed().as_secs_f64();
    println!("{parser}: {inputs} inputs, {accepted} accepted{extra} ({took:.1} s)");
    assert!(inputs >= 1_000_000, "{parser}: only {inputs} inputs");
    // The generator must reach both sides of the parser.
    assert!(
        accepted > 0 && accepted < inputs,
        "{parser}: {accepted} accepted"
    );
}

fn corpus(seeds: &[&str]) -> Vec<Vec<u8>> {
    seeds.iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

// --- DOCKER_HOST ---------------------------------------------------------------------------

const HOST_SEEDS: &[&str] = &[
    "unix:///var/run/docker.sock",
    "unix:///run/user/1000/docker.sock",
    "tcp://[::1]:2376",
    "ssh://u@h:22",
    "tcp://h:2376/prefix/",
    "tcp://127.0.0.1:2375",
    "https://docker.example.com:2376",
    "http://localhost",
    "tcp://[fe80::1%25eth0]:2376",
    "npipe:////./pipe/docker_engine",
    "fd://",
    "tcp://:2375",
    "unix://",
    "tcp//missing-colon",
];

fn gen_host(rng: &mut Rng) -> Vec<u8> {
    if rng.one_in(3) {
        return rng.pick(HOST_SEEDS).as_bytes().to_vec();
    }
    let scheme = rng.str(&[
        "unix", "unix", "tcp", "tcp", "http", "https", "ssh", "npipe", "fd", "TCP", "", "tcp:",
    ]);
    let sep = if rng.one_in(10) {
        rng.str(&[":/", ":", "//", ":///", ":////"])
    } else {
        "://"
    };
    let mut s = format!("{scheme}{sep}");
    if scheme == "unix" {
        s += rng.str(&[
            "/var/run/docker.sock",
            "/var/run/docker.sock",
            "",
            "relative.sock",
            "//double",
            "/a/../b",
            "/with space",
            "/é",
            "/",
        ]);
        return s.into_bytes();
    }
    s += rng.str(&["", "", "", "", "u@", "user:pass@", "@"]);
    s += rng.str(&[
        "localhost",
        "127.0.0.1",
        "[::1]",
        "::1",
        "[fe80::1%eth0]",
        "[::1",
        "::1]",
        "docker.example.com",
        "",
        "h",
        "é.example",
        "[]",
        "[[::1]]",
        "0.0.0.0",
    ]);
    s += rng.str(&[
        "",
        "",
        ":2376",
        ":2375",
        ":0",
        ":1",
        ":65535",
        ":65536",
        ":99999999999999999999999",
        ":-1",
        ":",
        ":+1",
        ": 1",
        ":2376:2376",
    ]);
    s += rng.str(&[
        "",
        "",
        "",
        "/",
        "//",
        "/prefix/",
        "/var/run/docker.sock",
        "?x=1",
        "#f",
        "/..",
        "%2F",
    ]);
    s.into_bytes()
}

#[test]
fn docker_host() {
    let started = Instant::now();
    let mut rng = Rng::new(1);
    let seeds = corpus(HOST_SEEDS);
    let (mut inputs, mut accepted) = (0, 0);
    for _ in 0..CASES {
        let mut input = gen_host(&mut rng);
        mutate(&mut rng, &mut input, &seeds, 4096);
        // Only "no panic": the parser is being reworked, its answers are not pinned here.
        let ok = guarded("Host::parse", &input, || Host::parse(&text(&input)).is_ok());
        inputs += 1;
        accepted += usize::from(ok);
    }
    report("DOCKER_HOST", started, inputs, accepted, "");
}

// --- .dockerignore ---------------------------------------------------------------------------

const IGNORE_SEEDS: &[&str] = &[
    "*.log\n!important.log\n**/node_modules\n[a-z]*.tmp\nfoo\\*bar\n",
    "# comment\n.git\n!.gitignore\n/build/\n**\n!keep/**\n",
    "\u{feff}# c\n\n  \n  *.log  \r\n! /keep.log\n",
    "dir\nbuild\n!dir/keep.txt\n!**/x.keep\n",
    "out\n!out/*/x\n[^0-9]?\n**x\na/**/b\n[\\]]\n[a-c-e]\n",
    "../outside\n./here\n/\n!/\n!\n[\n\\\n",
];

const IGNORE_SEGMENTS: &[&str] = &[
    "*",
    "**",
    "*.log",
    "[a-z]",
    "[^0-9]*",
    "[\\]]",
    "[a-]",
    "[]",
    "[",
    "]",
    "a\\*b",
    "\\",
    "\\\\",
    "dir",
    "build",
    "keep.txt",
    "..",
    ".",
    "",
    "?",
    "x?y",
    "é",
    "日本",
    "a b",
    "[!-~]",
    "[a-c-e]",
    "[z-a]",
    "**x",
    "node_modules",
    ".git",
    "\\[",
    "[\\",
    "[^",
];

const PATH_SEGMENTS: &[&str] = &[
    "a",
    "b.log",
    "dir",
    "build",
    "keep.txt",
    "x",
    "x.keep",
    "node_modules",
    ".git",
    "..",
    ".",
    "",
    "é",
    "a b",
    "\\",
    "[",
    "*",
    "important.log",
    "out",
    "sub",
];

fn gen_ignore(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::new();
    if rng.one_in(20) {
        s.push('\u{feff}');
    }
    for _ in 0..1 + rng.below(4) {
        s += rng.str(&["", "", "", "", "!", "! ", " !", "#", "# ", "/", "!/", "  "]);
        for i in 0..1 + rng.below(4) {
            if i > 0 {
                s += rng.str(&["/", "/", "/", "//", "/./", "/../"]);
            }
            s += rng.str(IGNORE_SEGMENTS);
        }
        s += rng.str(&["", "", "", "/", " ", "\t", "/**", "\\"]);
        s += rng.str(&["\n", "\n", "\r\n", "\n\n"]);
    }
    s.into_bytes()
}

fn gen_path(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut s = String::from(rng.str(&["", "", "", "/", "./"]));
    for i in 0..1 + rng.below(5) {
        if i > 0 {
            s.push('/');
        }
        s += rng.str(PATH_SEGMENTS);
    }
    let mut path = s.into_bytes();
    mutate(rng, &mut path, seeds, 96);
    path
}

/// `a`, `b0/c12`: a path with no pattern syntax in it.
fn literal_path(rng: &mut Rng) -> String {
    let segments: Vec<String> = (0..1 + rng.below(3))
        .map(|_| {
            (0..1 + rng.below(5))
                .map(|_| *rng.pick(b"abcxyz0189") as char)
                .collect()
        })
        .collect();
    segments.join("/")
}

#[test]
fn dockerignore() {
    let started = Instant::now();
    let mut rng = Rng::new(2);
    let seeds = corpus(IGNORE_SEEDS);
    let paths = corpus(PATH_SEGMENTS);
    let (mut inputs, mut accepted, mut matched) = (0, 0, 0);
    for case in 0..CASES {
        let mut input = gen_ignore(&mut rng);
        mutate(&mut rng, &mut input, &seeds, 384);
        let parsed = guarded("DockerIgnore::parse", &input, || {
            DockerIgnore::parse(&text(&input))
        });
        inputs += 1;
        let Ok(ignore) = parsed else { continue };
        accepted += 1;
        guarded("DockerIgnore::matches of the root", &input, || {
            for root in ["", ".", "/", "./", "//"] {
                assert!(!ignore.matches(root), "the root is never excluded");
            }
        });
        for _ in 0..2 {
            let path = gen_path(&mut rng, &paths);
            let mut both = input.clone();
            both.extend_from_slice(b"\n--- path: ");
            both.extend_from_slice(&path);
            guarded("DockerIgnore::matches", &both, || {
                let path = text(&path);
                black_box(ignore.matches(&path));
                black_box(ignore.may_contain_exceptions(&path));
            });
            matched += 1;
        }
        if case % 8 == 0 {
            // A literal pattern excludes its path and what is beneath it; `!` takes it back.
            let path = literal_path(&mut rng);
            let child = format!("{path}/{}", literal_path(&mut rng));
            let lead = rng.str(&["", "/", " "]);
            let text = format!("{lead}{path}\n");
            guarded("DockerIgnore literal", text.as_bytes(), || {
                let only = DockerIgnore::parse(&text).unwrap();
                assert!(only.matches(&path) && only.matches(&child));
                let back = DockerIgnore::parse(&format!("{text}!{path}\n")).unwrap();
                assert!(!back.matches(&path) && !back.matches(&child));
            });
        }
    }
    report(
        ".dockerignore",
        started,
        inputs,
        accepted,
        &format!(", {matched} random paths matched"),
    );
}

// --- config.json and credential helpers -----------------------------------------------------

const REGISTRIES: &[&str] = &[
    "https://index.docker.io/v1/",
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "127.0.0.1:5000",
    "localhost:5000",
    "ghcr.io",
    "https://ghcr.io",
    "http://reg.example.com/v2/",
    "",
    "é.example",
    "HTTPS://GHCR.IO/",
    "[::1]:5000",
    "a/b/c",
    "://",
    "ghcr.io:99999",
];

const IMAGES: &[&str] = &[
    "ubuntu",
    "ubuntu:22.04",
    "library/ubuntu",
    "docker.io/library/ubuntu",
    "localhost:5000/x",
    "127.0.0.1:5000/x:tag",
    "ghcr.io/a/b@sha256:abc",
    "Upper/x",
    "",
    "/",
    ":/x",
    "é.io/x",
    " reg.example.com/x ",
];

/// Every secret the generators use (password, token, `auth` value, helper `Secret`)
/// contains `s3cret`. What must never be shown: `s3cret` itself, and the runs of base64
/// that any encoding of a text holding it contains, in either alphabet, at any alignment.
fn secret_markers() -> Vec<String> {
    let mut markers = vec!["s3cret".to_string()];
    for align in 0..3 {
        let mut text = vec![b'x'; align];
        text.extend_from_slice(b"s3cret");
        // The characters whose six bits all come from `s3cret`.
        let (first, end) = ((8 * align).div_ceil(6), (8 * align + 48) / 6);
        for encoded in [STANDARD.encode(&text), URL_SAFE.encode(&text)] {
            markers.push(encoded[first..end].to_string());
        }
    }
    markers.dedup();
    markers
}

fn assert_hidden(shown: &str, markers: &[String]) {
    for m in markers {
        assert!(!shown.contains(m.as_str()), "a secret is shown: {shown}");
    }
}

/// The `auth` values of `auths` entries: base64 of `user:password` in the alphabets and
/// paddings people write, and values that are not.
fn auth_values() -> Vec<String> {
    let mut values = Vec::new();
    for plain in [
        "user:s3cret-1",
        ":s3cret-2",
        "u:v:s3cret:3",
        "s3cret-nocolon",
    ] {
        values.push(STANDARD.encode(plain));
        values.push(STANDARD_NO_PAD.encode(plain));
    }
    values.push(URL_SAFE.encode("user:s3cret~~>>??"));
    values.push(format!(" {} ", STANDARD.encode("user:s3cret-1")));
    values.push(STANDARD.encode([0xff, 0xfe, b':', b'x']));
    let bad = [
        "czNjcmV0 not base64",
        "",
        "  ",
        "====",
        "\u{0}",
        "/w==",
        "/w",
    ];
    values.extend(bad.map(String::from));
    values
}

/// `s` as a JSON string literal.
fn write_string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(serde_json::to_string(s).unwrap().as_bytes());
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Writes a JSON object into a buffer, compact or indented.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    separator: &'static [u8],
    empty: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, pretty: bool) -> Object<'a> {
        out.push(b'{');
        let separator: &[u8] = if pretty { b",\n  " } else { b"," };
        Object {
            out,
            separator,
            empty: true,
        }
    }

    /// Starts the member `key`: write its value into what this returns.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.extend_from_slice(self.separator);
        }
        self.empty = false;
        write_string(self.out, key);
        self.out.push(b':');
        self.out
    }

    /// The member `key`, unless the field is absent.
    fn field(&mut self, key: &str, value: Field) {
        match value {
            Field::Absent => {}
            Field::Null => self.key(key).extend_from_slice(b"null"),
            Field::Str(s) => write_string(self.key(key), s),
            Field::Wrong(v) => self.key(key).extend_from_slice(v.as_bytes()),
        }
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

/// A field of a generated JSON object.
#[derive(Clone, Copy, Debug)]
enum Field<'a> {
    Absent,
    Null,
    Str(&'a str),
    /// Not a string: a number, an array.
    Wrong(&'static str),
}

impl<'a> Field<'a> {
    /// Mostly a string from `strings`, sometimes `null`, rarely a value of the wrong type.
    fn any(rng: &mut Rng, strings: &[&'a str]) -> Field<'a> {
        match rng.below(24) {
            0 => Field::Null,
            1 => Field::Wrong("7"),
            2 => Field::Wrong("[\"x\"]"),
            _ => Field::Str(strings[rng.below(strings.len())]),
        }
    }

    /// What an `Option<String>` field decodes to (`None` as empty); `Err` for a wrong type.
    fn decoded(self) -> Result<String, ()> {
        match self {
            Field::Absent | Field::Null => Ok(String::new()),
            Field::Str(s) => Ok(s.to_string()),
            Field::Wrong(_) => Err(()),
        }
    }
}

/// A `config.json` as the CLI writes it, with the mistakes people make in it.
fn gen_config(rng: &mut Rng, auth_values: &[&str]) -> Vec<u8> {
    let pretty = rng.one_in(2);
    let mut out = Vec::with_capacity(512);
    let mut top = Object::new(&mut out, pretty);
    // The sections in a random order: JSON objects have none.
    let first = rng.below(4);
    for section in (0..4).map(|i| (first + i) % 4) {
        match section {
            0 if rng.one_in(8) => {}
            0 if rng.one_in(2) => {
                let mut auths = Object::new(top.key("auths"), pretty);
                for _ in 0..rng.below(4) {
                    let at = auths.key(rng.str(REGISTRIES));
                    if rng.one_in(40) {
                        at.extend_from_slice(b"\"czNjcmV0LXZhbHVl\"");
                        continue;
                    }
                    let mut entry = Object::new(at, pretty);
                    for (name, values) in [
                        ("auth", auth_values),
                        ("username", &["user", "u", "", " ", "é", "<token>"]),
                        ("password", &["s3cret-p"]),
                        ("identitytoken", &["s3cret-i"]),
                        ("registrytoken", &["s3cret-r", ""]),
                    ] {
                        if rng.one_in(3) {
                            entry.field(name, Field::any(rng, values));
                        }
                    }
                    entry.end();
                }
                auths.end();
            }
            0 => {
                // As `docker login` writes it.
                let mut auths = Object::new(top.key("auths"), pretty);
                for _ in 0..1 + rng.below(3) {
                    let mut entry = Object::new(auths.key(rng.str(REGISTRIES)), pretty);
                    entry.field("auth", Field::any(rng, auth_values));
                    entry.end();
                }
                auths.end();
            }
            1 if rng.one_in(4) => {
                top.field(
                    "credsStore",
                    Field::any(rng, &["desktop", "", "osxkeychain"]),
                );
            }
            2 if rng.one_in(4) => {
                let mut helpers = Object::new(top.key("credHelpers"), pretty);
                for _ in 0..rng.below(3) {
                    helpers.field(rng.str(REGISTRIES), Field::Str("ecr-login"));
                }
                helpers.end();
            }
            3 if rng.one_in(3) => {
                top.key("HttpHeaders")
                    .extend_from_slice(b"{\"User-Agent\":\"x\"}");
                top.field("currentContext", Field::Str("default"));
            }
            _ => {}
        }
    }
    top.end();
    out
}

const CONFIG_SEEDS: &[&str] = &[
    r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpzM2NyZXQtMQ=="}}}"#,
    r#"{"auths":{"ghcr.io":{}},"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}}"#,
    r#"{"auths":{"127.0.0.1:5000":{"username":"u","password":"s3cret-p"}}}"#,
    "{\n\t\"auths\": {\n\t\t\"x.io\": {\n\t\t\t\"identitytoken\": \"s3cret-i\"\n\t\t}\n\t}\n}",
    "",
    "  \n",
    "null",
    "[]",
];

fn gen_image(rng: &mut Rng) -> String {
    let mut image = rng.str(IMAGES).as_bytes().to_vec();
    if rng.one_in(4) {
        let token = rng.pick(TOKENS);
        let at = rng.below(image.len() + 1);
        image.splice(at..at, token.iter().copied());
    }
    String::from_utf8_lossy(&image).into_owned()
}

#[test]
fn config_json() {
    let started = Instant::now();
    let mut rng = Rng::new(3);
    let seeds = corpus(CONFIG_SEEDS);
    let markers = secret_markers();
    let auth_values = auth_values();
    let auth_values: Vec<&str> = auth_values.iter().map(String::as_str).collect();
    // The markers find every secret the generator writes: the checks below are not vacuous.
    for value in auth_values.iter().filter(|v| v.len() > 8) {
        assert!(
            markers.iter().any(|m| value.contains(m.as_str())),
            "{value}"
        );
    }
    let (mut inputs, mut accepted, mut found, mut refused) = (0, 0, 0, 0);
    for case in 0..CASES {
        let mut input = gen_config(&mut rng, &auth_values);
        let mutated = mutate(&mut rng, &mut input, &seeds, 2048);
        let image = gen_image(&mut rng);
        let registry = guarded("registry_of", image.as_bytes(), || registry_of(&image));
        assert!(!registry.is_empty(), "registry_of({image:?}) is empty");
        let registries = [rng.str(REGISTRIES), rng.str(REGISTRIES), &registry];
        let ok = guarded("DockerConfig::from_json", &input, || {
            let config = match DockerConfig::from_json(&text(&input)) {
                Ok(config) => config,
                Err(e) => {
                    assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
                    // Its message names only the kind of error and where: a sample will do.
                    if case % 8 == 0 {
                        assert_hidden(&format!("{e} {e:?}"), &markers);
                    }
                    return false;
                }
            };
            if !mutated {
                assert_hidden(&format!("{config:?}"), &markers);
            }
            for registry in registries {
                match __fuzz::inline_credentials(&config, registry) {
                    Err(e) => {
                        refused += 1;
                        assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
                        assert_hidden(&format!("{e} {e:?}"), &markers);
                    }
                    Ok(Some(auth)) => {
                        found += 1;
                        if !mutated {
                            assert_hidden(&format!("{auth} {auth:?}"), &markers);
                        }
                    }
                    Ok(None) => {}
                }
            }
            true
        });
        inputs += 1;
        accepted += usize::from(ok);
    }
    report(
        "config.json",
        started,
        inputs,
        accepted,
        &format!(", {found} credentials found and {refused} refused in 3 lookups each"),
    );
}

const HELPER_SEEDS: &[&str] = &[
    r#"{"ServerURL":"ghcr.io","Username":"alice","Secret":"s3cret-h"}"#,
    r#"{"ServerURL":"token.example","Username":"<token>","Secret":"s3cret-h"}"#,
    "{\"Username\":\"hub\",\"Secret\":\"s3cret-h\"}\n",
    "credentials not found in native keychain\n",
    "",
    "{}",
];

/// What a helper's success must give for these `Username` and `Secret` fields.
fn expected_helper_answer(user: Field, secret: Field) -> Result<Option<RegistryAuth>, ()> {
    let (user, secret) = (user.decoded()?, secret.decoded()?);
    Ok(match user.as_str() {
        "" if secret.is_empty() => None,
        "<token>" => Some(RegistryAuth::token(secret).server("fuzz.example")),
        _ => Some(RegistryAuth::basic(user, secret).server("fuzz.example")),
    })
}

/// A failed helper's stderr: nothing, a message, escapes, credentials, a long text.
fn helper_stderrs() -> Vec<String> {
    let mut all = [
        "",
        "",
        "",
        "keychain locked\n",
        "\u{1b}[31merror\u{1b}[0m",
        "   ",
    ]
    .map(String::from)
    .to_vec();
    all.push("{\"Secret\":\"s3cret-h\"}".to_string());
    all.push("é".repeat(400));
    all
}

#[test]
fn credential_helper_output() {
    let started = Instant::now();
    let mut rng = Rng::new(4);
    let seeds = corpus(HELPER_SEEDS);
    let markers = secret_markers();
    let stderrs = helper_stderrs();
    let (mut inputs, mut accepted) = (0, 0);
    for _ in 0..CASES {
        let (mut stdout, answer) = if rng.one_in(6) {
            let text = rng.str(&[
                "credentials not found in native keychain\n",
                "",
                "\n",
                "error: keychain locked",
                "{",
                "null",
                "[]",
                "\"str\"",
            ]);
            (text.as_bytes().to_vec(), None)
        } else {
            let field = |rng: &mut Rng, strings: &[&'static str]| match rng.one_in(8) {
                true => Field::Absent,
                false => Field::any(rng, strings),
            };
            let user = field(&mut rng, &["alice", "<token>", "", "é", "<TOKEN>"]);
            let secret = field(&mut rng, &["s3cret-h", ""]);
            let mut bytes = Vec::with_capacity(128);
            let mut answer = Object::new(&mut bytes, false);
            let first = rng.below(4);
            for member in (0..4).map(|i| (first + i) % 4) {
                match member {
                    0 if !rng.one_in(4) => {
                        answer.field("ServerURL", Field::Str(rng.str(REGISTRIES)));
                    }
                    1 => answer.field("Username", user),
                    2 => answer.field("Secret", secret),
                    3 if rng.one_in(8) => {
                        answer.key("Extra").extend_from_slice(b"{\"nested\":[1,2]}");
                    }
                    _ => {}
                }
            }
            answer.end();
            if rng.one_in(2) {
                bytes.push(b'\n');
            }
            (bytes, Some((user, secret)))
        };
        let mutated = mutate(&mut rng, &mut stdout, &seeds, 2048);
        let failed = rng.one_in(4).then_some("exit status: 1");
        let stderr = rng.pick(&stderrs).as_bytes();
        let ok = guarded("helper output", &stdout, || {
            let got = __fuzz::helper_output(failed, &stdout, stderr);
            if let Err(e) = &got {
                assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
                if failed.is_none() || !mutated {
                    assert_hidden(&format!("{e} {e:?}"), &markers);
                }
            }
            let not_found = stdout.starts_with(b"credentials not found in native keychain");
            if failed.is_some() && not_found && !mutated {
                assert!(matches!(got, Ok(None)), "{got:?}");
            }
            if let (None, Some((user, secret)), false) = (failed, answer, mutated) {
                match (&got, expected_helper_answer(user, secret)) {
                    (Ok(got), Ok(want)) => assert_eq!(got, &want),
                    (Err(_), Err(())) => {}
                    (got, want) => panic!("got {got:?}, want {want:?}"),
                }
            }
            got.is_ok()
        });
        inputs += 1;
        accepted += usize::from(ok);
    }
    report("credential-helper output", started, inputs, accepted, "");
}

// --- the archive path-stat header -----------------------------------------------------------

const STAT_SEEDS: &[&str] = &[
    r#"{"name":"file.txt","size":12,"mode":420,"mtime":"2024-01-02T03:04:05Z","linkTarget":""}"#,
    r#"{"name":"etc","size":4096,"mode":2147484141,"mtime":"2024-01-02T03:04:05.123456789+01:00"}"#,
    r#"{"name":"sh","size":4,"mode":134218239,"mtime":"2024-01-02T03:04:05Z","linkTarget":"/bin/busybox"}"#,
    "eyJuYW1lIjoieCIsInNpemUiOjEsIm1vZGUiOjEsIm10aW1lIjoiIn0=",
];

/// A field's JSON text and, when it is one the parser must accept, what it decodes to.
type Choice<T> = (&'static str, Option<T>);

const STAT_NAMES: &[Choice<&str>] = &[
    (r#""file.txt""#, Some("file.txt")),
    (r#""""#, Some("")),
    (r#""é \u0000 \"q\"""#, Some("é \u{0} \"q\"")),
    (r#""a/b""#, Some("a/b")),
    ("5", None),
    ("null", None),
];
const STAT_SIZES: &[Choice<i64>] = &[
    ("12", Some(12)),
    ("0", Some(0)),
    ("-1", Some(-1)),
    ("9223372036854775807", Some(i64::MAX)),
    ("-9223372036854775808", Some(i64::MIN)),
    ("18446744073709551615", None),
    ("1.5", None),
    (r#""12""#, None),
];
const STAT_MODES: &[Choice<u32>] = &[
    ("420", Some(420)),
    ("2147484141", Some(2_147_484_141)),
    ("4294967295", Some(u32::MAX)),
    ("4294967296", None),
    ("-1", None),
    ("1e3", None),
];
const STAT_MTIMES: &[Choice<&str>] = &[
    (r#""2024-01-02T03:04:05Z""#, Some("2024-01-02T03:04:05Z")),
    (r#""""#, Some("")),
    (r#""not a time""#, Some("not a time")),
    ("0", None),
];
const STAT_LINKS: &[Choice<&str>] = &[
    (r#""""#, Some("")),
    (r#""/bin/busybox""#, Some("/bin/busybox")),
    ("null", None),
    ("[]", None),
];

/// Mostly one of the first two (valid) choices, so that the accepting path is reached often.
fn choose<T: Copy>(rng: &mut Rng, choices: &[Choice<T>]) -> Choice<T> {
    let n = if rng.one_in(6) { choices.len() } else { 2 };
    choices[rng.below(n)]
}

/// A path-stat JSON object and the stat it must decode to (`None`: it must be refused).
fn gen_stat(rng: &mut Rng) -> (Vec<u8>, Option<PathStat>) {
    let (name, size, mode) = (
        choose(rng, STAT_NAMES),
        choose(rng, STAT_SIZES),
        choose(rng, STAT_MODES),
    );
    let (mtime, link) = (choose(rng, STAT_MTIMES), choose(rng, STAT_LINKS));
    let (mut valid, mut has_link) = (true, false);
    let mut json = Vec::with_capacity(128);
    let mut object = Object::new(&mut json, false);
    let members = [
        ("name", name.0, name.1.is_some(), true),
        ("size", size.0, size.1.is_some(), true),
        ("mode", mode.0, mode.1.is_some(), true),
        ("mtime", mtime.0, mtime.1.is_some(), true),
        ("linkTarget", link.0, link.1.is_some(), false),
        ("extra", "{\"x\":[1]}", true, false),
    ];
    // In a random order: JSON objects have none.
    let first = rng.below(members.len());
    for i in 0..members.len() {
        let (key, value, ok, required) = members[(first + i) % members.len()];
        let skip = match key {
            "extra" => !rng.one_in(10),
            _ => rng.one_in(20),
        };
        if skip {
            valid &= !required;
        } else {
            object.key(key).extend_from_slice(value.as_bytes());
            valid &= ok;
            has_link |= key == "linkTarget";
        }
    }
    object.end();
    let want = valid.then(|| PathStat {
        name: name.1.unwrap_or_default().to_string(),
        size: size.1.unwrap_or_default(),
        mode: mode.1.unwrap_or_default(),
        mtime: mtime.1.unwrap_or_default().to_string(),
        link_target: match has_link {
            true => link.1.unwrap_or_default().to_string(),
            false => String::new(),
        },
    });
    (json, want)
}

#[test]
fn path_stat_header() {
    let started = Instant::now();
    let mut rng = Rng::new(5);
    let seeds = corpus(STAT_SEEDS);
    let (mut inputs, mut accepted) = (0, 0);
    for _ in 0..CASES {
        let (mut json, mut want) = gen_stat(&mut rng);
        // Edit the JSON before it is encoded, or the base64 after.
        let edit_json = rng.one_in(2);
        if edit_json && mutate(&mut rng, &mut json, &seeds, 1024) {
            want = None;
        }
        let mut header = match rng.below(8) {
            0 => STANDARD_NO_PAD.encode(&json),
            1 => URL_SAFE.encode(&json),
            _ => STANDARD.encode(&json),
        }
        .into_bytes();
        // The other alphabets and no padding can give the same text; else they are refused.
        if want.is_some() && header != STANDARD.encode(&json).as_bytes() {
            want = None;
        }
        if !edit_json && mutate(&mut rng, &mut header, &seeds, 2048) {
            want = None;
        }
        let ok = guarded("path stat header", &header, || {
            let got = __fuzz::path_stat_header(&header);
            if let Err(e) = &got {
                assert!(matches!(e, Error::Decode { .. }), "{e:?}");
            }
            if let Some(want) = &want {
                assert_eq!(got.as_ref().ok(), Some(want), "{got:?}");
            }
            got.is_ok()
        });
        inputs += 1;
        accepted += usize::from(ok);
    }
    report("path-stat header", started, inputs, accepted, "");
}

// --- the frame demuxer ------------------------------------------------------------------------

/// A multiplexed stream and, when it is well formed with no daemon error in it, the bytes
/// of each of stdin, stdout and stderr it must decode to.
fn gen_frames(rng: &mut Rng) -> (Vec<u8>, Option<[Vec<u8>; 3]>) {
    let mut wire = Vec::new();
    let mut want: [Vec<u8>; 3] = Default::default();
    let mut valid = true;
    for _ in 0..rng.below(7) {
        let stream = match rng.below(16) {
            0 => 3,
            1 => 4 + rng.below(252) as u8,
            n => (n % 3) as u8,
        };
        let payload: Vec<u8> = match rng.below(8) {
            0 => vec![],
            1 => b"exec failed: boom\n".to_vec(),
            // Around 64 KiB, where a daemon error's message is cut.
            2 if rng.one_in(512) => vec![b'e'; 65_535 + rng.below(3)],
            _ => (0..rng.below(24)).map(|_| rng.next() as u8).collect(),
        };
        let start = wire.len();
        encode_frame(stream, &payload, &mut wire);
        match rng.below(24) {
            // A length that lies, near the limits or by one.
            0 => {
                let len = *rng.pick(&[
                    MAX_FRAME as u64 - 1,
                    MAX_FRAME as u64,
                    MAX_FRAME as u64 + 1,
                    u64::from(u32::MAX),
                    0x8000_0000,
                    payload.len() as u64 + 1,
                    payload.len().saturating_sub(1) as u64,
                ]);
                wire[start + 4..start + 8].copy_from_slice(&(len as u32).to_be_bytes());
                valid = false;
            }
            // Padding that is not zero.
            1 => {
                wire[start + 1 + rng.below(3)] = 1 + rng.below(255) as u8;
                valid = false;
            }
            _ => {}
        }
        match stream {
            0..=2 => want[usize::from(stream)].extend_from_slice(&payload),
            _ => valid = false,
        }
    }
    (wire, valid.then_some(want))
}

const DEMUX_SEEDS: &[&[u8]] = &[
    b"\x01\0\0\0\0\0\0\x06hello\n\x02\0\0\0\0\0\0\x04oops",
    b"\x03\0\0\0\0\0\0\x05boom\n",
    b"\x01\0\0\0\x04\0\0\0",
    b"\x01\0\0\0\xff\xff\xff\xff",
    b"hello world\n",
];

#[test]
fn demuxer() {
    let started = Instant::now();
    let mut rng = Rng::new(6);
    let seeds: Vec<Vec<u8>> = DEMUX_SEEDS.iter().map(|s| s.to_vec()).collect();
    let (mut inputs, mut accepted, mut chunks) = (0, 0, 0);
    for _ in 0..CASES {
        let (mut wire, mut want) = gen_frames(&mut rng);
        if mutate(&mut rng, &mut wire, &seeds, 4096) {
            want = None;
        }
        let cuts = rng.cuts(wire.len(), 6);
        let mut shown = wire.clone();
        shown.extend_from_slice(format!(" --- cut at {cuts:?}").as_bytes());
        let (ok, n) = guarded("Demuxer", &shown, || {
            let mut demux = Demuxer::new();
            let mut got: [Vec<u8>; 3] = Default::default();
            let (mut pushed, mut out, mut n) = (0, 0, 0);
            let mut failed = false;
            let mut start = 0;
            'read: for end in cuts.iter().copied().chain([wire.len()]) {
                demux.push(Bytes::copy_from_slice(&wire[start..end]));
                pushed += end - start;
                start = end;
                loop {
                    match demux.next_chunk() {
                        Ok(Some(chunk)) => {
                            n += 1;
                            out += chunk.bytes().len();
                            assert!(out <= pushed, "{out} bytes out of {pushed} in");
                            let slot = match chunk {
                                LogChunk::StdIn(_) => 0,
                                LogChunk::StdOut(_) => 1,
                                LogChunk::StdErr(_) => 2,
                                LogChunk::Console(_) => panic!("console output from a demuxer"),
                            };
                            got[slot].extend_from_slice(chunk.bytes());
                        }
                        Ok(None) => break,
                        Err(_) => {
                            assert!(demux.next_chunk().is_err(), "a failed decoder stays failed");
                            failed = true;
                            break 'read;
                        }
                    }
                }
            }
            let finished = failed || demux.finish().is_ok();
            if let Some(want) = &want {
                assert!(!failed && finished, "a well-formed stream failed");
                assert!(got == *want, "decoded {got:?}, want {want:?}");
            }
            (!failed && finished, n)
        });
        inputs += 1;
        accepted += usize::from(ok);
        chunks += n;
    }
    report(
        "demuxer",
        started,
        inputs,
        accepted,
        &format!(", {chunks} chunks out"),
    );
}

// --- JSON lines -------------------------------------------------------------------------------

const JSON_LINES: &[&str] = &[
    r#"{"status":"Pulling fs layer","progressDetail":{},"id":"abc123"}"#,
    r#"{"status":"Downloading","progressDetail":{"current":1024,"total":4096},"progress":"[=>   ]","id":"abc123"}"#,
    r#"{"stream":"Step 1/2 : FROM busybox\n"}"#,
    r#"{"aux":{"ID":"sha256:0123456789abcdef"}}"#,
    r#"{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}"#,
    r#"{"errorDetail":{"code":1,"message":"step failed"}}"#,
    r#"{"status":"ok","error":""}"#,
    r#"{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"x"}},"scope":"local","time":1700000000,"timeNano":1700000000000000000}"#,
    r#"{"read":"2024-01-02T03:04:05Z","cpu_stats":{"cpu_usage":{"total_usage":1}},"memory_stats":{}}"#,
    r#"{"id":"x","progressDetail":{"current":-1,"total":18446744073709551615}}"#,
    r#"{"error":{"nested":true}}"#,
    r#"[1,2,3]"#,
    r#""a string""#,
    "not json at all",
    "{\"a\":\"é\\u00e9\\ud800\"}",
];

/// Lines joined as a daemon or a proxy would, and the non-blank lines the framer must give.
fn gen_json_lines(rng: &mut Rng) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut wire = Vec::new();
    let mut want = Vec::new();
    for i in 0..rng.below(5) {
        if i > 0 || rng.one_in(8) {
            let separator = rng.str(&["\n", "\n", "\r\n", "\n\n", "\n \t\n", "\r\n\r\n"]);
            wire.extend_from_slice(separator.as_bytes());
        }
        let line = rng.pick(JSON_LINES).as_bytes();
        wire.extend_from_slice(line);
        want.push(line.to_vec());
    }
    if !want.is_empty() && rng.one_in(2) {
        wire.extend_from_slice(rng.str(&["\n", "\r\n", "\n\n"]).as_bytes());
    }
    (wire, want)
}

/// Decode a line as `decode_line` users do; a daemon error line must never decode.
fn decode_checks(line: &[u8], typed: bool) {
    if let Ok(value) = decode_line::<Value>(line) {
        let reported = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        let detail = value.get("errorDetail").and_then(|d| d.get("message"));
        assert!(
            !reported(value.get("error")) && !reported(detail),
            "a daemon error decoded as an item"
        );
    }
    if typed {
        black_box(decode_line::<op::image_create::Item>(line).is_ok());
        black_box(decode_line::<op::system_events::Item>(line).is_ok());
    }
}

#[test]
fn json_lines() {
    let started = Instant::now();
    let mut rng = Rng::new(7);
    let seeds: Vec<Vec<u8>> = JSON_LINES
        .iter()
        .map(|l| format!("{l}\n").into_bytes())
        .collect();
    let (mut inputs, mut accepted, mut lines) = (0, 0, 0);
    for case in 0..CASES {
        let (mut wire, want) = gen_json_lines(&mut rng);
        let mutated = mutate(&mut rng, &mut wire, &seeds, 4096);
        let cuts = rng.cuts(wire.len(), 6);
        let mut shown = wire.clone();
        shown.extend_from_slice(format!(" --- cut at {cuts:?}").as_bytes());
        let (ok, n) = guarded("JsonLines", &shown, || {
            let mut framer = JsonLines::new();
            let mut got: Vec<Bytes> = Vec::new();
            let mut start = 0;
            let mut failed = false;
            for end in cuts.iter().copied().chain([wire.len()]) {
                framer.push(&wire[start..end]);
                start = end;
                loop {
                    match framer.next_line() {
                        Ok(Some(line)) => got.push(line),
                        Ok(None) => break,
                        Err(_) => {
                            failed = true;
                            break;
                        }
                    }
                }
            }
            got.extend(framer.finish());
            let total: usize = got.iter().map(Bytes::len).sum();
            assert!(
                total <= wire.len(),
                "{total} bytes of lines from {}",
                wire.len()
            );
            for line in &got {
                assert!(line.len() <= MAX_LINE, "a line of {} bytes", line.len());
                assert!(!line.contains(&b'\n'), "a line with a newline");
                assert!(!line.iter().all(u8::is_ascii_whitespace), "a blank line");
                decode_checks(line, case % 8 == 0);
            }
            if !mutated {
                assert!(!failed && got == want, "framed {got:?}, want {want:?}");
            }
            (!failed, got.len())
        });
        inputs += 1;
        accepted += usize::from(ok && n > 0);
        lines += n;
    }
    report(
        "JSON lines",
        started,
        inputs,
        accepted,
        &format!(", {lines} lines decoded"),
    );
}

/// A line over [`MAX_LINE`] is an error however the reads split it, not a line.
#[test]
fn json_lines_longer_than_the_limit_are_errors() {
    let long = vec![b'a'; MAX_LINE + 1];
    // The newline in the same read as the line.
    let mut framer = JsonLines::new();
    framer.push(&long);
    framer.push(b"\n{}\n");
    let first = framer.next_line();
    assert!(
        first.is_err(),
        "got a line of {:?} bytes",
        first.map(|l| l.map(|l| l.len()))
    );
    // The newline in a later read.
    let mut framer = JsonLines::new();
    framer.push(&long[1..]);
    assert!(matches!(framer.next_line(), Ok(None)));
    framer.push(b"a\n");
    let second = framer.next_line();
    assert!(
        second.is_err(),
        "got a line of {:?} bytes",
        second.map(|l| l.map(|l| l.len()))
    );
    // At the limit exactly: a line.
    let mut framer = JsonLines::new();
    framer.push(&long[1..]);
    framer.push(b"\r\n");
    assert_eq!(framer.next_line().unwrap().map(|l| l.len()), Some(MAX_LINE));
    // At the limit, its `\r\n` split between two reads: a line too.
    let mut framer = JsonLines::new();
    framer.push(&long[1..]);
    framer.push(b"\r");
    assert!(matches!(framer.next_line(), Ok(None)));
    framer.push(b"\n");
    assert_eq!(framer.next_line().unwrap().map(|l| l.len()), Some(MAX_LINE));
}
