//! Build contexts: a directory as the tar archive `POST /build` takes.
//!
//! [`DockerIgnore`] compiles `.dockerignore` text with the docker CLI's rules (moby's
//! `ignorefile` and `patternmatcher` packages); [`BuildContext`] walks a directory in sorted
//! order and streams the archive from a blocking thread through a bounded channel.

use std::ffi::OsString;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use bytes::Bytes;
use futures_core::Stream;
use tokio::sync::mpsc;

use super::tar::{Kind as Entry, TarWriter};
use crate::error::{Error, Result};

/// Size of the byte chunks the archive stream yields.
const CHUNK_SIZE: usize = 64 * 1024;
/// Chunks buffered between the archiving thread and the consumer.
const CHANNEL_CHUNKS: usize = 8;

/// One element of a compiled glob (the regular expression moby builds, without a regex crate).
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Lit(char),
    /// `*`: any run of non-`/` characters.
    Star,
    /// `?`: one non-`/` character.
    Quest,
    /// `[...]`: one character (`/` included, as in moby's regexp) in, or not in, the ranges.
    Class(bool, Vec<(char, char)>),
    /// `**` followed by more pattern: nothing, or anything ending in `/`.
    DirStar,
    /// `**` ending a pattern that has wildcards before it: anything.
    AnyStar,
}

/// How a pattern is matched: moby's four strategies, quirks included (`**x` is a plain
/// suffix test, so it matches `dir/prefixx`).
#[derive(Debug, Clone)]
enum Kind {
    Exact,
    Prefix(String),
    Suffix(String),
    Glob(Vec<Token>),
}

#[derive(Debug, Clone)]
struct Pattern {
    text: String,
    exception: bool,
    kind: Kind,
}

/// Compiled `.dockerignore` patterns.
///
/// Semantics follow `docker build`: patterns are cleaned paths relative to the context root;
/// a pattern matching a directory also matches everything beneath it; the last matching
/// pattern decides, and `!pattern` re-includes.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

impl DockerIgnore {
    /// Parses `.dockerignore` text: `#` comments (only in the first column), blank lines,
    /// `!` exceptions; each pattern is trimmed, cleaned like Go's `filepath.Clean` and
    /// stripped of a leading `/`. Malformed patterns (`[`, a trailing `\`, a lone `!`) are an
    /// [`Error::InvalidArgument`].
    ///
    /// ```
    /// use docker_engine::images::DockerIgnore;
    /// let ignore = DockerIgnore::parse("target\n*.log\n!keep.log\n")?;
    /// assert!(ignore.matches("target/debug/app"));
    /// assert!(ignore.matches("build.log"));
    /// assert!(!ignore.matches("keep.log"));
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<DockerIgnore> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for line in text.lines().filter(|l| !l.starts_with('#')).map(str::trim) {
            if line.is_empty() {
                continue;
            }
            let bad = |why: &str| Error::InvalidArgument(format!("bad pattern {line:?}: {why}"));
            let (exception, rest) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let mut text = clean(rest);
            if text.len() > 1 && text.starts_with('/') {
                text.remove(0);
            }
            // moby cleans `!` + pattern once more: `!` and `!/` are both a lone `!`.
            if exception && (rest.is_empty() || text == "/") {
                return Err(bad("illegal exclusion pattern \"!\""));
            }
            let kind = compile(&text).map_err(bad)?;
            patterns.push(Pattern {
                text,
                exception,
                kind,
            });
        }
        Ok(DockerIgnore { patterns })
    }

    /// Whether `rel_path` (relative to the context root, `/`-separated) is excluded: the last
    /// pattern matching the path or one of its parent directories decides.
    ///
    /// ```
    /// use docker_engine::images::DockerIgnore;
    /// let ignore = DockerIgnore::parse("docs\n**/*.tmp\n")?;
    /// assert!(ignore.matches("docs/index.md"));
    /// assert!(ignore.matches("src/a/b.tmp"));
    /// assert!(!ignore.matches("src/main.rs"));
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn matches(&self, rel_path: &str) -> bool {
        let path = clean(rel_path.trim_start_matches('/'));
        let mut candidates: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        candidates.push(&path);
        let last = self
            .patterns
            .iter()
            .rev()
            .find(|p| candidates.iter().any(|c| p.matches(c)));
        path != "." && last.is_some_and(|p| !p.exception)
    }

    /// Whether an excluded directory must still be walked because an exception pattern could
    /// match something beneath it (`dir` then `!dir/keep.txt`, or `!**/keep.txt`).
    ///
    /// ```
    /// use docker_engine::images::DockerIgnore;
    /// let ignore = DockerIgnore::parse("vendor\n!vendor/LICENSE\n")?;
    /// assert!(ignore.matches("vendor"));
    /// assert!(ignore.may_contain_exceptions("vendor"));
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn may_contain_exceptions(&self, rel_dir: &str) -> bool {
        let inside = match clean(rel_dir.trim_start_matches('/')) {
            dir if dir == "." => String::new(),
            dir => dir + "/",
        };
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| match &p.kind {
                Kind::Exact => p.text.starts_with(&inside),
                Kind::Prefix(s) => inside.starts_with(s.as_str()) || s.starts_with(&inside),
                Kind::Suffix(_) => true,
                Kind::Glob(tokens) => run(tokens, inside.chars()).contains(&true),
            })
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix(s) => path.starts_with(s.as_str()),
            Kind::Suffix(s) => path.ends_with(s.as_str()) || s.strip_prefix('/') == Some(path),
            Kind::Glob(tokens) => run(tokens, path.chars())[2 * tokens.len()],
        }
    }
}

