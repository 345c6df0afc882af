//! Jittered sampling: where in its step a ray takes its samples.
//!
//! A ray samples each leaf it crosses at `seg0 + (k + j) * ds`, `k = 0 .. n - 1`. With `j = 0.5`
//! for every ray (the midpoint rule), neighbouring rays sample at the same depths, and a close-up
//! view of a smooth structure with few samples per cell shows the sampling pattern as banding
//! ("wood grain"). Jittered sampling gives each pixel its own `j` in `(0, 1)`, the same for every
//! leaf of its ray, from an integer hash of the pixel's coordinates in the whole image: the bands
//! become fine noise, and the image stays deterministic (the same render gives the same bytes;
//! a part of an image rendered alone, as the viewer's bands of rows, gets the offsets it has in
//! the whole image: [`crate::gpu::VolumeRenderer::encode_part`]; an image rendered into a
//! region of a larger target, as a stereo eye, gets the offsets it has on its own).
//!
//! The offset has [`JITTER_BITS`] bits, centred in its bin, so it stays at least
//! `2^-(JITTER_BITS + 1)` of a step from either end of a segment: f32 rounding never moves a
//! sample onto a leaf's face or into the next cell, so nearest-cell sampling with an integer
//! number of samples per cell still gives every cell the same number of samples.
//!
//! Keep in sync with `pixel_hash` and `jitter_offset` in shaders/raycast.wgsl (the constants
//! are compared by the tests of src/gpu/shader_contract.rs; tests/jitter.rs checks the GPU's
//! offsets against [`offset`]).

/// Multiplier of the PCG hash's LCG step.
pub const PCG_MUL: u32 = 747_796_405;
/// Increment of the PCG hash's LCG step.
pub const PCG_INC: u32 = 2_891_336_453;
/// Multiplier of the PCG hash's output permutation.
pub const PCG_OUT: u32 = 277_803_737;
/// Bits of the hash that make the offset.
pub const JITTER_BITS: u32 = 10;

/// The PCG hash of one `u32` (Jarzynski and Olano, "Hash Functions for GPU Rendering", JCGT
/// 2020): a permuted congruential generator's step and output permutation.
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(PCG_MUL).wrapping_add(PCG_INC);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(PCG_OUT);
    (word >> 22) ^ word
}

/// The hash of pixel `(x, y)` of the whole image (column `x` from the left, row `y` from the
/// top).
pub fn pixel_hash(x: u32, y: u32) -> u32 {
    pcg(x.wrapping_add(pcg(y)))
}

/// The sampling offset `j` of pixel `(x, y)`: the top [`JITTER_BITS`] bits of its hash, centred
/// in their bin, so `j` lies in `(0, 1)` and is exact in f32 and f64.
pub fn offset(x: u32, y: u32) -> f32 {
    let bins = (1u32 << JITTER_BITS) as f32;
    ((pixel_hash(x, y) >> (32 - JITTER_BITS)) as f32 + 0.5) / bins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_spread_evenly_and_differ_between_neighbours() {
        let n = 256u32;
        let mut bins = [0u32; 16];
        let mut same_as_left = 0;
        let mut sum = 0.0f64;
        for y in 0..n {
            for x in 0..n {
                let j = offset(x, y);
                assert!(j > 0.0 && j < 1.0, "{j}");
                let half_bin = 0.5 / (1u32 << JITTER_BITS) as f32;
                assert!(j >= half_bin && j <= 1.0 - half_bin);
                bins[(j * 16.0) as usize] += 1;
                sum += j as f64;
                if x > 0 && offset(x - 1, y) == j {
                    same_as_left += 1;
                }
            }
        }
        let expected = (n * n / 16) as f64;
        for (i, &b) in bins.iter().enumerate() {
            assert!(
                (b as f64 - expected).abs() < 0.05 * expected,
                "bin {i}: {b} of {expected}"
            );
        }
        assert!((sum / (n * n) as f64 - 0.5).abs() < 0.01);
        // Ties between neighbours no more often than chance (1 in 1024).
        assert!(same_as_left < 3 * (n * n) as usize / 1024, "{same_as_left}");
        // The same pixel always gets the same offset; the axes are not interchangeable.
        assert_eq!(offset(17, 3), offset(17, 3));
        assert_ne!(pixel_hash(17, 3), pixel_hash(3, 17));
    }

    #[test]
    fn the_hash_is_pcg() {
        // The published formula evaluated independently (Python integers masked to 32 bits):
        // the wrapping arithmetic here is the shader's u32 arithmetic.
        assert_eq!(pcg(0), 129_708_002);
        assert_eq!(pcg(1), 2_831_084_092);
    }
}
