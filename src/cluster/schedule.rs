//! The compositing schedule of sort-last rendering: binary swap for a power of two ranks,
//! radix-k (Peterka et al. 2009, as IceT does it) for any other count.
//!
//! Ranks are numbered by **position**: their piece's place in the front-to-back order for the
//! current camera. The count `n` is factored into rounds `k_0 k_1 ...` (twos first: all twos is
//! binary swap). In round `i` the positions that differ only in their `i`-th mixed-radix digit
//! form a group of `k_i`; they hold the same run of pixels, cut it into `k_i` parts, and member
//! `m` takes part `m` from every member and composites them in member order. Members' images
//! cover consecutive blocks of positions in member order, so compositing in member order is
//! front to back: after the last round each position holds the finished image of a run of
//! `1/n` of the pixels, and every rank sent `(1 - 1/n)` of an image in all.

use std::ops::Range;

/// The rounds for `n` ranks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Ranks (positions) in all.
    pub ranks: usize,
    /// Group size of each round.
    pub factors: Vec<usize>,
}

/// What one position does in one round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    /// The members of the group, positions front to back; `me` is this position's index.
    pub members: Vec<usize>,
    pub me: usize,
    /// Per member: the pixels that member keeps (its part of the run the group holds).
    pub parts: Vec<Range<usize>>,
}

impl Schedule {
    /// Binary swap where `n` is a power of two, else radix-k over `n`'s prime factors.
    pub fn new(n: usize) -> Schedule {
        let mut factors = Vec::new();
        let mut m = n.max(1);
        let mut p = 2;
        while m > 1 {
            while m.is_multiple_of(p) {
                factors.push(p);
                m /= p;
            }
            p += 1;
        }
        Schedule {
            ranks: n.max(1),
            factors,
        }
    }

    /// The rounds of `position` for an image of `pixels` pixels.
    pub fn rounds(&self, position: usize, pixels: usize) -> Vec<Round> {
        let mut held = 0..pixels;
        let mut stride = 1;
        let mut out = Vec::with_capacity(self.factors.len());
        for &k in &self.factors {
            let digit = (position / stride) % k;
            let base = position - digit * stride;
            let parts = split(held.clone(), k);
            held = parts[digit].clone();
            out.push(Round {
                members: (0..k).map(|m| base + m * stride).collect(),
                me: digit,
                parts,
            });
            stride *= k;
        }
        out
    }

    /// The pixels whose finished values `position` holds after the last round.
    pub fn final_part(&self, position: usize, pixels: usize) -> Range<usize> {
        self.rounds(position, pixels)
            .last()
            .map_or(0..pixels, |r| r.parts[r.me].clone())
    }

    /// Pixels one position sends over all rounds (to other members; the last of these runs
    /// is then sent to the rank that writes the image).
    pub fn pixels_sent(&self, position: usize, pixels: usize) -> usize {
        self.rounds(position, pixels)
            .iter()
            .map(|r| {
                r.parts
                    .iter()
                    .enumerate()
                    .filter(|(m, _)| *m != r.me)
                    .map(|(_, p)| p.len())
                    .sum::<usize>()
            })
            .sum()
    }
}