/// Go's `filepath.Clean` for `/`-separated paths.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            part => parts.push(part),
        }
    }
    match (rooted, parts.join("/")) {
        (true, joined) => format!("/{joined}"),
        (false, joined) if joined.is_empty() => ".".to_string(),
        (false, joined) => joined,
    }
}

/// Compiles a cleaned pattern, classified as moby's `Pattern.compile` does, accepting the
/// syntax `filepath.Match` accepts.
fn compile(text: &str) -> std::result::Result<Kind, &'static str> {
    let chars: Vec<char> = text.chars().collect();
    let (mut tokens, mut kind, mut i) = (Vec::new(), Kind::Exact, 0);
    let glob = || Kind::Glob(Vec::new());
    while i < chars.len() {
        let first = i == 0;
        i += 1;
        match chars[i - 1] {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1 + usize::from(chars.get(i + 1) == Some(&'/'));
                if i < chars.len() {
                    tokens.push(Token::DirStar);
                    kind = glob();
                } else if matches!(kind, Kind::Exact) {
                    kind = Kind::Prefix(text[..text.len() - 2].to_string());
                } else {
                    tokens.push(Token::AnyStar);
                    kind = glob();
                }
                if first {
                    kind = Kind::Suffix(text[2..].to_string());
                }
            }
            ch @ ('*' | '?' | '\\' | '[' | ']') => {
                kind = glob();
                tokens.push(match ch {
                    '*' => Token::Star,
                    '?' => Token::Quest,
                    ']' => Token::Lit(']'),
                    '\\' => {
                        i += 1;
                        Token::Lit(*chars.get(i - 1).ok_or("trailing backslash")?)
                    }
                    _ => parse_class(&chars, &mut i)?,
                });
            }
            c => tokens.push(Token::Lit(c)),
        }
    }
    Ok(if matches!(kind, Kind::Glob(_)) {
        Kind::Glob(tokens)
    } else {
        kind
    })
}

/// Parses a character class after its `[` with `filepath.Match`'s rules: optional `^`, at
/// least one range, `\` escapes, no bare `-` or `]` as a range end; inverted ranges are
/// refused too (moby's regexp fails to compile on them).
fn parse_class(chars: &[char], i: &mut usize) -> std::result::Result<Token, &'static str> {
    let one = |i: &mut usize| {
        let escaped = chars.get(*i) == Some(&'\\');
        *i += 1 + usize::from(escaped);
        match chars.get(*i - 1) {
            Some('-' | ']') if !escaped => Err("bad character range"),
            Some(c) => Ok(*c),
            None => Err("unterminated character class"),
        }
    };
    let negated = chars.get(*i) == Some(&'^');
    *i += usize::from(negated);
    let mut ranges = Vec::new();
    loop {
        if chars.get(*i) == Some(&']') && !ranges.is_empty() {
            *i += 1;
            return Ok(Token::Class(negated, ranges));
        }
        let lo = one(i)?;
        let hi = if chars.get(*i) == Some(&'-') {
            *i += 1;
            one(i)?
        } else {
            lo
        };
        if hi < lo {
            return Err("inverted character range");
        }
        ranges.push((lo, hi));
    }
}

