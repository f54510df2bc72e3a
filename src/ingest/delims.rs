//! Finding the next delimiter of a block from a bit mask of 64-byte windows.
//!
//! Scanners look for the end of many short pieces in a row: csvde fields (an export with
//! hundreds of mostly empty columns has a comma every byte or two) and LDIF lines (tens of
//! bytes). A `memchr` call per piece pays its setup for a few bytes each time; a [`Delims`]
//! cursor compares 64 bytes at once and keeps the resulting mask, so the next piece's end is
//! usually a shift and a bit scan of the mask already computed.

/// Where the next of up to three delimiter bytes is, searched forward through a block.
pub struct Delims {
    needles: [u8; 3],
    /// Start of the window the mask describes (`usize::MAX`: none yet).
    base: usize,
    /// Bit `i`: `data[base + i]` is a delimiter (bits past the end of the data are clear).
    mask: u64,
}

impl Delims {
    /// A cursor for `a`, `b` and `c` (repeat a byte to look for fewer).
    pub fn new(a: u8, b: u8, c: u8) -> Delims {
        Delims {
            needles: [a, b, c],
            base: usize::MAX,
            mask: 0,
        }
    }

    /// The position of the first delimiter at or after `pos` in `data`, or `data.len()`.
    /// `data` must be the same slice on every call.
    #[inline]
    pub fn next(&mut self, data: &[u8], mut pos: usize) -> usize {
        loop {
            if pos >= data.len() {
                return data.len();
            }
            // A `pos` before the window (or no window yet: `base` is `usize::MAX`) reloads.
            if pos >= self.base && pos - self.base < 64 {
                let rest = self.mask >> (pos - self.base);
                if rest != 0 {
                    return pos + rest.trailing_zeros() as usize;
                }
                pos = self.base + 64;
                if pos >= data.len() {
                    return data.len();
                }
            }
            self.load(data, pos);
        }
    }

    fn load(&mut self, data: &[u8], base: usize) {
        self.base = base;
        let window = &data[base..];
        self.mask = match window.get(..64) {
            Some(chunk) => mask64(chunk, self.needles),
            None => window
                .iter()
                .enumerate()
                .filter(|(_, b)| self.needles.contains(b))
                .fold(0u64, |m, (i, _)| m | (1 << i)),
        };
    }
}

/// How many bytes from `pos` on are `byte` (a run of a wide export's empty csvde fields,
/// a comma each), sixteen compared at once.
#[inline]
pub fn run_of(byte: u8, data: &[u8], pos: usize) -> usize {
    let mut at = pos;
    #[cfg(target_arch = "x86_64")]
    while at + 16 <= data.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned load reads
        // `data[at..at + 16]`, in bounds by the loop's condition.
        let same = unsafe {
            let v = _mm_loadu_si128(data.as_ptr().add(at).cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))) as u32
        };
        let run = (!same).trailing_zeros() as usize;
        at += run.min(16);
        if run < 16 {
            return at - pos;
        }
    }
    while data.get(at) == Some(&byte) {
        at += 1;
    }
    at - pos
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn mask64(chunk: &[u8], needles: [u8; 3]) -> u64 {
    use std::arch::x86_64::*;
    assert!(chunk.len() >= 64);
    // SAFETY: SSE2 is part of the x86_64 baseline; the four unaligned 16-byte loads read
    // `chunk[0..64]`, which the assertion above guarantees is in bounds.
    unsafe {
        let a = _mm_set1_epi8(needles[0] as i8);
        let b = _mm_set1_epi8(needles[1] as i8);
        let c = _mm_set1_epi8(needles[2] as i8);
        let mut mask = 0u64;
        for k in 0..4 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k).cast());
            let hits = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)),
                _mm_cmpeq_epi8(v, c),
            );
            mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
        }
        mask
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn mask64(chunk: &[u8], needles: [u8; 3]) -> u64 {
    chunk[..64]
        .iter()
        .enumerate()
        .filter(|(_, b)| needles.contains(b))
        .fold(0u64, |m, (i, _)| m | (1 << i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position of every slice length agrees with a plain search.
    #[test]
    fn agrees_with_a_plain_search() {
        let text: Vec<u8> = (0..300u32)
            .map(|i| match (i * 7 + i / 13) % 11 {
                0 => b',',
                1 => b'\n',
                2 => b'\r',
                _ => b'a' + (i % 26) as u8,
            })
            .collect();
        for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
            let data = &text[..len];
            let mut d = Delims::new(b',', b'\n', b'\r');
            // Forward jumps of every size, as the scanners make them.
            for step in 1..5 {
                let mut pos = 0;
                while pos <= len {
                    let want = data[pos.min(len)..]
                        .iter()
                        .position(|b| matches!(b, b',' | b'\n' | b'\r'))
                        .map_or(len, |i| pos + i);
                    assert_eq!(d.next(data, pos), want, "len {len} pos {pos}");
                    pos += step;
                }
            }
            // Going back to an earlier position reloads the window.
            assert_eq!(d.next(data, 0), d.next(&text[..len], 0));
        }
    }

    /// Runs of every length at every offset, against counting byte by byte.
    #[test]
    fn runs_agree_with_counting() {
        for len in 0..80usize {
            for start in 0..=len {
                for run in 0..=(len - start) {
                    let mut data = vec![b'x'; len];
                    data[start..start + run].fill(b',');
                    assert_eq!(run_of(b',', &data, start), run, "len {len} start {start}");
                }
            }
        }
        assert_eq!(run_of(b',', b",,,", 3), 0);
    }
}
