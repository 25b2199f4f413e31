//! CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): the same checksum as Node's
//! `zlib.crc32`, which engines/hashlog uses for records, segment headers and hint files.
//! Folding with carry-less multiplication (PCLMULQDQ) when the CPU has it, slicing-by-8 otherwise.

const POLY: u32 = 0xEDB8_8320;

const fn make_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { POLY ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut s = 1;
        while s < 8 {
            t[s][i] = (t[s - 1][i] >> 8) ^ t[0][(t[s - 1][i] & 0xff) as usize];
            s += 1;
        }
        i += 1;
    }
    t
}

static T: [[u32; 256]; 8] = make_tables();

/// Table CRC over the raw (pre-inverted) state.
fn update_table(mut c: u32, buf: &[u8]) -> u32 {
    let mut chunks = buf.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        c = T[7][(lo & 0xff) as usize]
            ^ T[6][((lo >> 8) & 0xff) as usize]
            ^ T[5][((lo >> 16) & 0xff) as usize]
            ^ T[4][(lo >> 24) as usize]
            ^ T[3][b[4] as usize]
            ^ T[2][b[5] as usize]
            ^ T[1][b[6] as usize]
            ^ T[0][b[7] as usize];
    }
    for &b in chunks.remainder() {
        c = T[0][((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    c
}

/// Continues a CRC: `crc32(b, crc32(a))` equals `crc32(a ++ b)` (as zlib's `crc32(data, value)`).
pub fn crc32_update(crc: u32, buf: &[u8]) -> u32 {
    let mut c = !crc;
    let mut buf = buf;
    #[cfg(target_arch = "x86_64")]
    {
        if buf.len() >= 64 && std::is_x86_feature_detected!("pclmulqdq") && std::is_x86_feature_detected!("sse4.1") {
            let n = buf.len() & !15;
            c = unsafe { clmul::fold(&buf[..n], c) };
            buf = &buf[n..];
        }
    }
    c = update_table(c, buf);
    !c
}

/// CRC-32 of `buf` (zlib's `crc32(buf)`).
pub fn crc32(buf: &[u8]) -> u32 {
    crc32_update(0, buf)
}

#[cfg(target_arch = "x86_64")]
mod clmul {
    //! Intel's "Fast CRC Computation Using PCLMULQDQ" folding, bit-reflected constants for the
    //! IEEE polynomial (the same constants as zlib's SIMD crc32).
    use std::arch::x86_64::*;

    /// Raw-state CRC of `buf` (len >= 64, a multiple of 16).
    #[target_feature(enable = "pclmulqdq,sse2,sse4.1")]
    pub unsafe fn fold(buf: &[u8], crc: u32) -> u32 {
        let k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
        let k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
        let k5k0 = _mm_set_epi64x(0, 0x0163cd6124);
        let poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
        let p = buf.as_ptr() as *const __m128i;
        let mut len = buf.len();
        let mut x1 = _mm_loadu_si128(p);
        let mut x2 = _mm_loadu_si128(p.add(1));
        let mut x3 = _mm_loadu_si128(p.add(2));
        let mut x4 = _mm_loadu_si128(p.add(3));
        x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128(crc as i32));
        let mut at = 4;
        len -= 64;
        while len >= 64 {
            let x5 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
            let x6 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
            let x7 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
            let x8 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
            x1 = _mm_clmulepi64_si128(x1, k1k2, 0x11);
            x2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
            x3 = _mm_clmulepi64_si128(x3, k1k2, 0x11);
            x4 = _mm_clmulepi64_si128(x4, k1k2, 0x11);
            x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), _mm_loadu_si128(p.add(at)));
            x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), _mm_loadu_si128(p.add(at + 1)));
            x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), _mm_loadu_si128(p.add(at + 2)));
            x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), _mm_loadu_si128(p.add(at + 3)));
            at += 4;
            len -= 64;
        }
        for x in [x2, x3, x4] {
            let x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
            x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
            x1 = _mm_xor_si128(_mm_xor_si128(x1, x), x5);
        }
        while len >= 16 {
            let x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
            x1 = _mm_clmulepi64_si128(x1, k3k4, 0x11);
            x1 = _mm_xor_si128(_mm_xor_si128(x1, _mm_loadu_si128(p.add(at))), x5);
            at += 1;
            len -= 16;
        }
        // 128 -> 64 bits
        let mut x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
        let x3 = _mm_setr_epi32(!0, 0, !0, 0);
        x1 = _mm_srli_si128(x1, 8);
        x1 = _mm_xor_si128(x1, x2);
        x2 = _mm_srli_si128(x1, 4);
        x1 = _mm_and_si128(x1, x3);
        x1 = _mm_clmulepi64_si128(x1, k5k0, 0x00);
        x1 = _mm_xor_si128(x1, x2);
        // Barrett reduction to 32 bits
        x2 = _mm_and_si128(x1, x3);
        x2 = _mm_clmulepi64_si128(x2, poly, 0x10);
        x2 = _mm_and_si128(x2, x3);
        x2 = _mm_clmulepi64_si128(x2, poly, 0x00);
        x1 = _mm_xor_si128(x1, x2);
        _mm_extract_epi32(x1, 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
    }

    #[test]
    fn folding_matches_the_table_at_every_length() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        for len in 0..600 {
            for start in [0, 1, 7] {
                let b = &data[start..start + len];
                assert_eq!(crc32(b), !update_table(!0, b), "len {len} start {start}");
            }
        }
        let b = &data[..];
        assert_eq!(crc32_update(crc32(&b[..1234]), &b[1234..]), crc32(b));
    }
}
