//! Columns that pay only for the rows that have a value.
//!
//! Most per-row facts are absent on most rows of a real export (groupType outside groups,
//! pwdLastSet outside users, a consistency GUID, a photo): a dense `Vec<Option<T>>` costs
//! every row the full width. [`Presence`] keeps one bit a row plus a running count every 64
//! rows, so a row's value is found with one popcount and the values of the present rows are
//! stored densely.

/// Which rows have a value: one bit a row, and the number of set bits before each 64-row word.
#[derive(Clone, Debug, Default)]
pub struct Presence {
    words: Vec<u64>,
    /// `ranks[w]`: set bits in `words[..w]`.
    ranks: Vec<u32>,
    len: usize,
    count: usize,
}

impl Presence {
    /// `rows` rows, every one present.
    pub fn full(rows: usize) -> Presence {
        let mut words = vec![u64::MAX; rows / 64];
        if rows % 64 != 0 {
            words.push((1u64 << (rows % 64)) - 1);
        }
        let ranks = (0..words.len()).map(|w| (w * 64) as u32).collect();
        Presence {
            words,
            ranks,
            len: rows,
            count: rows,
        }
    }

    #[inline]
    pub fn push(&mut self, present: bool) {
        let bit = self.len % 64;
        if bit == 0 {
            self.words.push(0);
            self.ranks.push(self.count as u32);
        }
        if present {
            if let Some(w) = self.words.last_mut() {
                *w |= 1 << bit;
            }
            self.count += 1;
        }
        self.len += 1;
    }

    /// The index of `row`'s value among the present rows, if it has one.
    #[inline]
    pub fn rank(&self, row: usize) -> Option<usize> {
        // No check of `row` against the length: the bits past it are zero.
        let word = *self.words.get(row / 64)?;
        let bit = 1u64 << (row % 64);
        if word & bit == 0 {
            return None;
        }
        let before = *self.ranks.get(row / 64)?;
        Some(before as usize + (word & (bit - 1)).count_ones() as usize)
    }

    /// Present rows before `row` (every present row when `row` is past the end).
    fn count_before(&self, row: usize) -> usize {
        if row >= self.len {
            return self.count;
        }
        let word = self.words[row / 64];
        let mask = (1u64 << (row % 64)) - 1;
        self.ranks[row / 64] as usize + (word & mask).count_ones() as usize
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Rows that have a value.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Appends another column's rows.
    pub fn append(&mut self, other: &Presence) {
        if self.len % 64 == 0 {
            // Word-aligned: whole words, with their counts shifted.
            let base = self.count as u32;
            self.words.extend_from_slice(&other.words);
            self.ranks.extend(other.ranks.iter().map(|r| r + base));
            self.len += other.len;
            self.count += other.count;
            return;
        }
        // Each of `other`'s words fills the rest of the last word and starts the next one
        // (bits past a column's length are zero, so whole words can be shifted in).
        let shift = self.len % 64;
        let room = 64 - shift;
        for (w, &word) in other.words.iter().enumerate() {
            let bits = (other.len - w * 64).min(64);
            if let Some(last) = self.words.last_mut() {
                *last |= word << shift;
            }
            self.count += (word & ((1u64 << room) - 1)).count_ones() as usize;
            if bits > room {
                self.words.push(word >> room);
                self.ranks.push(self.count as u32);
                self.count += (word >> room).count_ones() as usize;
            }
            self.len += bits;
        }
    }

    /// Keeps rows `..rows`; returns how many of them have a value.
    pub fn truncate(&mut self, rows: usize) -> usize {
        if rows < self.len {
            self.count = self.count_before(rows);
            let words = rows.div_ceil(64);
            self.words.truncate(words);
            self.ranks.truncate(words);
            if rows % 64 != 0 {
                if let Some(w) = self.words.last_mut() {
                    *w &= (1u64 << (rows % 64)) - 1;
                }
            }
            self.len = rows;
        }
        self.count
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8 + self.ranks.capacity() * 4
    }
}

/// A nullable column whose values are stored only for the rows that have one.
#[derive(Clone, Debug)]
pub struct SparseColumn<T> {
    present: Presence,
    values: Vec<T>,
}

impl<T> Default for SparseColumn<T> {
    fn default() -> Self {
        SparseColumn {
            present: Presence::default(),
            values: Vec::new(),
        }
    }
}

impl<T> SparseColumn<T> {
    pub fn get_ref(&self, row: usize) -> Option<&T> {
        self.present.rank(row).and_then(|i| self.values.get(i))
    }
}

impl<T: Copy> SparseColumn<T> {
    #[inline]
    pub fn push(&mut self, value: Option<T>) {
        self.present.push(value.is_some());
        if let Some(v) = value {
            self.values.push(v);
        }
    }

