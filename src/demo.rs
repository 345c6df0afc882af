//! The built-in demo dataset, used when no dataset is given: a synthetic cosmological halo.
//!
//! The domain is `[0, 1]^3` with a 64^3 root level (eight 32^3 grids) and three levels refined
//! by 2. The gas has a cuspy NFW-like main halo (density up to ~1e4), a few subhalos, filaments
//! of enhanced density converging on the halo from the domain faces, and a low-density
//! background (~1e-3) with mild value noise. Refinement follows the density like an AMR code's
//! would: at each level, cells of that level above a threshold are flagged, the next level's
//! index space is tiled into 16^3 blocks, blocks holding flagged cells are kept and merged into
//! boxes. Only cells inside the current level's grids are flagged, so the result is properly
//! nested by construction.
//!
//! Every cell holds the analytic field at its centre, so levels agree with each other. Fields:
//! `Density`, `Temperature` (K: a hot halo with a cool core and an accretion shock, cold
//! filaments and background) and `x-velocity` (km/s, signed: infall, rotation, turbulence).
//! Everything is deterministic (an integer hash, no RNG).

use crate::amr::{AmrDataset, AmrField, AmrGrid, AmrHierarchy};
use crate::error::{Error, Result};
use crate::formats::{self, DataSource, Metadata};
use glam::DVec3;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The fields the demo provides, in order.
pub const FIELDS: [&str; 3] = ["Density", "Temperature", "x-velocity"];

/// Root cells per axis.
const ROOT: usize = 64;
/// Root grids per axis (level 0 is split into `ROOT_SPLIT^3` grids).
const ROOT_SPLIT: usize = 2;
/// Finest level.
const MAX_LEVEL: u32 = 3;
/// Block size (fine cells per axis) of the refinement tiling.
const BLOCK: usize = 16;
/// Largest grid extent, in blocks per axis, when merging blocks into boxes.
const MAX_RUN: usize = 4;
/// Density thresholds for flagging cells of level 0, 1, 2 for refinement.
const THRESHOLDS: [f64; MAX_LEVEL as usize] = [0.08, 1.2, 12.0];

/// The built-in demo dataset: geometry built once, fields computed on request.
pub struct Demo {
    metadata: Metadata,
    hierarchy: AmrHierarchy,
}

impl Demo {
    /// Builds the demo's grid hierarchy (a fraction of a second in a release build).
    pub fn new() -> Result<Self> {
        let model = Model::new();
        let hierarchy = build_hierarchy(&model)?;
        Ok(Demo {
            metadata: Metadata {
                format: "demo".into(),
                name: "demo".into(),
                time: None,
                units: Default::default(),
            },
            hierarchy,
        })
    }
}

impl DataSource for Demo {
    fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    fn hierarchy(&self) -> &AmrHierarchy {
        &self.hierarchy
    }

    fn field_names(&self) -> Vec<String> {
        FIELDS.iter().map(|s| s.to_string()).collect()
    }

    fn read_field(&self, name: &str) -> Result<AmrField> {
        let kind = match FIELDS.iter().position(|f| *f == name) {
            Some(0) => FieldKind::Density,
            Some(1) => FieldKind::Temperature,
            Some(2) => FieldKind::XVelocity,
            _ => {
                return Err(Error::UnknownField {
                    name: name.to_string(),
                    available: FIELDS.join(", "),
                })
            }
        };
        let model = Model::new();
        let h = &self.hierarchy;
        let data = par_map(h.grids.len(), |n| {
            let g = &h.grids[n];
            let (s, _) = h.index_box(n);
            let dims = h.level_dims(g.level);
            let inv = [0, 1, 2].map(|a| 1.0 / dims[a] as f64);
            let mut v = Vec::with_capacity(g.num_cells());
            for k in 0..g.dims[2] {
                let z = (s[2] as f64 + k as f64 + 0.5) * inv[2];
                for j in 0..g.dims[1] {
                    let y = (s[1] as f64 + j as f64 + 0.5) * inv[1];
                    for i in 0..g.dims[0] {
                        let x = (s[0] as f64 + i as f64 + 0.5) * inv[0];
                        v.push(model.field(kind, DVec3::new(x, y, z)) as f32);
                    }
                }
            }
            v
        });
        Ok(AmrField {
            name: name.to_string(),
            data,
        })
    }
}