/// Runs a glob as an NFA over `input`. State `2k` is "at token k", `2k + 1` "inside the `**/`
/// at token k"; the returned state set is indexed the same way (`2 * len` accepts).
fn run(tokens: &[Token], input: impl Iterator<Item = char>) -> Vec<bool> {
    let closure = |set: &mut Vec<bool>| {
        for (k, t) in tokens.iter().enumerate() {
            let skippable = matches!(t, Token::Star | Token::AnyStar | Token::DirStar);
            set[2 * k + 2] |= set[2 * k] && skippable;
        }
    };
    let (mut set, mut next) = (vec![false; 2 * tokens.len() + 2], vec![]);
    set[0] = true;
    closure(&mut set);
    for c in input {
        next.clear();
        next.resize(set.len(), false);
        for (k, t) in tokens
            .iter()
            .enumerate()
            .filter(|&(k, _)| set[2 * k] || set[2 * k + 1])
        {
            let (at, inside) = (set[2 * k], set[2 * k + 1] || *t == Token::DirStar);
            next[2 * k + 2] |= at
                && match t {
                    Token::Lit(l) => *l == c,
                    Token::Quest => c != '/',
                    Token::Class(negated, ranges) => {
                        ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
                    }
                    _ => false,
                };
            next[2 * k] |= at && (*t == Token::AnyStar || (*t == Token::Star && c != '/'));
            next[2 * k + 1] |= inside;
            next[2 * k + 2] |= inside && c == '/';
        }
        closure(&mut next);
        std::mem::swap(&mut set, &mut next);
        if !set.contains(&true) {
            break; // no state left: nothing can match any more
        }
    }
    set
}

/// A name for a Dockerfile from outside the context that no file of the context has by
/// chance: from its text and the time.
fn outside_name_seed(text: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    h ^ now
}

/// The files of a context directory as a tar stream.
#[derive(Debug, Clone)]
pub struct BuildContext {
    root: PathBuf,
    dockerfile: String,
    ignore: DockerIgnore,
    /// A Dockerfile from outside the context: added to the archive under this name.
    outside: Option<(String, Vec<u8>)>,
}

impl BuildContext {
    /// Validates the directory (exists, is a directory, readable) and reads its
    /// `.dockerignore`, before any request: [`Error::InvalidArgument`] naming the path
    /// otherwise. `dockerfile` is the Dockerfile's path relative to the context (empty means
    /// `"Dockerfile"`). A Dockerfile outside the context (`../Dockerfile.dev`, or an
    /// absolute path) is read now and added to the archive as `.dockerfile.<hex>`, as
    /// docker-py does. Like the docker CLI, the Dockerfile and `.dockerignore` are always
    /// sent, even when `.dockerignore` excludes them.
    ///
    /// ```
    /// use docker_engine::images::BuildContext;
    /// let dir = std::env::temp_dir().join(format!("ctx-example-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("Dockerfile"), "FROM busybox\n")?;
    /// std::fs::write(dir.join(".dockerignore"), "*.log\n")?;
    /// std::fs::write(dir.join("debug.log"), "")?;
    /// let context = BuildContext::from_dir(&dir, "")?;
    /// assert_eq!(context.dockerfile(), "Dockerfile");
    /// assert_eq!(context.files()?, [".dockerignore", "Dockerfile"]);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn from_dir(dir: impl AsRef<Path>, dockerfile: &str) -> Result<BuildContext> {
        let root = dir.as_ref().to_path_buf();
        let (shown, invalid) = (root.display(), Error::InvalidArgument);
        let meta = fs::metadata(&root)
            .map_err(|e| invalid(format!("build context {shown} cannot be used: {e}")))?;
        if !meta.is_dir() {
            return Err(invalid(format!("build context {shown} is not a directory")));
        }
        fs::read_dir(&root)
            .map_err(|e| invalid(format!("build context {shown} is not readable: {e}")))?;
        let dockerfile = Some(dockerfile)
            .filter(|d| !d.is_empty())
            .unwrap_or("Dockerfile");
        let rel = clean(dockerfile);
        if ["", ".", ".."].contains(&rel.as_str()) {
            let m = format!("Dockerfile {dockerfile} is not a file");
            return Err(invalid(m));
        }
        // A Dockerfile outside the context is read and added to the archive under a name of
        // its own, as docker-py does.
        let outside = if rel.starts_with("../") || Path::new(dockerfile).is_absolute() {
            let path = root.join(dockerfile);
            let text = fs::read(&path).map_err(|e| {
                invalid(format!("Dockerfile {} cannot be read: {e}", path.display()))
            })?;
            let name = format!(".dockerfile.{:016x}", outside_name_seed(&text));
            Some((name, text))
        } else {
            if !fs::metadata(root.join(&rel)).is_ok_and(|m| m.is_file()) {
                return Err(invalid(format!(
                    "Dockerfile {rel} not found in build context {shown}"
                )));
            }
            None
        };
        let rel = outside.as_ref().map_or(rel, |(name, _)| name.clone());
        let ignore_path = root.join(".dockerignore");
        let mut ignore = match fs::read(&ignore_path) {
            Ok(bytes) => {
                DockerIgnore::parse(&String::from_utf8_lossy(&bytes)).map_err(|e| match e {
                    Error::InvalidArgument(m) => invalid(format!("{}: {m}", ignore_path.display())),
                    e => e,
                })?
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => DockerIgnore::default(),
            Err(e) => return Err(Error::Io(with_path(e, &ignore_path))),
        };
        // The docker CLI adds `!.dockerignore` and `!<dockerfile>`; these are literal paths.
        for text in [".dockerignore".to_string(), rel.clone()] {
            ignore.patterns.push(Pattern {
                text,
                exception: true,
                kind: Kind::Exact,
            });
        }
        Ok(BuildContext {
            root,
            dockerfile: rel,
            ignore,
            outside,
        })
    }