    pub fn get(&self, row: usize) -> Option<T> {
        self.get_ref(row).copied()
    }

    /// Rows (present or not).
    pub fn len(&self) -> usize {
        self.present.len()
    }

    pub fn is_empty(&self) -> bool {
        self.present.is_empty()
    }

    /// Every row's value in row order (`None` where absent).
    pub fn iter(&self) -> impl Iterator<Item = Option<T>> + '_ {
        (0..self.len()).map(|row| self.get(row))
    }

    pub fn append(&mut self, other: SparseColumn<T>) {
        self.present.append(&other.present);
        self.values.extend(other.values);
    }

    pub fn truncate(&mut self, rows: usize) {
        let keep = self.present.truncate(rows);
        self.values.truncate(keep);
    }

    pub fn heap_bytes(&self) -> usize {
        self.present.heap_bytes() + self.values.capacity() * std::mem::size_of::<T>()
    }

    /// The same rows with each value converted.
    pub fn map<U>(self, f: impl Fn(T) -> U) -> SparseColumn<U> {
        SparseColumn {
            present: self.present,
            values: self.values.into_iter().map(f).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a pattern where every `k`-th row (by some rule) has a value.
    fn pattern(n: usize, seed: usize) -> Vec<Option<u32>> {
        (0..n)
            .map(|i| ((i * 7 + seed) % 5 < 2).then_some(i as u32 * 3))
            .collect()
    }

    #[test]
    fn get_append_and_truncate_agree_with_a_dense_vector() {
        // Lengths around word boundaries, and appends that are and are not word-aligned.
        for (a, b) in [(0, 5), (64, 70), (63, 130), (1, 1), (200, 0), (128, 64)] {
            let mut dense = pattern(a, 1);
            let mut col = SparseColumn::default();
            dense.iter().for_each(|v| col.push(*v));
            let tail = pattern(b, 3);
            let mut other = SparseColumn::default();
            tail.iter().for_each(|v| other.push(*v));
            col.append(other);
            dense.extend(tail);
            assert_eq!(col.len(), dense.len());
            assert_eq!(col.iter().collect::<Vec<_>>(), dense);
            assert_eq!(col.get(dense.len()), None);
            for keep in [0, 1, 63, 64, 65, dense.len() / 2, dense.len()] {
                let mut cut = col.clone();
                cut.truncate(keep);
                let want: Vec<_> = dense.iter().take(keep).copied().collect();
                assert_eq!(
                    cut.iter().collect::<Vec<_>>(),
                    want,
                    "{a}+{b} cut at {keep}"
                );
                // Pushing after a cut lands on the next row, absent or not: the cut left no
                // bit set past the length (a row's rank relies on it).
                cut.push(None);
                cut.push(Some(9));
                assert_eq!(cut.get(want.len()), None);
                assert_eq!(cut.get(want.len() + 1), Some(9));
            }
        }
    }

    #[test]
    fn absent_rows_cost_a_bit() {
        let mut col = SparseColumn::<i64>::default();
        for i in 0..100_000 {
            col.push((i % 1000 == 0).then_some(i as i64));
        }
        assert_eq!(col.get(5000), Some(5000));
        assert_eq!(col.get(5001), None);
        // 100 values and 1,563 words with their counts (capacity rounded up): under a
        // twentieth of the 8 bytes a row of a dense column.
        assert!(col.heap_bytes() < 100_000 * 8 / 20, "{}", col.heap_bytes());
    }
}