/// The demo dataset with `field` loaded (the default field, `Density`, when `None`).
pub fn demo_dataset(field: Option<&str>) -> Result<AmrDataset> {
    formats::load(&Demo::new()?, field)
}

// ---------------------------------------------------------------------------------------------
// Geometry: flag, tile into blocks, merge blocks into boxes.

/// A box of cells `[lo, hi)` in one level's global index space.
type IndexBox = ([usize; 3], [usize; 3]);

fn build_hierarchy(model: &Model) -> Result<AmrHierarchy> {
    let mut levels: Vec<Vec<IndexBox>> = Vec::new();
    let r = ROOT / ROOT_SPLIT;
    let mut root = Vec::new();
    for k in 0..ROOT_SPLIT {
        for j in 0..ROOT_SPLIT {
            for i in 0..ROOT_SPLIT {
                root.push((
                    [i * r, j * r, k * r],
                    [(i + 1) * r, (j + 1) * r, (k + 1) * r],
                ));
            }
        }
    }
    levels.push(root);
    for level in 0..MAX_LEVEL {
        let coarse = &levels[level as usize];
        let fine_dims = ROOT << (level + 1);
        let nb = fine_dims / BLOCK;
        let coarse_per_block = BLOCK / 2;
        let inv = 1.0 / (ROOT << level) as f64;
        let threshold = THRESHOLDS[level as usize];
        // Each coarse box flags the fine blocks its flagged cells fall in.
        let flagged: Vec<Vec<usize>> = par_map(coarse.len(), |b| {
            let (lo, hi) = coarse[b];
            let mut out = Vec::new();
            let mut seen = vec![false; nb * nb * nb];
            for k in lo[2]..hi[2] {
                for j in lo[1]..hi[1] {
                    for i in lo[0]..hi[0] {
                        let block = (i / coarse_per_block)
                            + nb * ((j / coarse_per_block) + nb * (k / coarse_per_block));
                        if seen[block] {
                            continue;
                        }
                        let p = DVec3::new(i as f64 + 0.5, j as f64 + 0.5, k as f64 + 0.5) * inv;
                        if model.density(p) > threshold {
                            seen[block] = true;
                            out.push(block);
                        }
                    }
                }
            }
            out
        });
        let mut blocks = vec![false; nb * nb * nb];
        for b in flagged.into_iter().flatten() {
            blocks[b] = true;
        }
        let boxes = merge_blocks(&blocks, nb)
            .into_iter()
            .map(|(lo, hi)| (lo.map(|v| v * BLOCK), hi.map(|v| v * BLOCK)))
            .collect::<Vec<_>>();
        if boxes.is_empty() {
            break;
        }
        levels.push(boxes);
    }

    let mut grids = Vec::new();
    for (level, boxes) in levels.iter().enumerate() {
        let dx = 1.0 / (ROOT << level) as f64;
        for &(lo, hi) in boxes {
            grids.push(AmrGrid {
                id: grids.len() as u64,
                level: level as u32,
                left: DVec3::new(lo[0] as f64, lo[1] as f64, lo[2] as f64) * dx,
                right: DVec3::new(hi[0] as f64, hi[1] as f64, hi[2] as f64) * dx,
                dims: [0, 1, 2].map(|a| hi[a] - lo[a]),
            });
        }
    }
    AmrHierarchy::new(DVec3::ZERO, DVec3::ONE, [ROOT; 3], 2, grids)
}

/// Merges the set blocks of an `n^3` lattice into non-overlapping boxes (in block units): runs
/// along x, then runs of equal x-extent stacked along y, then equal slabs stacked along z, each
/// at most `MAX_RUN` blocks long.
fn merge_blocks(set: &[bool], n: usize) -> Vec<IndexBox> {
    // Runs along x.
    let mut rows: Vec<IndexBox> = Vec::new();
    for z in 0..n {
        for y in 0..n {
            let mut x = 0;
            while x < n {
                if !set[x + n * (y + n * z)] {
                    x += 1;
                    continue;
                }
                let x0 = x;
                while x < n && x - x0 < MAX_RUN && set[x + n * (y + n * z)] {
                    x += 1;
                }
                rows.push(([x0, y, z], [x, y + 1, z + 1]));
            }
        }
    }
    // Stack along y, then along z: extend an open box whose cross-section matches and whose
    // upper face is where this one starts.
    let stack = |items: Vec<IndexBox>, axis: usize| -> Vec<IndexBox> {
        let mut out: Vec<IndexBox> = Vec::new();
        let mut open: HashMap<([usize; 3], [usize; 3]), usize> = HashMap::new();
        for (lo, hi) in items {
            let mut key = (lo, hi);
            key.0[axis] = 0;
            key.1[axis] = 0;
            match open.get(&key) {
                Some(&m)
                    if out[m].1[axis] == lo[axis] && out[m].1[axis] - out[m].0[axis] < MAX_RUN =>
                {
                    out[m].1[axis] = hi[axis];
                }
                _ => {
                    open.insert(key, out.len());
                    out.push((lo, hi));
                }
            }
        }
        out
    };
    // Rows come ordered by (z, y), so stacking along y sees each candidate in increasing y.
    let slabs = stack(rows, 1);
    // Stacking along z needs slabs ordered by z: they are (z is the outer loop above).
    stack(slabs, 2)
}

