//! The demo's analytic model: a main halo and subhalos, filaments, a background, and the
//! density, temperature and velocity they give at a point.

use super::noise::fbm;
use glam::DVec3;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum FieldKind {
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

pub(super) struct Model {
    main: Halo,
    subs: Vec<Halo>,
    filaments: Vec<Filament>,
}

/// Centre of the main halo: exactly on a level-3 cell centre ((2i+1)/1024), so that the
/// densest cell of the dataset is a finest-level cell.
pub(super) const CENTER: [f64; 3] = [531.0 / 1024.0, 497.0 / 1024.0, 515.0 / 1024.0];
/// Accretion shock radius (mean) around the main halo.
const SHOCK_RADIUS: f64 = 0.27;

impl Model {
    pub(super) fn new() -> Self {
        Self::around(DVec3::from(CENTER))
    }

    /// The model with its main halo at `c`, where the filaments meet (subhalos stay put).
    pub(super) fn around(c: DVec3) -> Self {
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

    pub(super) fn density(&self, p: DVec3) -> f64 {
        self.parts(p).total()
    }

    pub(super) fn field(&self, kind: FieldKind, p: DVec3) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::super::{demo_dataset, Demo};
    use super::*;
    use crate::formats::DataSource;

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
}
