//! Ethereum ABI words: decoding event data and inbox payloads, encoding calldata.
//!
//! Only what apps need: static 32-byte words (`uint256` as raw big-endian bytes, `uint8`..`uint128`
//! with a range check, `address`, `bool`, `bytes32`) and dynamic `bytes`. Decoding is strict (the
//! padding of a narrow type must be zero, as Solidity's own decoder demands) and returns errors as
//! values, never panics.

use alloc::vec::Vec;

/// A 32-byte ABI word.
pub type Word = [u8; 32];

/// Why decoding failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiError {
    /// The data ends before the word (or the `bytes` content) being read.
    OutOfBounds,
    /// A value does not fit its type: non-zero high bytes of a narrow integer or an address, or a
    /// bool other than 0/1.
    OutOfRange,
    /// A `bytes` offset or length word does not fit in memory.
    BadOffset,
    /// Bytes are left over after the last expected word.
    TrailingData,
}

impl AbiError {
    /// A short description (for `abort` messages and logs).
    pub fn as_str(&self) -> &'static str {
        match self {
            AbiError::OutOfBounds => "abi: data too short",
            AbiError::OutOfRange => "abi: value out of range",
            AbiError::BadOffset => "abi: bad offset or length",
            AbiError::TrailingData => "abi: trailing data",
        }
    }
}

/// Word `index` (0-based) of `data`.
pub fn word(data: &[u8], index: usize) -> Result<Word, AbiError> {
    let start = index.checked_mul(32).ok_or(AbiError::OutOfBounds)?;
    let end = start.checked_add(32).ok_or(AbiError::OutOfBounds)?;
    if end > data.len() {
        return Err(AbiError::OutOfBounds);
    }
    let mut w = [0u8; 32];
    w.copy_from_slice(&data[start..end]);
    Ok(w)
}

/// The low `N` bytes of a word whose high `32 - N` bytes must be zero.
fn low<const N: usize>(w: &Word) -> Result<[u8; N], AbiError> {
    if w[..32 - N].iter().any(|&b| b != 0) {
        return Err(AbiError::OutOfRange);
    }
    let mut a = [0u8; N];
    a.copy_from_slice(&w[32 - N..]);
    Ok(a)
}

/// A word as `u64` (error if the value is 2^64 or more).
pub fn word_to_u64(w: &Word) -> Result<u64, AbiError> {
    Ok(u64::from_be_bytes(low::<8>(w)?))
}

/// A word as `u128` (error if the value is 2^128 or more).
pub fn word_to_u128(w: &Word) -> Result<u128, AbiError> {
    Ok(u128::from_be_bytes(low::<16>(w)?))
}

/// A word as `uint8`.
pub fn word_to_u8(w: &Word) -> Result<u8, AbiError> {
    Ok(low::<1>(w)?[0])
}

/// A word as `bool` (0 or 1 only).
pub fn word_to_bool(w: &Word) -> Result<bool, AbiError> {
    match word_to_u8(w)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(AbiError::OutOfRange),
    }
}

/// A word as an `address` (the 12 high bytes must be zero).
pub fn word_to_address(w: &Word) -> Result<[u8; 20], AbiError> {
    low::<20>(w)
}

/// A `u64` as a word.
pub fn u64_word(v: u64) -> Word {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

/// A `u128` as a word.
pub fn u128_word(v: u128) -> Word {
    let mut w = [0u8; 32];
    w[16..].copy_from_slice(&v.to_be_bytes());
    w
}

/// An address as a word.
pub fn address_word(a: &[u8; 20]) -> Word {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a);
    w
}

