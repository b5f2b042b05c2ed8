//! The tar writer behind build contexts: regular files, directories and symlinks, in the GNU
//! format the docker CLI sends (magic `"ustar  \0"`). Names and link targets longer than a
//! header's 100 bytes go first as GNU `L` and `K` entries named `././@LongLink`; numbers too
//! large for their octal field are written in GNU's base-256 form. Go's `archive/tar`, which
//! the daemon reads build contexts with, takes both extensions (its `reader.go`).
//!
//! Written here rather than taken from a crate: this is all the crate needs of tar, and it
//! costs a user's clean build a fraction of what the `tar` crate did (W7 in
//! `benches/RESULTS.md`). The tests read what it writes with the `tar` crate, as an
//! independent reader.

use std::io::{self, Read, Write};

const BLOCK: usize = 512;

/// What an entry is, with what its header needs to say about it.
pub(super) enum Kind<'a> {
    /// A regular file of this many bytes; the data follows from the reader given to `append`.
    File(u64),
    Dir,
    Symlink(&'a [u8]),
}

/// A tar stream being written to `W`.
pub(super) struct TarWriter<W: Write> {
    out: W,
}

impl<W: Write> TarWriter<W> {
    pub(super) fn new(out: W) -> TarWriter<W> {
        TarWriter { out }
    }

    /// Appends one entry owned by uid and gid 0. For a file, exactly its size is read from
    /// `data`; a reader that ends early is an `UnexpectedEof` error, not a short entry.
    pub(super) fn append(
        &mut self,
        path: &[u8],
        mode: u32,
        mtime: u64,
        kind: Kind<'_>,
        data: &mut dyn Read,
    ) -> io::Result<()> {
        let (flag, size, link) = match kind {
            Kind::File(size) => (b'0', size, &[][..]),
            Kind::Dir => (b'5', 0, &[][..]),
            Kind::Symlink(target) => (b'2', 0, target),
        };
        if link.len() > 100 {
            self.long(b'K', link)?;
        }
        if path.len() > 100 {
            self.long(b'L', path)?;
        }
        let header = header(path, mode, mtime, size, flag, link);
        self.out.write_all(&header)?;
        if flag == b'0' {
            let copied = io::copy(&mut data.take(size), &mut self.out)?;
            if copied < size {
                let kind = io::ErrorKind::UnexpectedEof;
                return Err(io::Error::new(kind, "file shrank while being archived"));
            }
            self.pad(size)?;
        }
        Ok(())
    }

    /// Ends the archive with its two zero blocks and hands back the writer.
    pub(super) fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0; 2 * BLOCK])?;
        Ok(self.out)
    }

    /// A GNU long name (`L`) or long link target (`K`) entry: the bytes and a NUL as data.
    fn long(&mut self, flag: u8, value: &[u8]) -> io::Result<()> {
        let size = value.len() as u64 + 1;
        let header = header(b"././@LongLink", 0o644, 0, size, flag, b"");
        self.out.write_all(&header)?;
        self.out.write_all(value)?;
        self.out.write_all(&[0])?;
        self.pad(size)
    }

    fn pad(&mut self, size: u64) -> io::Result<()> {
        let rest = (BLOCK - (size % BLOCK as u64) as usize) % BLOCK;
        self.out.write_all(&[0; BLOCK][..rest])
    }
}

/// A GNU header block; names and link targets are cut to their fields (a longer one has
/// already gone out as an `L` or `K` entry, which readers take instead).
fn header(path: &[u8], mode: u32, mtime: u64, size: u64, flag: u8, link: &[u8]) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let name = &path[..path.len().min(100)];
    h[..name.len()].copy_from_slice(name);
    number(&mut h[100..108], u64::from(mode));
    number(&mut h[108..116], 0);
    number(&mut h[116..124], 0);
    number(&mut h[124..136], size);
    number(&mut h[136..148], mtime);
    h[156] = flag;
    let link = &link[..link.len().min(100)];
    h[157..157 + link.len()].copy_from_slice(link);
    h[257..265].copy_from_slice(b"ustar  \0");
    // The checksum is the sum of the header's bytes with its own field read as spaces.
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

