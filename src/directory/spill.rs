//! Column storage that can live in a memory-mapped temporary file: spilling.
//!
//! A directory larger than the memory available must not get synclint stopped by the system.
//! With spilling on, the text columns' byte arenas and offsets go to unnamed temporary files
//! mapped into memory: the kernel writes their pages out and drops them from RAM when memory
//! runs short, and reads them back when they are touched again, the way it handles its page
//! cache. The rules walk the columns in row order, so a spilled run costs little more than the
//! extra disk traffic. Heap storage stays the default: it is faster and needs no disk space.
//!
//! Space on disk is reserved (`posix_fallocate`) before the mapping grows over it, so a full
//! disk is an error when growing, never a fault when writing through the mapping; on such an
//! error the column moves back to the heap and remembers why ([`SpillVec::spill_failure`], which
//! the directory gathers for the caller to report). What differs per operating system is in
//! [`os`].

mod os;

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// Element types a mapped file can hold as they are: plain integers (no padding, no
/// pointers, any bit pattern valid).
pub trait Plain: Copy + Default + Send + Sync + 'static + private::Sealed {}
impl Plain for u8 {}
impl Plain for u32 {}
impl Plain for u64 {}

mod private {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
}

/// The smallest file a spilled column starts with; it doubles as it fills.
const FIRST_FILE_BYTES: usize = 1 << 20;

/// A growable array of `T` on the heap or in a mapped temporary file.
pub struct SpillVec<T: Plain> {
    store: Store<T>,
    /// Why this column, spilled at first, went back to the heap.
    failure: Option<String>,
}

enum Store<T: Plain> {
    Heap(Vec<T>),
    File(Mapped<T>),
}

struct Mapped<T: Plain> {
    dir: PathBuf,
    file: std::fs::File,
    /// The whole file, mapped shared; its length is the capacity in bytes.
    map: memmap2::MmapMut,
    len: usize,
    _items: PhantomData<T>,
}

impl<T: Plain> Default for SpillVec<T> {
    fn default() -> Self {
        SpillVec {
            store: Store::Heap(Vec::new()),
            failure: None,
        }
    }
}

impl<T: Plain> Clone for SpillVec<T> {
    /// A copy on the heap (a clone is for tests and small tables).
    fn clone(&self) -> Self {
        SpillVec {
            store: Store::Heap(self.as_slice().to_vec()),
            failure: self.failure.clone(),
        }
    }
}

impl<T: Plain + std::fmt::Debug> std::fmt::Debug for SpillVec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpillVec")
            .field("len", &self.len())
            .field("spilled", &self.is_spilled())
            .finish()
    }
}

impl<T: Plain> SpillVec<T> {
    /// An empty array kept in a new unnamed temporary file in `dir`.
    pub fn in_file(dir: &Path) -> std::io::Result<SpillVec<T>> {
        let file = tempfile::tempfile_in(dir)?;
        let map = map_file(&file, FIRST_FILE_BYTES)?;
        Ok(SpillVec {
            store: Store::File(Mapped {
                dir: dir.to_path_buf(),
                file,
                map,
                len: 0,
                _items: PhantomData,
            }),
            failure: None,
        })
    }

    /// An empty array (of any element type) stored the same way as this one: in the same
    /// directory when this one is spilled; on the heap, remembering why, if that fails.
    pub fn empty_like<U: Plain>(&self) -> SpillVec<U> {
        match &self.store {
            Store::File(m) => SpillVec::in_file(&m.dir).unwrap_or_else(|e| SpillVec {
                store: Store::Heap(Vec::new()),
                failure: Some(failure(&m.dir, &e)),
            }),
            Store::Heap(_) => SpillVec {
                store: Store::Heap(Vec::new()),
                failure: self.failure.clone(),
            },
        }
    }

    /// Why this column, spilled at first, went back to the heap, if it did (the run still
    /// completes, in memory).
    pub fn spill_failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// Tells the system how the file will be read: at random (no read-ahead) or in row order.
    /// Nothing to do on the heap.
    pub fn expect_random_access(&self, random: bool) {
        if let Store::File(m) = &self.store {
            os::expect_random_access(&m.map, random);
        }
    }

    pub fn is_spilled(&self) -> bool {
        matches!(self.store, Store::File(_))
    }

    pub fn len(&self) -> usize {
        match &self.store {
            Store::Heap(v) => v.len(),
            Store::File(m) => m.len,
        }
    }

    pub fn as_slice(&self) -> &[T] {
        match &self.store {
            Store::Heap(v) => v,
            Store::File(m) => {
                // SAFETY: the mapping is page-aligned (so aligned for T), at least `len` items
                // long, and holds only items written by `extend_from_slice`; `T` is a plain
                // integer, valid for any bit pattern.
                unsafe { std::slice::from_raw_parts(m.map.as_ptr().cast::<T>(), m.len) }
            }
        }
    }

    /// Heap bytes held (a spilled column holds none: its pages belong to the file).
    pub fn heap_bytes(&self) -> usize {
        match &self.store {
            Store::Heap(v) => v.capacity() * std::mem::size_of::<T>(),
            Store::File(_) => 0,
        }
    }

    pub fn push(&mut self, item: T) {
        self.extend_from_slice(std::slice::from_ref(&item));
    }

    pub fn extend_from_slice(&mut self, items: &[T]) {
        if let Store::Heap(v) = &mut self.store {
            v.extend_from_slice(items);
            return;
        }
        self.reserve_in_file(items.len());
        match &mut self.store {
            Store::Heap(v) => v.extend_from_slice(items),
            Store::File(m) => {
                let size = std::mem::size_of::<T>();
                let start = m.len * size;
                // SAFETY: `T` is a plain integer: its bytes are its value.
                let bytes = unsafe {
                    std::slice::from_raw_parts(
                        items.as_ptr().cast::<u8>(),
                        std::mem::size_of_val(items),
                    )
                };
                m.map[start..start + bytes.len()].copy_from_slice(bytes);
                m.len += items.len();
            }
        }
    }