/// Runs `f(0..n)` on all cores (work shared grid by grid) and returns the results in order.
fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .clamp(1, 16)
        .min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<(usize, T)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        mine.push((i, f(i)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    parts.sort_by_key(|(i, _)| *i);
    parts.into_iter().map(|(_, t)| t).collect()
}

// ---------------------------------------------------------------------------------------------
// The analytic model.

#[derive(Clone, Copy, Debug, PartialEq)]
enum FieldKind {
    Density,
    Temperature,
    XVelocity,
}

/// An NFW-like density peak: `rho_s / (x (1 + x)^2)` with `x = sqrt(r^2 + eps^2) / rs`,
/// truncated smoothly beyond `rt`.
struct Halo {
    c: DVec3,
    rs: f64,
    rho_s: f64,
    rt: f64,
    eps: f64,
}

impl Halo {
    fn density(&self, r2: f64) -> f64 {
        // Beyond 4 truncation radii the contribution is below 1/257 of the truncated profile.
        if r2 > 16.0 * self.rt * self.rt {
            return 0.0;
        }
        let x = (r2 + self.eps * self.eps).sqrt() / self.rs;
        let t = r2 / (self.rt * self.rt);
        self.rho_s / (x * (1.0 + x) * (1.0 + x)) / (1.0 + t * t)
    }
}

/// A filament: a polyline with a Gaussian density cross-section.
struct Filament {
    points: Vec<DVec3>,
    width: f64,
    rho: f64,
}

impl Filament {
    /// Density and the unit direction of the nearest segment (pointing along the polyline).
    fn density(&self, p: DVec3) -> (f64, DVec3) {
        // Beyond 5 widths from the polyline the density is zero: most points are that far
        // from its bounding box, which is cheaper to test than the segments.
        let reach = DVec3::splat(5.0 * self.width);
        let (lo, hi) = self
            .points
            .iter()
            .fold((DVec3::INFINITY, DVec3::NEG_INFINITY), |(l, h), &q| {
                (l.min(q), h.max(q))
            });
        if p.cmplt(lo - reach).any() || p.cmpgt(hi + reach).any() {
            let ab = self.points[1] - self.points[0];
            return (0.0, ab.normalize());
        }
        let mut best = (f64::INFINITY, 0);
        for (n, w) in self.points.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            let ab = b - a;
            let t = ((p - a).dot(ab) / ab.length_squared()).clamp(0.0, 1.0);
            let d2 = (a + ab * t - p).length_squared();
            if d2 < best.0 {
                best = (d2, n);
            }
        }
        let dir = (self.points[best.1 + 1] - self.points[best.1]).normalize();
        let s2 = self.width * self.width;
        if best.0 > 25.0 * s2 {
            return (0.0, dir);
        }
        (self.rho * (-0.5 * best.0 / s2).exp(), dir)
    }
}

/// Density split into its parts at one point.
struct Parts {
    background: f64,
    halo: f64,
    sub: f64,
    filament: f64,
    /// Direction of the nearest filament, pointing towards the halo.
    filament_dir: DVec3,
    /// Multiplicative noise factor applied to all parts.
    noise: f64,
}

impl Parts {
    fn total(&self) -> f64 {
        (self.background + self.halo + self.sub + self.filament) * self.noise
    }
}

struct Model {
    main: Halo,
    subs: Vec<Halo>,
    filaments: Vec<Filament>,
}