/// Reads ABI-encoded values in order from the head of `data` (the bytes after a selector, an event's
/// log data or an `abi.encode(...)` payload). Dynamic `bytes` follow their offset word, relative to
/// the start of `data`.
#[derive(Clone, Debug)]
pub struct Decoder<'a> {
    data: &'a [u8],
    index: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder at the first word of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Decoder { data, index: 0 }
    }

    /// The next head word, raw (`uint256`, `bytes32`, ...).
    pub fn word(&mut self) -> Result<Word, AbiError> {
        let w = word(self.data, self.index)?;
        self.index += 1;
        Ok(w)
    }

    /// The next word as `uint256`, big-endian (same as [`Decoder::word`]).
    pub fn uint256(&mut self) -> Result<Word, AbiError> {
        self.word()
    }

    /// The next word as `u64` (range-checked).
    pub fn u64(&mut self) -> Result<u64, AbiError> {
        word_to_u64(&self.word()?)
    }

    /// The next word as `u128` (range-checked).
    pub fn u128(&mut self) -> Result<u128, AbiError> {
        word_to_u128(&self.word()?)
    }

    /// The next word as `uint8` (range-checked).
    pub fn u8(&mut self) -> Result<u8, AbiError> {
        word_to_u8(&self.word()?)
    }

    /// The next word as `bool`.
    pub fn bool(&mut self) -> Result<bool, AbiError> {
        word_to_bool(&self.word()?)
    }

    /// The next word as an `address`.
    pub fn address(&mut self) -> Result<[u8; 20], AbiError> {
        word_to_address(&self.word()?)
    }

    /// The next head word as the offset of a dynamic `bytes` value; returns its content.
    pub fn bytes(&mut self) -> Result<&'a [u8], AbiError> {
        let offset = usize_of(&self.word()?)?;
        let len_word = {
            let end = offset.checked_add(32).ok_or(AbiError::BadOffset)?;
            if end > self.data.len() {
                return Err(AbiError::OutOfBounds);
            }
            let mut w = [0u8; 32];
            w.copy_from_slice(&self.data[offset..end]);
            w
        };
        let len = usize_of(&len_word)?;
        let start = offset + 32;
        let end = start.checked_add(len).ok_or(AbiError::BadOffset)?;
        if end > self.data.len() {
            return Err(AbiError::OutOfBounds);
        }
        Ok(&self.data[start..end])
    }

    /// Number of head words read so far.
    pub fn position(&self) -> usize {
        self.index
    }

    /// Ok if the data is exactly the head words read so far (for static-only encodings such as
    /// `abi.encode(uint256)`: rejects short and long payloads alike).
    pub fn finish(&self) -> Result<(), AbiError> {
        if self.data.len() == self.index * 32 {
            Ok(())
        } else if self.data.len() < self.index * 32 {
            Err(AbiError::OutOfBounds)
        } else {
            Err(AbiError::TrailingData)
        }
    }
}

/// An offset or length word as `usize` (32-bit on wasm32).
fn usize_of(w: &Word) -> Result<usize, AbiError> {
    let v = word_to_u64(w).map_err(|_| AbiError::BadOffset)?;
    if v > u32::MAX as u64 {
        return Err(AbiError::BadOffset);
    }
    Ok(v as usize)
}

/// Builds ABI-encoded data: an optional 4-byte selector, then the head (one word per argument; a
/// dynamic argument's word is its offset) and the tail (dynamic contents), like `abi.encode` /
/// `abi.encodeWithSelector`.
///
/// ```text
/// let calldata = Encoder::with_selector([0xa9, 0x05, 0x9c, 0xbb]).address(&to).u64(amount).finish();
/// ```
#[derive(Clone, Debug, Default)]
pub struct Encoder {
    selector: Option<[u8; 4]>,
    head: Vec<u8>,
    tail: Vec<u8>,
    /// (byte position of an offset word in `head`, start of its content in `tail`)
    dynamic: Vec<(usize, usize)>,
}

impl Encoder {
    /// An encoder without selector (`abi.encode`).
    pub fn new() -> Self {
        Self::default()
    }

    /// An encoder for calldata (`abi.encodeWithSelector`).
    pub fn with_selector(selector: [u8; 4]) -> Self {
        Encoder { selector: Some(selector), ..Self::default() }
    }

    /// Appends a raw word (`uint256`, `bytes32`, ...).
    pub fn word(&mut self, w: &Word) -> &mut Self {
        self.head.extend_from_slice(w);
        self
    }