    /// A whole directory, nothing left out and no Dockerfile: a managed plugin's
    /// `config.json` and `rootfs/` for `POST /plugins/create`.
    pub(crate) fn whole_dir(dir: &Path) -> Result<BuildContext> {
        let shown = dir.display();
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(Error::InvalidArgument(format!(
                    "{shown} is not a directory"
                )));
            }
            Err(e) => {
                return Err(Error::InvalidArgument(format!(
                    "{shown} cannot be used: {e}"
                )));
            }
        }
        Ok(BuildContext {
            root: dir.to_path_buf(),
            dockerfile: String::new(),
            ignore: DockerIgnore::default(),
            outside: None,
        })
    }

    /// The Dockerfile's cleaned path relative to the context (the `dockerfile` query
    /// parameter of `POST /build`).
    ///
    /// ```
    /// use docker_engine::images::BuildContext;
    /// let dir = std::env::temp_dir().join(format!("ctx-dockerfile-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("docker"))?;
    /// std::fs::write(dir.join("docker/Dockerfile.release"), "FROM busybox\n")?;
    /// let context = BuildContext::from_dir(&dir, "./docker//Dockerfile.release")?;
    /// assert_eq!(context.dockerfile(), "docker/Dockerfile.release");
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn dockerfile(&self) -> &str {
        &self.dockerfile
    }

    /// The archive as a stream of byte chunks (for `reqwest::Body::wrap_stream`). It is
    /// written on a blocking thread, started at the first poll, and handed over through a
    /// bounded channel, so memory stays flat however large the context. An I/O error while
    /// walking ends the stream with `Err(Error::Io(..))`; dropping the stream stops the walk.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> docker_engine::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use docker_engine::images::BuildContext;
    /// let dir = std::env::temp_dir().join(format!("ctx-stream-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("Dockerfile"), "FROM busybox\n")?;
    /// let tar = BuildContext::from_dir(&dir, "Dockerfile")?.into_stream();
    /// let tar: Vec<u8> = tar.map_ok(|bytes| bytes.to_vec()).try_concat().await?;
    /// assert!(tar.len() >= 1024); // tar blocks: a header, the file, the end
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> + Send + 'static {
        type Running = (mpsc::Receiver<Bytes>, tokio::task::JoinHandle<Result<()>>);
        let start = move || {
            let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
            let out = io::BufWriter::with_capacity(CHUNK_SIZE, ChannelWriter(tx));
            (
                rx,
                tokio::task::spawn_blocking(move || self.write_archive(out)),
            )
        };
        let state: (Option<_>, Option<Running>) = (Some(start), None);
        futures_util::stream::unfold(state, |(mut start, running)| async move {
            let (mut rx, task) = running.or_else(|| start.take().map(|start| start()))?;
            let end = match rx.recv().await {
                Some(chunk) => return Some((Ok(chunk), (None, Some((rx, task))))),
                None => task.await,
            };
            let err = match end {
                Ok(Ok(())) => return None,
                Ok(Err(e)) => e,
                Err(e) => Error::stream_from("archiving the build context failed", e),
            };
            Some((Err(err), (None, None)))
        })
    }

    /// The relative paths that will be in the archive (files, directories, symlinks), sorted.
    ///
    /// ```
    /// use docker_engine::images::BuildContext;
    /// let dir = std::env::temp_dir().join(format!("ctx-files-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("target"))?;
    /// std::fs::write(dir.join("Dockerfile"), "FROM busybox\n")?;
    /// std::fs::write(dir.join(".dockerignore"), "target\n")?;
    /// std::fs::write(dir.join("target/app"), "")?;
    /// assert_eq!(BuildContext::from_dir(&dir, "")?.files()?, [".dockerignore", "Dockerfile"]);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn files(&self) -> Result<Vec<String>> {
        let mut files = Vec::new();
        self.walk(Path::new(""), "", &mut |rel, _, _, _| {
            files.push(rel.to_string());
            Ok(())
        })?;
        files.extend(self.outside.as_ref().map(|(name, _)| name.clone()));
        files.sort();
        Ok(files)
    }

    fn write_archive(&self, out: Out) -> Result<()> {
        let mut tar = TarWriter::new(out);
        self.walk(Path::new(""), "", &mut |_, rel, full, meta| {
            append(&mut tar, rel, full, meta)
        })?;
        if let Some((name, text)) = &self.outside {
            tar.append(
                name.as_bytes(),
                0o644,
                0,
                super::tar::Kind::File(text.len() as u64),
                &mut text.as_slice(),
            )?;
        }
        tar.finish()?.flush()?;
        Ok(())
    }

    /// Visits the kept entries under `rel_dir` in sorted order, not following symlinks, with
    /// their `/`-separated relative path, relative path, full path and `lstat` metadata.
    fn walk(
        &self,
        rel_dir: &Path,
        rel_dir_str: &str,
        visit: &mut dyn FnMut(&str, &Path, &Path, &Metadata) -> io::Result<()>,
    ) -> io::Result<()> {
        let full_dir = self.root.join(rel_dir);
        let names = fs::read_dir(&full_dir).and_then(|dir| {
            dir.map(|e| e.map(|e| e.file_name()))
                .collect::<io::Result<Vec<OsString>>>()
        });
        let mut names = names.map_err(|e| with_path(e, &full_dir))?;
        names.sort();
        for name in names {
            let rel_path = rel_dir.join(&name);
            let rel = match rel_dir_str {
                "" => name.to_string_lossy().into_owned(),
                dir => format!("{dir}/{}", name.to_string_lossy()),
            };
            let full = self.root.join(&rel_path);
            let meta = fs::symlink_metadata(&full).map_err(|e| with_path(e, &full))?;
            let kind = meta.file_type();
            let excluded = self.ignore.matches(&rel);
            if !excluded && (kind.is_dir() || kind.is_file() || kind.is_symlink()) {
                visit(&rel, &rel_path, &full, &meta)?;
            }
            if kind.is_dir() && (!excluded || self.ignore.may_contain_exceptions(&rel)) {
                self.walk(&rel_path, &rel, visit)?;
            }
        }
        Ok(())
    }
}

