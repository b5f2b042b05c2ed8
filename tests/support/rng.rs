//! xorshift64*: a small deterministic generator, so that the property and fuzz runs are
//! repeatable. One copy for the suite: the parser fuzz (tests/parsers_fuzz.rs), the hostile
//! names test (tests/engine/hostile.rs) and the demultiplexer's unit tests
//! (src/stream/demux.rs) include this file as a module.
#![allow(dead_code)]

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// Sorted cut points splitting `len` bytes into at most `pieces` reads.
    pub fn cuts(&mut self, len: usize, pieces: usize) -> Vec<usize> {
        let mut cuts: Vec<usize> = (0..self.below(pieces))
            .map(|_| self.below(len + 1))
            .collect();
        cuts.sort_unstable();
        cuts
    }
}