/// Octal digits and a NUL when the value fits, else GNU base-256: the high bit of the first
/// byte set and the value big-endian in the rest.
fn number(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    if value < 1u64 << (3 * digits as u32).min(63) {
        field[..digits].copy_from_slice(format!("{value:0digits$o}").as_bytes());
        field[digits] = 0;
    } else {
        field.fill(0);
        let at = field.len() - 8;
        field[at..].copy_from_slice(&value.to_be_bytes());
        field[0] |= 0x80;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Path, type, mode, mtime, data and link target of an entry, as the `tar` crate reads it.
    type ReadBack = (String, tar::EntryType, u32, u64, Vec<u8>, Option<String>);

    fn read_back(archive: &[u8]) -> Vec<ReadBack> {
        let mut out = Vec::new();
        for entry in tar::Archive::new(archive).entries().unwrap() {
            let mut entry = entry.unwrap();
            let header = entry.header().clone();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let link = entry
                .link_name()
                .unwrap()
                .map(|l| l.to_string_lossy().into_owned());
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            let (mode, mtime) = (header.mode().unwrap(), header.mtime().unwrap());
            assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
            out.push((path, header.entry_type(), mode, mtime, data, link));
        }
        out
    }

    #[test]
    fn entries_read_back_with_an_independent_reader() {
        let long_name = format!("{}/file.txt", "d".repeat(150));
        let long_target = "t".repeat(200);
        let mut w = TarWriter::new(Vec::new());
        w.append(b"dir", 0o755, 7, Kind::Dir, &mut io::empty())
            .unwrap();
        w.append(
            b"dir/a",
            0o640,
            1_700_000_000,
            Kind::File(5),
            &mut &b"hello"[..],
        )
        .unwrap();
        w.append(b"empty", 0o644, 0, Kind::File(0), &mut io::empty())
            .unwrap();
        let block = vec![b'x'; 512];
        w.append(b"block", 0o600, 1, Kind::File(512), &mut &block[..])
            .unwrap();
        w.append(
            long_name.as_bytes(),
            0o644,
            2,
            Kind::File(3),
            &mut &b"abc"[..],
        )
        .unwrap();
        let target = long_target.as_bytes();
        w.append(b"link", 0o777, 3, Kind::Symlink(target), &mut io::empty())
            .unwrap();
        w.append(
            b"short",
            0o777,
            3,
            Kind::Symlink(b"dir/a"),
            &mut io::empty(),
        )
        .unwrap();
        let archive = w.finish().unwrap();
        assert_eq!(archive.len() % BLOCK, 0);
        assert!(archive.ends_with(&[0; 1024]));

        use tar::EntryType::{Directory, Regular, Symlink};
        let got = read_back(&archive);
        let want = vec![
            ("dir".to_string(), Directory, 0o755, 7, vec![], None),
            (
                "dir/a".into(),
                Regular,
                0o640,
                1_700_000_000,
                b"hello".to_vec(),
                None,
            ),
            ("empty".into(), Regular, 0o644, 0, vec![], None),
            ("block".into(), Regular, 0o600, 1, block.clone(), None),
            (long_name.clone(), Regular, 0o644, 2, b"abc".to_vec(), None),
            (
                "link".into(),
                Symlink,
                0o777,
                3,
                vec![],
                Some(long_target.clone()),
            ),
            (
                "short".into(),
                Symlink,
                0o777,
                3,
                vec![],
                Some("dir/a".into()),
            ),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_file_that_ends_early_is_an_error() {
        let mut w = TarWriter::new(Vec::new());
        let e = w
            .append(b"f", 0o644, 0, Kind::File(10), &mut &b"short"[..])
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn numbers_beyond_octal_fields_use_base_256() {
        let mut field = [0u8; 12];
        number(&mut field, 0o77_777_777_777);
        assert_eq!(&field, b"77777777777\0");
        number(&mut field, 1 << 33);
        assert_eq!(field[0], 0x80);
        assert_eq!(u64::from_be_bytes(field[4..].try_into().unwrap()), 1 << 33);
        // What the tar crate reads from such a header.
        let h = header(b"big", 0o644, 0, 1 << 40, b'0', b"");
        let parsed = tar::Header::from_byte_slice(&h);
        assert_eq!(parsed.size().unwrap(), 1 << 40);
        assert_eq!(parsed.cksum().unwrap(), {
            let mut c = h;
            c[148..156].fill(b' ');
            c.iter().map(|&b| u32::from(b)).sum::<u32>()
        });
    }
}