/// Appends one entry: uid/gid 0, mode and mtime kept, symlinks as symlinks.
fn append(tar: &mut TarWriter<Out>, rel: &Path, full: &Path, meta: &Metadata) -> io::Result<()> {
    let mtime = |meta: &Metadata| {
        let since = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        since.map_or(0, |d| d.as_secs())
    };
    let path = tar_bytes(rel);
    let path = &path[..];
    if meta.is_symlink() {
        let target = fs::read_link(full).map_err(|e| with_path(e, full))?;
        let target = tar_bytes(&target);
        let kind = Entry::Symlink(&target);
        tar.append(path, mode(meta), mtime(meta), kind, &mut io::empty())
    } else if meta.is_dir() {
        tar.append(path, mode(meta), mtime(meta), Entry::Dir, &mut io::empty())
    } else {
        let mut file = File::open(full).map_err(|e| with_path(e, full))?;
        // The open file's own metadata: the size written is the size read.
        let meta = file.metadata()?;
        let kind = Entry::File(meta.len());
        tar.append(path, mode(&meta), mtime(&meta), kind, &mut file)
            .map_err(|e| match e.kind() {
                io::ErrorKind::BrokenPipe => e,
                _ => with_path(e, full),
            })
    }
}

/// A path as tar stores it: its bytes as they are on Unix (names need not be UTF-8), `/`
/// between components elsewhere.
#[cfg(unix)]
fn tar_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Borrowed(path.as_os_str().as_encoded_bytes())
}