    /// Appends a `uint64` (or any narrower unsigned integer).
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.word(&u64_word(v))
    }

    /// Appends a `uint128`.
    pub fn u128(&mut self, v: u128) -> &mut Self {
        self.word(&u128_word(v))
    }

    /// Appends a `uint8`.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.u64(v as u64)
    }

    /// Appends a `bool`.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u64(v as u64)
    }

    /// Appends an `address`.
    pub fn address(&mut self, a: &[u8; 20]) -> &mut Self {
        self.word(&address_word(a))
    }

    /// Appends a dynamic `bytes` argument (offset word in the head, length and padded content in
    /// the tail).
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.dynamic.push((self.head.len(), self.tail.len()));
        self.head.extend_from_slice(&[0u8; 32]);
        self.tail.extend_from_slice(&u64_word(b.len() as u64));
        self.tail.extend_from_slice(b);
        let pad = (32 - b.len() % 32) % 32;
        self.tail.resize(self.tail.len() + pad, 0);
        self
    }

    /// The encoded bytes.
    pub fn finish(&self) -> Vec<u8> {
        let sel = if self.selector.is_some() { 4 } else { 0 };
        let mut out = Vec::with_capacity(sel + self.head.len() + self.tail.len());
        if let Some(s) = self.selector {
            out.extend_from_slice(&s);
        }
        out.extend_from_slice(&self.head);
        for &(at, tail_pos) in &self.dynamic {
            let w = u64_word((self.head.len() + tail_pos) as u64);
            out[sel + at..sel + at + 32].copy_from_slice(&w);
        }
        out.extend_from_slice(&self.tail);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn hex(s: &str) -> Vec<u8> {
        let s: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        s.chunks(2)
            .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn decodes_static_words() {
        let mut e = Encoder::new();
        e.u64(7).u128(u128::MAX).u8(200).bool(true).address(&[0xab; 20]);
        let data = e.finish();
        assert_eq!(data.len(), 5 * 32);
        let mut d = Decoder::new(&data);
        assert_eq!(d.u64(), Ok(7));
        assert_eq!(d.u128(), Ok(u128::MAX));
        assert_eq!(d.u8(), Ok(200));
        assert_eq!(d.bool(), Ok(true));
        assert_eq!(d.address(), Ok([0xab; 20]));
        assert_eq!(d.finish(), Ok(()));
        assert_eq!(d.u64(), Err(AbiError::OutOfBounds));
    }

    #[test]
    fn range_checks() {
        let mut w = [0u8; 32];
        w[23] = 1; // 2^64
        assert_eq!(word_to_u64(&w), Err(AbiError::OutOfRange));
        assert_eq!(word_to_u128(&w), Ok(1u128 << 64));
        let mut w = [0u8; 32];
        w[15] = 1; // 2^128
        assert_eq!(word_to_u128(&w), Err(AbiError::OutOfRange));
        let mut w = [0u8; 32];
        w[30] = 1; // 256
        assert_eq!(word_to_u8(&w), Err(AbiError::OutOfRange));
        let mut w = [0u8; 32];
        w[31] = 2;
        assert_eq!(word_to_bool(&w), Err(AbiError::OutOfRange));
        let mut w = [0u8; 32];
        w[11] = 1; // dirty address padding
        assert_eq!(word_to_address(&w), Err(AbiError::OutOfRange));
        assert_eq!(word_to_u64(&u64_word(u64::MAX)), Ok(u64::MAX));
    }

    #[test]
    fn finish_checks_length() {
        let data = [0u8; 33];
        let mut d = Decoder::new(&data);
        assert_eq!(d.uint256(), Ok([0u8; 32]));
        assert_eq!(d.finish(), Err(AbiError::TrailingData));
        let d = Decoder::new(&data[..31]);
        let mut d2 = d.clone();
        assert_eq!(d2.word(), Err(AbiError::OutOfBounds));
        assert_eq!(Decoder::new(&[]).finish(), Ok(()));
    }

    #[test]
    fn encodes_like_solidity() {
        // abi.encodeWithSignature("f(uint64,bytes,address)", 1, hex"0102", address(0x11..11)):
        // selector, 1, offset 0x60, address, length 2, padded content.
        let mut e = Encoder::with_selector([0xde, 0xad, 0xbe, 0xef]);
        e.u64(1).bytes(&[1, 2]).address(&[0x11; 20]);
        let got = e.finish();
        let want = hex(
            "deadbeef
             0000000000000000000000000000000000000000000000000000000000000001
             0000000000000000000000000000000000000000000000000000000000000060
             0000000000000000000000001111111111111111111111111111111111111111
             0000000000000000000000000000000000000000000000000000000000000002
             0102000000000000000000000000000000000000000000000000000000000000",
        );
        assert_eq!(got, want);
        let mut d = Decoder::new(&got[4..]);
        assert_eq!(d.u64(), Ok(1));
        assert_eq!(d.bytes(), Ok(&[1u8, 2][..]));
        assert_eq!(d.address(), Ok([0x11; 20]));
    }

    #[test]
    fn two_dynamic_arguments() {
        let mut e = Encoder::new();
        e.bytes(&[0xaa; 33]).bytes(&[]);
        let data = e.finish();
        // head 2 words, first content: length + 2 words, second: length only.
        assert_eq!(data.len(), 64 + 32 + 64 + 32);
        assert_eq!(word_to_u64(&word(&data, 0).unwrap()), Ok(64));
        assert_eq!(word_to_u64(&word(&data, 1).unwrap()), Ok(64 + 96));
        let mut d = Decoder::new(&data);
        assert_eq!(d.bytes(), Ok(&[0xaa; 33][..]));
        assert_eq!(d.bytes(), Ok(&[][..]));
    }

    #[test]
    fn bad_dynamic_bytes_are_errors() {
        // offset past the end
        let mut data = vec![0u8; 64];
        data[31] = 64;
        assert_eq!(Decoder::new(&data).bytes(), Err(AbiError::OutOfBounds));
        // huge offset
        let mut data = vec![0u8; 64];
        data[0] = 0xff;
        assert_eq!(Decoder::new(&data).bytes(), Err(AbiError::BadOffset));
        // length past the end
        let mut data = vec![0u8; 64];
        data[31] = 32;
        data[63] = 1;
        assert_eq!(Decoder::new(&data).bytes(), Err(AbiError::OutOfBounds));
        // length near usize::MAX must not overflow
        let mut data = vec![0u8; 64];
        data[31] = 32;
        data[60..64].copy_from_slice(&[0xff; 4]);
        assert!(Decoder::new(&data).bytes().is_err());
    }
}