/// `range` cut into `k` consecutive parts of sizes differing by at most one.
pub fn split(range: Range<usize>, k: usize) -> Vec<Range<usize>> {
    let (a, n) = (range.start, range.len());
    (0..k).map(|j| a + n * j / k..a + n * (j + 1) / k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::composite::{composite_front_to_back, composite_pixels_behind};
    use crate::render::{FloatImage, Mode};

    /// The exchange of `schedule` run in one process: `images` by position, the finished image
    /// assembled from every position's final part.
    fn simulate(schedule: &Schedule, images: &[FloatImage]) -> FloatImage {
        let n = images[0].pixels.len();
        let mode = images[0].mode;
        let mut held: Vec<Vec<[f32; 4]>> = images.iter().map(|i| i.pixels.clone()).collect();
        for round in 0..schedule.factors.len() {
            let before = held.clone();
            for (p, out) in held.iter_mut().enumerate() {
                let r = &schedule.rounds(p, n)[round];
                let part = r.parts[r.me].clone();
                let mut acc = before[r.members[0]][part.clone()].to_vec();
                for &m in &r.members[1..] {
                    composite_pixels_behind(mode, &mut acc, &before[m][part.clone()]);
                }
                out[part].copy_from_slice(&acc);
            }
        }
        let mut pixels = vec![[f32::NAN; 4]; n];
        for (p, h) in held.iter().enumerate() {
            let part = schedule.final_part(p, n);
            pixels[part.clone()].copy_from_slice(&h[part]);
        }
        FloatImage {
            pixels,
            ..images[0].clone()
        }
    }

    fn images(n: usize, mode: Mode, seed: u64) -> Vec<FloatImage> {
        let mut s = seed;
        let mut rnd = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 40) as f32 / (1u64 << 24) as f32
        };
        (0..n)
            .map(|_| {
                let pixels = (0..37)
                    .map(|_| match mode {
                        // Thin layers: the whole stays below the opacity where rays stop.
                        Mode::Composite => {
                            let a = 0.3 * rnd() / n as f32;
                            [rnd() * a, rnd() * a, rnd() * a, a]
                        }
                        Mode::Mip => [rnd() * 10.0 - 5.0, f32::from(rnd() > 0.3), 0.0, 0.0],
                        Mode::Projection => [rnd(), 0.0, 0.0, 0.0],
                    })
                    .collect();
                FloatImage {
                    width: 37,
                    height: 1,
                    mode,
                    pixels,
                }
            })
            .collect()
    }

    #[test]
    fn every_pixel_is_composited_front_to_back_for_any_count() {
        for n in 1..=12 {
            let s = Schedule::new(n);
            assert_eq!(s.factors.iter().product::<usize>(), n);
            if n.is_power_of_two() {
                assert!(s.factors.iter().all(|&k| k == 2), "binary swap");
            }
            for mode in [Mode::Composite, Mode::Mip, Mode::Projection] {
                let parts = images(n, mode, n as u64);
                let want = composite_front_to_back(&parts).unwrap();
                let got = simulate(&s, &parts);
                for (g, w) in got.pixels.iter().zip(&want.pixels) {
                    for c in 0..4 {
                        assert!(
                            (g[c] - w[c]).abs() <= 1e-6 * w[c].abs().max(1.0),
                            "{n} {mode:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn final_parts_tile_the_image_and_each_rank_sends_all_but_its_share() {
        for n in 1..=12 {
            let s = Schedule::new(n);
            let pixels = 1000;
            let mut parts: Vec<Range<usize>> = (0..n).map(|p| s.final_part(p, pixels)).collect();
            parts.sort_by_key(|r| r.start);
            assert_eq!(parts.first().unwrap().start, 0);
            assert_eq!(parts.last().unwrap().end, pixels);
            assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
            for p in 0..n {
                let sent = s.pixels_sent(p, pixels);
                let ideal = pixels - pixels / n;
                assert!(sent.abs_diff(ideal) <= s.factors.len() + 1, "{n}: {sent}");
            }
        }
        assert_eq!(Schedule::new(8).factors, [2, 2, 2]);
        assert_eq!(Schedule::new(6).factors, [2, 3]);
        assert_eq!(Schedule::new(7).factors, [7]);
    }

    #[test]
    fn an_opaque_front_hides_the_pieces_behind_it() {
        let mut parts = images(4, Mode::Composite, 3);
        parts[0].pixels[5] = [0.2, 0.3, 0.4, 1.0];
        let got = simulate(&Schedule::new(4), &parts);
        assert_eq!(got.pixels[5], [0.2, 0.3, 0.4, 1.0]);
    }
}