#[cfg(not(unix))]
fn tar_bytes(path: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(path.to_string_lossy().replace('\\', "/").into_bytes())
}

#[cfg(unix)]
fn mode(meta: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(meta: &Metadata) -> u32 {
    if meta.is_dir() { 0o755 } else { 0o644 }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// The archive's destination: chunks of up to [`CHUNK_SIZE`] bytes, into the channel.
type Out = io::BufWriter<ChannelWriter>;

/// Sends each write as one chunk, blocking while the channel is full; fails once the stream
/// has been dropped.
struct ChannelWriter(mpsc::Sender<Bytes>);

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let dropped = |_| io::Error::new(io::ErrorKind::BrokenPipe, "build context stream dropped");
        self.0
            .blocking_send(Bytes::copy_from_slice(data))
            .map_err(dropped)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::io::Read;

    fn excluded(patterns: &str, path: &str) -> bool {
        DockerIgnore::parse(patterns).unwrap().matches(path)
    }

    /// `pattern path excluded?` triples, mostly from moby's patternmatcher tests.
    const CASES: &str = r"
        *.go main.go 1 ; *.go x/main.go 0 ; **/*.go a.go 1 ; **/*.go x/y/a.go 1 ; a/** a 0 ;
        a/** a/b/c 1 ; a/**/b a/b 1 ; a/**/b a/x/y/b 1 ; a/**/b a/x/c 0 ; ** file 1 ; **/ file 1 ;
        ** dir/file 1 ; **/** dir/file 1 ; **/dir dir/file 1 ; **/dir2/* dir/dir2/file 1 ;
        **file dir/myfile 1 ; **/file*txt d/d/file.txt 1 ; **/**/*.txt2 d/d/file.txt 0 ;
        a**/*.txt a/d/d/file.txt 1 ; a/*.txt** a/file.txt 1 ; **/foo/bar foo/bar 1 ;
        **/foo/bar d/d2/foo/bar 1 ; **/.foo bar.foo 0 ; node_modules node_modules/x/y 1 ;
        a* ab/c 1 ; a*/b a/c/b 0 ; a*b*c*d*e*/f axbxcxdxexxx/f 1 ; a*b*c*d*e*/f axbxcxdxe/xxx/f 0 ;
        a*b?c*x abxbbxdbxebxczzx 1 ; a*b?c*x abxbbxdbxebxczzy 0 ; abc?def abcZdef 1 ;
        abc?def abcdef 0 ; a?b a☺b 1 ; a???b a☺b 0 ; a?b a/b 0 ; a*b a/b 0 ; a[b-d]e ace 1 ;
        a[b-d]e aae 0 ; a[^b-d]e aze 1 ; ab[^c] abc 0 ; [a-ζ]* α 1 ; *[a-ζ] A 0 ; [\]a] ] 1 ;
        [x\-] - 1 ; [x\-] z 0 ; a[^x]b a/b 1 ; a\*b a*b 1 ; a\*b ab 0 ; a\\ a\ 1 ; .* .foo 1 ;
        .* foo 0 ; abc.def abcZdef 0 ; a(b)c/def a(b)c/def 1 ; a.|)$(}+{bc a.|)$(}+{bc 1 ;
        dist/*.whl dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl 1 ; /foo foo 1 ;
        ./x x 1 ; dir/ dir/file 1 ; a/../b b 1 ; /../x x 1 ; ../x x 0 ; * . 0";

    #[test]
    fn single_patterns_match_like_moby() {
        for case in CASES.split(';') {
            let f: Vec<&str> = case.split_whitespace().collect();
            assert_eq!(f.len(), 3, "{case}");
            assert_eq!(excluded(f[0], f[1]), f[2] == "1", "{case}");
        }
    }

    #[test]
    fn last_matching_pattern_wins() {
        assert!(!excluded("*.md\n!README.md", "README.md"));
        assert!(excluded("*.md\n!README.md", "CHANGES.md"));
        assert!(excluded("!fileutils.go\n*.go", "fileutils.go"));
        assert!(!excluded("docs\n!docs/README.md", "docs/README.md"));
        assert!(excluded("docs\n!docs/README.md", "docs/other.md"));
        assert!(!excluded("docs/*\n!docs/README.md", "docs/README.md"));
        assert!(!excluded("**\n!util/docker/web", "util/docker/web/foo"));
        let web = "**\n!util/docker/web\nutil/docker/web/foo";
        assert!(excluded(web, "util/docker/web/foo"));
        assert!(excluded("a\n!a/b\na", "a/b/c"));
    }

    #[test]
    fn parsing_comments_blanks_whitespace_and_errors() {
        let ignore = DockerIgnore::parse("\u{feff}# c\n\n  \n  *.log  \r\n! /keep.log\n").unwrap();
        assert_eq!(ignore.patterns.len(), 2);
        assert!(ignore.matches("a.log") && !ignore.matches("keep.log"));
        assert!(excluded("  #notes", "#notes")); // `#` only comments in the first column
        for bad in [
            "!", "!/", "[", "a[", "[^bc", "[]a]", "[-]", "[x-]", "[a-b-c]", "\\", "[z-a]",
        ] {
            let err = DockerIgnore::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{bad:?}: {err:?}");
        }
    }

    #[test]
    fn exceptions_inside_excluded_directories() {
        let ignore = DockerIgnore::parse("dir\nbuild\n!dir/keep.txt\n!**/x.keep").unwrap();
        assert!(ignore.matches("dir") && !ignore.matches("dir/keep.txt"));
        assert!(ignore.matches("build/a/y.keep") && !ignore.matches("build/a/x.keep"));
        assert!(ignore.may_contain_exceptions("dir") && ignore.may_contain_exceptions("build"));
        let literal = DockerIgnore::parse("d\n!d/keep").unwrap();
        assert!(!literal.may_contain_exceptions("other"));
        let globbed = DockerIgnore::parse("out\n!out/*/x").unwrap();
        assert!(globbed.may_contain_exceptions("out") && globbed.may_contain_exceptions("out/a"));
        assert!(!globbed.may_contain_exceptions("out/a/y") && !globbed.may_contain_exceptions("b"));
    }

    /// A temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("bc-test-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            TempDir(dir)
        }

        fn write(&self, rel: &str, data: &[u8]) {
            let path = self.0.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, data).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn sample_tree() -> TempDir {
        let t = TempDir::new();
        let ignore = "Dockerfile\n.dockerignore\n*.md\n!README.md\nbuild\n!build/keep.txt\nsecret/";
        t.write(".dockerignore", ignore.as_bytes());
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for (rel, data) in [("Dockerfile", &b"FROM scratch"[..]), ("src/big.bin", &big)] {
            t.write(rel, data);
        }
        for rel in "README.md notes.md src/main.rs build/out build/keep.txt build/sub/x secret/key"
            .split(' ')
        {
            t.write(rel, rel.as_bytes());
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink("src/main.rs", t.0.join("link")).unwrap();
        t
    }

    const EXPECTED: &[&str] = &[".dockerignore", "Dockerfile", "README.md", "build/keep.txt"];
    const EXPECTED_REST: &[&str] = &["src", "src/big.bin", "src/main.rs"];

    fn expected_files() -> Vec<&'static str> {
        let link: &[&str] = if cfg!(unix) { &["link"] } else { &[] };
        [EXPECTED, link, EXPECTED_REST].concat()
    }

    #[test]
    fn files_honour_dockerignore() {
        let t = sample_tree();
        let ctx = BuildContext::from_dir(&t.0, "").unwrap();
        assert_eq!(ctx.dockerfile(), "Dockerfile");
        assert_eq!(ctx.files().unwrap(), expected_files());
    }

    #[tokio::test]
    async fn stream_is_a_tar_of_the_same_entries() {
        let t = sample_tree();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(t.0.join("README.md"), fs::Permissions::from_mode(0o640)).unwrap();
        }
        let ctx = BuildContext::from_dir(&t.0, "./Dockerfile").unwrap();
        let stream = ctx.into_stream();
        let chunks: Vec<Bytes> = stream.map(|c| c.unwrap()).collect().await;
        assert!(chunks.len() > 1 && chunks.iter().all(|c| c.len() <= CHUNK_SIZE));
        let (archive, mut seen) = (chunks.concat(), Vec::new());
        for entry in tar::Archive::new(&archive[..]).entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let (header, mut data) = (entry.header().clone(), Vec::new());
            assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
            entry.read_to_end(&mut data).unwrap();
            match header.entry_type() {
                tar::EntryType::Regular => {
                    assert_eq!(data, fs::read(t.0.join(&path)).unwrap(), "{path}");
                    let mtime = fs::metadata(t.0.join(&path)).unwrap().modified().unwrap();
                    let mtime = mtime.duration_since(std::time::UNIX_EPOCH).unwrap();
                    assert_eq!(header.mtime().unwrap(), mtime.as_secs());
                }
                tar::EntryType::Symlink => {
                    let target = entry.link_name().unwrap().unwrap();
                    assert_eq!((&*path, target.to_str()), ("link", Some("src/main.rs")));
                }
                kind => assert_eq!((kind, &*path), (tar::EntryType::Directory, "src")),
            }
            if cfg!(unix) && path == "README.md" {
                assert_eq!(header.mode().unwrap(), 0o640);
            }
            seen.push(path);
        }
        seen.sort();
        assert_eq!(seen, expected_files());
    }

    #[tokio::test]
    async fn io_errors_end_the_stream() {
        let t = sample_tree();
        let ctx = BuildContext::from_dir(&t.0, "Dockerfile").unwrap();
        fs::remove_dir_all(&t.0).unwrap();
        let items: Vec<Result<Bytes>> = ctx.into_stream().collect().await;
        assert!(matches!(items.last(), Some(Err(Error::Io(_)))), "{items:?}");
    }

    #[test]
    fn from_dir_rejects_bad_contexts_before_any_request() {
        let t = sample_tree();
        let dir = t.0.to_string_lossy().into_owned();
        let cases = [
            (t.0.join("missing"), "Dockerfile", "missing"),
            (t.0.join("README.md"), "Dockerfile", "README.md"),
            (t.0.clone(), "Dockerfile.missing", "Dockerfile.missing"),
            (t.0.clone(), "../Dockerfile", &*dir),
            (t.0.clone(), "src", "src"),
        ];
        for (path, dockerfile, named) in cases {
            let err = BuildContext::from_dir(&path, dockerfile).unwrap_err();
            let ok = matches!(&err, Error::InvalidArgument(m) if m.contains(named));
            assert!(ok, "{err:?}");
        }
        t.write(".dockerignore", b"[");
        let err = BuildContext::from_dir(&t.0, "Dockerfile").unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(m) if m.contains(".dockerignore")));
    }

    #[test]
    fn a_dockerfile_outside_the_context_is_added_under_a_name_of_its_own() {
        let t = TempDir::new();
        t.write("ctx/app.txt", b"x");
        t.write("ctx/.dockerignore", b"secret\n");
        t.write("ctx/secret", b"");
        t.write("Dockerfile.dev", b"FROM scratch\n");
        let ctx = BuildContext::from_dir(t.0.join("ctx"), "../Dockerfile.dev").unwrap();
        let name = ctx.dockerfile().to_string();
        assert!(name.starts_with(".dockerfile."), "{name}");
        let mut want = vec![".dockerignore".to_string(), "app.txt".into(), name];
        want.sort();
        assert_eq!(ctx.files().unwrap(), want);
        let absolute = t.0.join("Dockerfile.dev").display().to_string();
        let ctx = BuildContext::from_dir(t.0.join("ctx"), &absolute).unwrap();
        assert!(ctx.dockerfile().starts_with(".dockerfile."));
    }

    #[test]
    fn dockerfile_in_an_excluded_directory_is_still_sent() {
        let t = TempDir::new();
        t.write(".dockerignore", b"docker\n");
        t.write("docker/app.Dockerfile", b"FROM scratch\n");
        t.write("docker/other", b"");
        let ctx = BuildContext::from_dir(&t.0, "docker/app.Dockerfile").unwrap();
        let files = ctx.files().unwrap();
        assert_eq!(files, [".dockerignore", "docker/app.Dockerfile"]);
    }
}
