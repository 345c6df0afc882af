//! Deterministic value noise for the demo: an integer hash, tabulated lattices and fBm.

use glam::DVec3;

fn hash(x: i64, y: i64, z: i64, seed: u32) -> u32 {
    let mut h = (x as u32).wrapping_mul(0x8da6_b343)
        ^ (y as u32).wrapping_mul(0xd816_3841)
        ^ (z as u32).wrapping_mul(0xcb1a_b31f)
        ^ seed.wrapping_mul(0x9e37_79b9);
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^= h >> 16;
    h
}

/// Hashed lattice values of one noise octave over the unit cube, computed once: looking them up
/// is much cheaper than hashing eight corners for every cell.
struct Lattice {
    /// Lattice points per axis (`0..n`).
    n: i64,
    values: Vec<f64>,
}

impl Lattice {
    fn new(freq: f64, seed: u32) -> Self {
        let n = freq.floor() as i64 + 2;
        let mut values = Vec::with_capacity((n * n * n) as usize);
        for z in 0..n {
            for y in 0..n {
                for x in 0..n {
                    values.push(lattice_value(x, y, z, seed));
                }
            }
        }
        Lattice { n, values }
    }
}

fn lattice_value(x: i64, y: i64, z: i64, seed: u32) -> f64 {
    hash(x, y, z, seed) as f64 / u32::MAX as f64
}

/// Octaves of [`fbm`].
const OCTAVES: u32 = 3;
/// Base frequency and frequency ratio of [`fbm`]'s octaves.
const BASE_FREQ: f64 = 6.0;
const LACUNARITY: f64 = 2.03;
/// Seeds 1..=6 are the model's: their lattices are tabulated.
const TABULATED_SEEDS: u32 = 6;

fn octave_seed(seed: u32, octave: u32) -> u32 {
    seed.wrapping_mul(7).wrapping_add(octave)
}

fn lattices() -> &'static [Lattice] {
    static LATTICES: std::sync::OnceLock<Vec<Lattice>> = std::sync::OnceLock::new();
    LATTICES.get_or_init(|| {
        (1..=TABULATED_SEEDS)
            .flat_map(|seed| {
                (0..OCTAVES).map(move |o| {
                    Lattice::new(BASE_FREQ * LACUNARITY.powi(o as i32), octave_seed(seed, o))
                })
            })
            .collect()
    })
}

/// Value noise in [-1, 1]: hashed lattice values (from `table` where it covers the cell),
/// smoothstep-interpolated.
fn value_noise(p: DVec3, seed: u32, table: Option<&Lattice>) -> f64 {
    // `as` truncates towards zero; one step down for negative non-integers gives the floor
    // (much cheaper than the libm call).
    let floor = |x: f64| {
        let t = x as i64 as f64;
        if t > x {
            t - 1.0
        } else {
            t
        }
    };
    let b = DVec3::new(floor(p.x), floor(p.y), floor(p.z));
    let f = p - b;
    let w = f * f * (DVec3::splat(3.0) - 2.0 * f);
    let (bx, by, bz) = (b.x as i64, b.y as i64, b.z as i64);
    let table = table.filter(|t| [bx, by, bz].iter().all(|&c| c >= 0 && c + 1 < t.n));
    let v = |i: i64, j: i64, k: i64| match table {
        Some(t) => t.values[((bx + i) + t.n * ((by + j) + t.n * (bz + k))) as usize],
        None => lattice_value(bx + i, by + j, bz + k, seed),
    };
    let lerp = |a: f64, b: f64, t: f64| a + (b - a) * t;
    let x00 = lerp(v(0, 0, 0), v(1, 0, 0), w.x);
    let x10 = lerp(v(0, 1, 0), v(1, 1, 0), w.x);
    let x01 = lerp(v(0, 0, 1), v(1, 0, 1), w.x);
    let x11 = lerp(v(0, 1, 1), v(1, 1, 1), w.x);
    let n = lerp(lerp(x00, x10, w.y), lerp(x01, x11, w.y), w.z);
    2.0 * n - 1.0
}

/// Three octaves of value noise (base wavelength 1/6 of the domain), in [-1, 1].
pub(super) fn fbm(p: DVec3, seed: u32) -> f64 {
    let tables = lattices();
    let mut sum = 0.0;
    let mut amp = 0.5714; // 1 / (1 + 1/2 + 1/4)
    let mut freq = BASE_FREQ;
    for octave in 0..OCTAVES {
        let table = (1..=TABULATED_SEEDS)
            .contains(&seed)
            .then(|| &tables[((seed - 1) * OCTAVES + octave) as usize]);
        sum += amp * value_noise(p * freq, octave_seed(seed, octave), table);
        amp *= 0.5;
        freq *= LACUNARITY;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabulated_noise_equals_hashed_noise() {
        let tables = lattices();
        for i in 0..2000u32 {
            let p = DVec3::new(
                (hash(i as i64, 0, 0, 9) % 1000) as f64 / 999.0,
                (hash(i as i64, 1, 0, 9) % 1000) as f64 / 999.0,
                (hash(i as i64, 2, 0, 9) % 1000) as f64 / 999.0,
            );
            for seed in 1..=TABULATED_SEEDS {
                let mut freq = BASE_FREQ;
                for o in 0..OCTAVES {
                    let s = octave_seed(seed, o);
                    let t = &tables[((seed - 1) * OCTAVES + o) as usize];
                    let a = value_noise(p * freq, s, Some(t));
                    let b = value_noise(p * freq, s, None);
                    assert_eq!(a.to_bits(), b.to_bits(), "{p} seed {seed} octave {o}");
                    freq *= LACUNARITY;
                }
            }
        }
        // Outside the tabulated cube the hash takes over.
        let t = &tables[0];
        let far = DVec3::splat(-3.5);
        assert_eq!(
            value_noise(far, octave_seed(1, 0), Some(t)),
            value_noise(far, octave_seed(1, 0), None)
        );
    }

    #[test]
    fn noise_is_bounded_and_varies() {
        let mut lo = f64::MAX;
        let mut hi = f64::MIN;
        for i in 0..2000 {
            let p = DVec3::new(i as f64 * 0.0137, (i * 7 % 101) as f64 * 0.01, 0.3);
            let n = fbm(p, 1);
            lo = lo.min(n);
            hi = hi.max(n);
        }
        assert!(lo >= -1.0 && hi <= 1.0);
        assert!(hi - lo > 0.5, "{lo}..{hi}");
    }
}