    /// Appends every item of `items`, in chunks (no allocation the size of the input).
    pub fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        if let Store::Heap(v) = &mut self.store {
            v.extend(items);
            return;
        }
        let mut chunk = Vec::with_capacity(4096);
        for item in items {
            chunk.push(item);
            if chunk.len() == chunk.capacity() {
                self.extend_from_slice(&chunk);
                chunk.clear();
            }
        }
        self.extend_from_slice(&chunk);
    }

    pub fn truncate(&mut self, len: usize) {
        match &mut self.store {
            Store::Heap(v) => v.truncate(len),
            Store::File(m) => m.len = m.len.min(len),
        }
    }

    /// Room for `additional` more items without growing.
    pub fn reserve(&mut self, additional: usize) {
        match &mut self.store {
            Store::Heap(v) => v.reserve(additional),
            Store::File(_) => self.reserve_in_file(additional),
        }
    }

    /// Makes room for `additional` more items: the file grows (doubling) and is mapped again.
    /// If the disk refuses, the column moves to the heap.
    fn reserve_in_file(&mut self, additional: usize) {
        let Store::File(m) = &mut self.store else {
            return;
        };
        let size = std::mem::size_of::<T>();
        let needed = (m.len + additional) * size;
        if needed <= m.map.len() {
            return;
        }
        let capacity = needed.next_power_of_two().max(FIRST_FILE_BYTES);
        if let Err(e) = os::grow(&m.file, &mut m.map, capacity) {
            self.failure = Some(failure(&m.dir, &e));
            let items = if m.map.len() >= m.len * size {
                self.as_slice().to_vec()
            } else {
                read_back(m)
            };
            self.store = Store::Heap(items);
        }
    }
}

/// The items of a column whose file is no longer mapped (Windows unmaps to grow a file; if
/// mapping it again failed too), read from the file itself.
fn read_back<T: Plain>(m: &Mapped<T>) -> Vec<T> {
    use std::io::{Read, Seek};
    let mut items = vec![T::default(); m.len];
    // SAFETY: `T` is a plain integer: any bytes are a valid value.
    let bytes = unsafe {
        std::slice::from_raw_parts_mut(
            items.as_mut_ptr().cast::<u8>(),
            std::mem::size_of_val(&items[..]),
        )
    };
    let mut file = &m.file;
    if let Err(e) = file
        .seek(std::io::SeekFrom::Start(0))
        .and_then(|_| file.read_exact(bytes))
    {
        // The directory's own data is gone: no result could be trusted.
        panic!("a spilled column's temporary file can no longer be read: {e}");
    }
    items
}

fn failure(dir: &Path, e: &std::io::Error) -> String {
    format!(
        "spilling to {} stopped ({e}); the rest is kept in memory",
        dir.display()
    )
}

/// Reserves `bytes` of disk for `file` and maps all of it.
fn map_file(file: &std::fs::File, bytes: usize) -> std::io::Result<memmap2::MmapMut> {
    os::reserve_disk(file, bytes)?;
    os::map_whole(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spilled_array_holds_what_a_vec_holds() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut spilled = SpillVec::<u32>::in_file(dir.path()).expect("spill file");
        let mut heap = SpillVec::<u32>::default();
        assert!(spilled.is_spilled() && !heap.is_spilled());
        // Past the first file size several times over, in pushes and slices.
        for i in 0..700_000u32 {
            spilled.push(i ^ 0x5555);
            heap.push(i ^ 0x5555);
        }
        let tail: Vec<u32> = (0..100_000).collect();
        spilled.extend_from_slice(&tail);
        heap.extend_from_slice(&tail);
        spilled.extend(tail.iter().map(|x| x * 3));
        heap.extend(tail.iter().map(|x| x * 3));
        assert_eq!(spilled.len(), 900_000);
        assert_eq!(spilled.as_slice(), heap.as_slice());
        assert_eq!(spilled.heap_bytes(), 0);
        spilled.truncate(10);
        assert_eq!(spilled.as_slice(), &heap.as_slice()[..10]);
        spilled.push(7);
        assert_eq!(spilled.as_slice()[10], 7);
        assert_eq!(spilled.clone().as_slice(), spilled.as_slice());
        assert!(spilled.empty_like::<u64>().is_spilled());
        assert!(!heap.empty_like::<u8>().is_spilled());
        assert_eq!(spilled.spill_failure(), None);
        // A column that fell back to the heap says why, and so do the columns made like it
        // (a text column's offsets widened to 64 bits).
        let fell_back = SpillVec::<u32> {
            store: Store::Heap(vec![1, 2]),
            failure: Some(failure(dir.path(), &std::io::Error::other("disk full"))),
        };
        let widened: SpillVec<u64> = fell_back.empty_like();
        assert!(!widened.is_spilled());
        assert!(widened
            .spill_failure()
            .is_some_and(|why| why.contains("disk full") && why.contains("kept in memory")));
    }

    #[test]
    fn bytes_spill_too() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut text = SpillVec::<u8>::in_file(dir.path()).expect("spill file");
        let mut expected = Vec::new();
        for i in 0..200_000 {
            let word = format!("value-{i};");
            text.extend_from_slice(word.as_bytes());
            expected.extend_from_slice(word.as_bytes());
        }
        assert_eq!(text.as_slice(), &expected[..]);
    }
}