/// Centre of the main halo: exactly on a level-3 cell centre ((2i+1)/1024), so that the
/// densest cell of the dataset is a finest-level cell.
const CENTER: [f64; 3] = [531.0 / 1024.0, 497.0 / 1024.0, 515.0 / 1024.0];
/// Accretion shock radius (mean) around the main halo.
const SHOCK_RADIUS: f64 = 0.27;

impl Model {
    fn new() -> Self {
        let c = DVec3::from(CENTER);
        let sub = |x: f64, y: f64, z: f64, rs: f64, rho_s: f64| Halo {
            c: DVec3::new(x, y, z),
            rs,
            rho_s,
            rt: 3.5 * rs,
            eps: 0.002,
        };
        let v = |x: f64, y: f64, z: f64| DVec3::new(x, y, z);
        Model {
            main: Halo {
                c,
                rs: 0.06,
                rho_s: 170.0,
                rt: 0.25,
                eps: 0.001,
            },
            subs: vec![
                sub(0.66, 0.61, 0.56, 0.012, 60.0),
                sub(0.35, 0.41, 0.63, 0.015, 40.0),
                sub(0.56, 0.31, 0.37, 0.010, 80.0),
                // Two falling in along filaments, outside the shock.
                sub(0.20, 0.25, 0.36, 0.016, 30.0),
                sub(0.80, 0.76, 0.58, 0.013, 35.0),
            ],
            filaments: vec![
                Filament {
                    points: vec![
                        v(0.0, 0.08, 0.22),
                        v(0.20, 0.25, 0.36),
                        v(0.38, 0.40, 0.47),
                        c,
                    ],
                    width: 0.022,
                    rho: 0.35,
                },
                Filament {
                    points: vec![
                        v(1.0, 0.92, 0.70),
                        v(0.80, 0.76, 0.58),
                        v(0.64, 0.60, 0.52),
                        c,
                    ],
                    width: 0.020,
                    rho: 0.30,
                },
                Filament {
                    points: vec![v(0.30, 1.0, 0.93), v(0.40, 0.78, 0.76), c],
                    width: 0.016,
                    rho: 0.22,
                },
                Filament {
                    points: vec![v(0.74, 0.0, 0.05), v(0.66, 0.22, 0.26), c],
                    width: 0.014,
                    rho: 0.18,
                },
            ],
        }
    }

    fn parts(&self, p: DVec3) -> Parts {
        let r2 = (p - self.main.c).length_squared();
        let sub = self
            .subs
            .iter()
            .map(|h| h.density((p - h.c).length_squared()))
            .sum();
        let mut filament = 0.0;
        let mut filament_dir = DVec3::ZERO;
        for f in &self.filaments {
            let (rho, dir) = f.density(p);
            filament += rho;
            filament_dir += dir * rho;
        }
        let n = fbm(p, 1);
        Parts {
            background: 2.5e-3,
            halo: self.main.density(r2),
            sub,
            filament,
            filament_dir: filament_dir.normalize_or_zero(),
            noise: (1.1 * n).exp(),
        }
    }

    fn density(&self, p: DVec3) -> f64 {
        self.parts(p).total()
    }

    fn field(&self, kind: FieldKind, p: DVec3) -> f64 {
        let parts = self.parts(p);
        match kind {
            FieldKind::Density => parts.total(),
            FieldKind::Temperature => self.temperature(p, &parts),
            FieldKind::XVelocity => self.x_velocity(p, &parts),
        }
    }

    /// Radius and "inside the shock" weight (1 inside, 0 outside, a thin smooth step between).
    fn shock(&self, p: DVec3) -> (f64, f64) {
        let r = (p - self.main.c).length();
        let r_shock = SHOCK_RADIUS * (1.0 + 0.12 * fbm(p, 2));
        let inside = 1.0 / (1.0 + ((r - r_shock) / 0.005).clamp(-50.0, 50.0).exp());
        (r / r_shock, inside)
    }

    /// Kelvin: photo-heated background (~5e3-3e4 K, rising with density), a hot halo (~1e6 K
    /// cool core, ~3e6 K bulk) with a hotter shell behind the accretion shock, cold filaments
    /// and cooler subhalos inside it.
    fn temperature(&self, p: DVec3, parts: &Parts) -> f64 {
        let rho = parts.total();
        let cold = 1.0e4 * (rho / 0.01).powf(0.4).clamp(0.5, 3.0);
        let (x, inside) = self.shock(p);
        let t_vir = 3.0e6;
        let bulk = t_vir * (0.3 + 1.2 * x / (0.25 + x)) * (1.0 - 0.3 * x * x).max(0.1);
        let shell = 1.5 * t_vir * (-((x - 1.0) / 0.06).powi(2)).exp();
        let hot = bulk + shell;
        let mut t = inside * hot + (1.0 - inside) * cold;
        // Cold streams and subhalo gas, by their share of the density.
        let structure = parts.background + parts.halo + parts.sub + parts.filament;
        let f_fil = parts.filament / structure;
        let f_sub = parts.sub / structure;
        t = t * (1.0 - f_fil - f_sub) + 2.0e4 * f_fil + 2.0e5 * f_sub;
        t * (0.2 * fbm(p, 3)).exp()
    }

    /// km/s: infall onto the halo outside the shock (faster inwards), rotation about z and
    /// turbulence inside, flow along the filaments towards the halo.
    fn x_velocity(&self, p: DVec3, parts: &Parts) -> f64 {
        let d = p - self.main.c;
        let r = d.length().max(1e-6);
        let (x, inside) = self.shock(p);
        let infall = -d / r * (180.0 / x.max(0.3).sqrt());
        let rr = (d.x * d.x + d.y * d.y).sqrt().max(1e-6);
        let v_phi = 250.0 * rr / (rr + 0.02) * (-r / 0.15).exp();
        let rotation = DVec3::new(-d.y / rr, d.x / rr, 0.0) * v_phi;
        let turbulence = DVec3::new(fbm(p, 4), fbm(p, 5), fbm(p, 6)) * 120.0;
        let mut v = inside * (rotation + turbulence) + (1.0 - inside) * infall;
        let structure = parts.background + parts.halo + parts.sub + parts.filament;
        let f_fil = parts.filament / structure;
        v = v * (1.0 - f_fil) + parts.filament_dir * (250.0 * f_fil);
        v.x
    }
}

// ---------------------------------------------------------------------------------------------
// Noise.

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
fn fbm(p: DVec3, seed: u32) -> f64 {
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

    fn shares_face(h: &AmrHierarchy, a: usize, b: usize) -> bool {
        let (sa, ea) = h.index_box(a);
        let (sb, eb) = h.index_box(b);
        (0..3).any(|axis| {
            (ea[axis] == sb[axis] || eb[axis] == sa[axis])
                && (0..3)
                    .filter(|&o| o != axis)
                    .all(|o| sa[o].max(sb[o]) < ea[o].min(eb[o]))
        })
    }

    #[test]
    fn layout_is_valid_and_rich() {
        let demo = Demo::new().unwrap();
        let h = demo.hierarchy();
        assert_eq!(h.max_level(), 3);
        assert_eq!(h.root_dims, [64; 3]);
        assert_eq!(h.refine_by, 2);
        for level in 0..=3 {
            let on: Vec<usize> = (0..h.grids.len())
                .filter(|&n| h.grids[n].level == level)
                .collect();
            assert!(on.len() >= 4, "level {level} has {} grids", on.len());
            // Some pair of grids of this level shares (part of) a face.
            let touching = on
                .iter()
                .any(|&a| on.iter().any(|&b| a < b && shares_face(h, a, b)));
            assert!(touching, "no grids of level {level} share a face");
        }
        // Refined grids reach the domain faces (the filaments come in from there).
        let at_face = h.grids.iter().filter(|g| {
            g.level > 0 && (g.left.min_element() == 0.0 || g.right.max_element() == 1.0)
        });
        assert!(at_face.count() >= 2);
        let total = h.num_cells();
        assert!((2_000_000..=4_000_000).contains(&total), "{total} cells");
        assert!(demo.field_names().contains(&"Density".to_string()));
        assert_eq!(demo.metadata().format, "demo");
    }

    #[test]
    fn density_spans_decades_and_peaks_at_the_finest_level() {
        let ds = demo_dataset(None).unwrap();
        assert_eq!(ds.field.name, "Density");
        assert_eq!(ds.name, "demo");
        let s = ds.stats();
        assert_eq!(s.non_finite, 0);
        assert_eq!(s.non_positive, 0);
        assert!(s.min > 5e-4 && s.min < 3e-3, "min {}", s.min);
        assert!(s.max > 3e3 && s.max < 3e4, "max {}", s.max);
        assert!((s.max / s.min).log10() > 6.0);
        let (mut best, mut at) = (f32::MIN, 0);
        for (n, d) in ds.field.data.iter().enumerate() {
            for &v in d {
                if v > best {
                    best = v;
                    at = n;
                }
            }
        }
        assert_eq!(ds.hierarchy.grids[at].level, 3);
        // The halo centre is a finest cell centre holding the maximum.
        assert_eq!(ds.sample(DVec3::from(CENTER)), best);
    }

    #[test]
    fn cells_hold_the_field_at_their_centres() {
        let demo = Demo::new().unwrap();
        let model = Model::new();
        let h = demo.hierarchy();
        let t = demo.read_field("Temperature").unwrap();
        for n in [0, h.grids.len() / 3, h.grids.len() - 1] {
            let g = &h.grids[n];
            let (i, j, k) = (g.dims[0] - 1, g.dims[1] / 2, 1);
            let p = g.left + (DVec3::new(i as f64, j as f64, k as f64) + 0.5) * g.cell_size();
            let stored = t.data[n][i + g.dims[0] * (j + g.dims[1] * k)];
            assert_eq!(stored, model.field(FieldKind::Temperature, p) as f32);
        }
    }

    #[test]
    fn deterministic() {
        let a = Demo::new().unwrap();
        let b = Demo::new().unwrap();
        assert_eq!(a.hierarchy().grids, b.hierarchy().grids);
        let fa = a.read_field("x-velocity").unwrap();
        let fb = b.read_field("x-velocity").unwrap();
        assert_eq!(fa.data, fb.data);
    }

    #[test]
    fn temperature_and_velocity_have_structure() {
        let model = Model::new();
        let c = DVec3::from(CENTER);
        let t = |p: DVec3| model.field(FieldKind::Temperature, p);
        let vx = |p: DVec3| model.field(FieldKind::XVelocity, p);
        let core = t(c);
        let shell = t(c + DVec3::new(0.0, 0.0, 0.9 * SHOCK_RADIUS));
        let far = t(DVec3::new(0.05, 0.9, 0.05));
        assert!(core > 3e5 && core < 3e6, "core {core}");
        assert!(shell > 2.0 * core, "shell {shell} core {core}");
        assert!(far > 1e3 && far < 1e5, "far {far}");
        // Infall outside the shock: gas left of the halo moves in +x, right of it in -x.
        let left = vx(c - DVec3::new(0.4, 0.0, 0.0));
        let right = vx(c + DVec3::new(0.4, 0.0, 0.0));
        assert!(left > 50.0 && right < -50.0, "{left} {right}");
        let ds = demo_dataset(Some("Temperature")).unwrap();
        let s = ds.stats();
        assert_eq!(s.non_positive + s.non_finite, 0);
        assert!(s.max / s.min > 100.0, "{s:?}");
    }

    #[test]
    fn unknown_field_is_reported() {
        let e = demo_dataset(Some("Pressure")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("Pressure") && msg.contains("Temperature"),
            "{msg}"
        );
    }

    #[test]
    #[ignore]
    fn print_stats() {
        let t0 = std::time::Instant::now();
        let demo = Demo::new().unwrap();
        let t1 = t0.elapsed();
        let d = demo.read_field("Density").unwrap();
        let t2 = t0.elapsed();
        let h = demo.hierarchy();
        for l in 0..=h.max_level() {
            let g: Vec<_> = h.grids.iter().filter(|g| g.level == l).collect();
            let cells: usize = g.iter().map(|g| g.num_cells()).sum();
            let maxd = g
                .iter()
                .map(|g| *g.dims.iter().max().unwrap())
                .max()
                .unwrap();
            eprintln!(
                "level {l}: {} grids, {cells} cells, largest extent {maxd}",
                g.len()
            );
        }
        let s = crate::amr::field_stats(d.data.iter().map(|v| v.as_slice()));
        eprintln!(
            "total {} cells; geometry {t1:?}, +density {t2:?}; {s:?}",
            h.num_cells()
        );
        for f in FIELDS {
            let t = std::time::Instant::now();
            let d = demo.read_field(f).unwrap();
            let s = crate::amr::field_stats(d.data.iter().map(|v| v.as_slice()));
            eprintln!("{f}: {:?} {s:?}", t.elapsed());
        }
    }

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
