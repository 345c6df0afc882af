// AMR ray caster: one workgroup per screen tile of 8x8 pixels. Every ray of a tile visits the
// same list of leaves, front to back (built on the CPU, see src/tiles.rs), and samples each
// leaf's brick in the atlas with a step tied to that leaf's cell size. All lanes of a SIMD
// group so work on the same leaf at once, with no per-ray tree walk.
//
// Coordinates are in the normalised frame (domain from 0, largest side 1).
// Atlas values are encoded (log10 or linear); values below MISSING_BELOW are missing.

// Constants shared with the Rust side: keep them in sync with it (the tests of
// src/gpu/shader_contract.rs compare them).
// Side of a screen tile in pixels (crate::tiles::TILE); the Morton order in `main` is for 8.
const TILE: u32 = 8u;
const_assert TILE == 8u;
// Texels per row of a list texture (crate::gpu::lists::LIST_ROW), a power of two.
const LIST_ROW_LOG2: u32 = 12u;
const LIST_ROW: u32 = 1u << LIST_ROW_LOG2;
// The encoded value of cells without data, and the bound below which a value counts as
// missing (crate::transfer::{MISSING, MISSING_BELOW}).
const MISSING: f32 = -1.0e38;
const MISSING_BELOW: f32 = -1.0e30;
// The values of MODE (crate::render::Mode::index); see src/render.rs for what each outputs.
const MODE_COMPOSITE: u32 = 0u;
const MODE_MIP: u32 = 1u;
const MODE_PROJECTION: u32 = 2u;
// The PCG hash and the bits of it that make a pixel's sampling offset (crate::jitter).
const PCG_MUL: u32 = 747796405u;
const PCG_INC: u32 = 2891336453u;
const PCG_OUT: u32 = 277803737u;
const JITTER_BITS: u32 = 10u;
// Params.flags (crate::gpu::raycaster::{FLAG_PRIOR, FLAG_LAST}): the pass starts from the
// state in `prior`; the pass is the render's last and writes the image.
const FLAG_PRIOR: u32 = 1u;
const FLAG_LAST: u32 = 2u;

override MODE: u32 = MODE_COMPOSITE;
// Hardware trilinear filtering of the R32Float atlas (FLOAT32_FILTERABLE); else 8 loads.
override HW_FILTER: bool = true;
// Nearest-cell sampling (crate::render::Interpolation::Nearest): the texel whose cell holds
// the point, instead of interpolating.
override NEAREST: bool = false;
// Jittered sampling (crate::render::RenderSettings::jittered): each pixel's samples start at
// an offset of its own in the step instead of the middle.
override JITTER: bool = false;

// Keep in sync with `Params` in src/gpu/frame.rs (same members, offsets and size).
struct Params {
    o0: vec3f, width: u32,
    ox: vec3f, height: u32,
    oy: vec3f, samples_per_cell: f32,
    d0: vec3f, inv_ds0: f32,
    ddx: vec3f, lo: f32,
    ddy: vec3f, inv_range: f32,
    atlas_size: vec3f, opaque: f32,
    offset: vec2u, opaque_from: f32, t_scale: f32,
    first_pixel: vec2u, flags: u32, _pad: u32,
}

// A leaf: its box, the cell size of its level, and texture coordinates `p * s + o`.
struct Leaf {
    lo: vec3f, cell: f32,
    hi: vec3f, _pad0: f32,
    s: vec3f, _pad1: f32,
    o: vec3f, _pad2: f32,
}

// A read-only storage buffer rather than a uniform: lavapipe inlines the values of uniforms that
// loops and branches read and compiles a shader variant (about 100 ms) for every camera it has
// not seen; storage buffers it does not inline.
@group(0) @binding(0) var<storage, read> P: Params;
// Lists are textures with rows of LIST_ROW texels (element j at (j % LIST_ROW, j / LIST_ROW)):
// on CPU adapters a texel fetch per lane is much cheaper than a bounds-checked buffer load per
// lane.
// Tile i visits the leaves at tile_leaves[tile_start[i]] .. tile_leaves[tile_start[i + 1] - 1].
@group(0) @binding(1) var tile_start: texture_2d<u32>;
// Leaf i is elements 4i .. 4i + 3, in the order of `Leaf`.
@group(0) @binding(2) var leaves: texture_2d<f32>;
@group(0) @binding(3) var tile_leaves: texture_2d<u32>;
// Colour and extinction per reference step, over the encoded range [lo, lo + 1 / inv_range].
@group(0) @binding(4) var table: texture_2d<f32>;
@group(0) @binding(5) var atlas: texture_3d<f32>;
@group(0) @binding(6) var atlas_sampler: sampler;
@group(0) @binding(7) var target_image: texture_storage_2d<rgba32float, write>;
@group(0) @binding(8) var<storage, read_write> counter: array<atomic<u32>, 1>;
// Annotation lines (src/annotate/outlines.rs, crate::annotate::GeometryLayer::texels), per
// pixel of the target region: x = the nearest line's ray parameter t as f32 bits (+inf where
// none), y = its premultiplied colour as pack4x8unorm packs it. A 1x1 texture holding +inf when
// there are no lines. Composite mode stops each ray at the line and puts the line behind what
// it accumulated; the other modes ignore it (their lines are drawn over the coloured image).
@group(0) @binding(9) var geometry: texture_2d<u32>;
// The state a pass of a render made in several starts from (src/gpu/passes.rs), per pixel of
// the region: what the previous pass wrote (composite: premultiplied colour and opacity; MIP:
// the running maximum and whether it is valid; projection: the running sum, not yet scaled).
// Read only with FLAG_PRIOR.
@group(0) @binding(10) var prior: texture_2d<f32>;

fn sample_atlas(tc: vec3f) -> f32 {
    if NEAREST {
        // Texel i spans [i, i + 1) in texel units (its centre is at i + 0.5).
        return textureLoad(atlas, vec3i(floor(tc * P.atlas_size)), 0).r;
    }
    if HW_FILTER {
        return textureSampleLevel(atlas, atlas_sampler, tc, 0.0).r;
    }
    let x = tc * P.atlas_size - 0.5;
    let b = floor(x);
    let f = x - b;
    let i = vec3i(b);
    let c000 = textureLoad(atlas, i, 0).r;
    let c100 = textureLoad(atlas, i + vec3i(1, 0, 0), 0).r;
    let c010 = textureLoad(atlas, i + vec3i(0, 1, 0), 0).r;
    let c110 = textureLoad(atlas, i + vec3i(1, 1, 0), 0).r;
    let c001 = textureLoad(atlas, i + vec3i(0, 0, 1), 0).r;
    let c101 = textureLoad(atlas, i + vec3i(1, 0, 1), 0).r;
    let c011 = textureLoad(atlas, i + vec3i(0, 1, 1), 0).r;
    let c111 = textureLoad(atlas, i + vec3i(1, 1, 1), 0).r;
    let y0 = mix(mix(c000, c100, f.x), mix(c010, c110, f.x), f.y);
    let y1 = mix(mix(c001, c101, f.x), mix(c011, c111, f.x), f.y);
    return mix(y0, y1, f.z);
}

// The table is a texture rather than a storage buffer: on CPU adapters a texel fetch per lane
// is much cheaper than a bounds-checked buffer load per lane.
fn list_at(j: u32) -> vec2u {
    return vec2u(j & (LIST_ROW - 1u), j >> LIST_ROW_LOG2);
}

fn leaf_texel(j: u32) -> vec4f {
    return textureLoad(leaves, list_at(j), 0);
}

fn load_leaf(i: u32) -> Leaf {
    let a = leaf_texel(4u * i);
    let b = leaf_texel(4u * i + 1u);
    let c = leaf_texel(4u * i + 2u);
    let e = leaf_texel(4u * i + 3u);
    return Leaf(a.xyz, a.w, b.xyz, 0.0, c.xyz, 0.0, e.xyz, 0.0);
}

// Keep in sync with crate::jitter::{pcg, pixel_hash, offset} (tests/jitter.rs compares them).
fn pcg(v: u32) -> u32 {
    let state = v * PCG_MUL + PCG_INC;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * PCG_OUT;
    return (word >> 22u) ^ word;
}

// Where in its step a ray's samples lie, in (0, 1): a hash of the pixel's place in the image
// (gid + P.first_pixel), or the middle.
fn jitter_offset(pixel: vec2u) -> f32 {
    if !JITTER {
        return 0.5;
    }
    let h = pcg(pixel.x + pcg(pixel.y));
    return (f32(h >> (32u - JITTER_BITS)) + 0.5) / f32(1u << JITTER_BITS);
}

fn tf_lookup(t: f32) -> vec4f {
    let n = textureDimensions(table).x;
    let x = clamp(t, 0.0, 1.0) * f32(n - 1u);
    let i = min(u32(x), n - 2u);
    let e0 = textureLoad(table, vec2u(i, 0u), 0);
    let e1 = textureLoad(table, vec2u(i + 1u, 0u), 0);
    return mix(e0, e1, x - f32(i));
}

@compute @workgroup_size(TILE, TILE, 1)
fn main(
    @builtin(local_invocation_index) li: u32,
    @builtin(workgroup_id) wid: vec3u,
    @builtin(num_workgroups) groups: vec3u,
) {
    // Invocation i of the tile takes the pixel at Morton order i, so that every group of 8
    // consecutive invocations (one SIMD group of a CPU adapter) covers a 4x2 block, 4 a 2x2
    // block, rather than a row of 8: neighbouring rays cross more of the same leaves.
    let mx = (li & 1u) | ((li >> 1u) & 2u) | ((li >> 2u) & 4u);
    let my = ((li >> 1u) & 1u) | ((li >> 2u) & 2u) | ((li >> 3u) & 4u);
    let gid = vec2u(wid.x * TILE + mx, wid.y * TILE + my);
    if gid.x >= P.width || gid.y >= P.height {
        return;
    }
    let px = f32(gid.x) + 0.5;
    let py = f32(gid.y) + 0.5;
    let o = P.o0 + px * P.ox + py * P.oy;
    var d = normalize(P.d0 + px * P.ddx + py * P.ddy);
    // Keep 1/d finite: a component of exactly zero becomes a tiny positive one.
    d = select(d, vec3f(1.0e-12), abs(d) < vec3f(1.0e-12));
    let inv = 1.0 / d;
    let line = textureLoad(geometry, min(gid, textureDimensions(geometry) - 1u), 0);
    let line_t = select(3.0e38, bitcast<f32>(line.x), MODE == MODE_COMPOSITE);
    let jitter = jitter_offset(gid + P.first_pixel);

    var acc = vec4f(0.0);
    var vmax = MISSING;
    var column = 0.0;
    var samples = 0u;
    let last = (P.flags & FLAG_LAST) != 0u;
    if (P.flags & FLAG_PRIOR) != 0u {
        let state = textureLoad(prior, gid, 0);
        if MODE == MODE_COMPOSITE {
            acc = state;
        } else if MODE == MODE_MIP {
            vmax = select(MISSING, state.x, state.y > 0.0);
        } else {
            column = state.x;
        }
    }

    let tile = wid.y * groups.x + wid.x;
    let first = textureLoad(tile_start, list_at(tile), 0).x;
    // Pixels already opaque take no more samples.
    var end = textureLoad(tile_start, list_at(tile + 1u), 0).x;
    if MODE == MODE_COMPOSITE && acc.a >= P.opaque {
        end = first;
    }
    for (var entry = first; entry < end; entry++) {
        let leaf = load_leaf(textureLoad(tile_leaves, list_at(entry), 0).x);
        // The ray's interval inside the leaf: neighbouring leaves share their faces exactly,
        // so consecutive segments of a ray meet without gap or overlap.
        let ta = (leaf.lo - o) * inv;
        let tb = (leaf.hi - o) * inv;
        let tmin = min(ta, tb);
        let tmax = max(ta, tb);
        let seg0 = max(max(max(tmin.x, tmin.y), tmin.z), 0.0);
        let seg1 = min(min(tmax.x, tmax.y), tmax.z);
        if seg1 <= seg0 {
            continue;
        }
        if seg0 >= line_t {
            break;
        }
        let cnt = max(1u, u32(ceil((seg1 - seg0) * P.samples_per_cell / leaf.cell)));
        let ds = (seg1 - seg0) / f32(cnt);
        // Only the samples that lie before the line: seg0 + (k + jitter) ds <= line_t.
        var taken = cnt;
        if line_t < seg1 {
            taken = min(cnt, u32(max(floor((line_t - seg0) / ds + 1.0 - jitter), 0.0)));
        }
        // Texture coordinates of the first sample and their step: the loop keeps few values
        // live (on CPU adapters every live value is a SIMD register).
        var tc = (o + (seg0 + jitter * ds) * d) * leaf.s + leaf.o;
        let dtc = d * ds * leaf.s;
        var done = false;
        var k = 0u;
        loop {
            if k >= taken {
                break;
            }
            let v = sample_atlas(tc);
            tc += dtc;
            k += 1u;
            if MODE == MODE_COMPOSITE {
                // Below `opaque_from` (>= lo) the transfer function is transparent.
                if v >= P.opaque_from {
                    let e = tf_lookup((v - P.lo) * P.inv_range);
                    let a = 1.0 - exp(-e.a * ds * P.inv_ds0);
                    acc += vec4f(e.rgb * a, a) * (1.0 - acc.a);
                    if acc.a >= P.opaque {
                        done = true;
                        break;
                    }
                }
            } else if MODE == MODE_MIP {
                if v > MISSING_BELOW {
                    vmax = max(vmax, v);
                }
            } else {
                if v > MISSING_BELOW {
                    column += v * ds;
                }
            }
        }
        samples += k;
        if done || taken < cnt {
            break;
        }
    }

    // Lines go behind everything, so only the last pass adds them; the projection's sum is
    // scaled to domain units only in the image.
    var out = acc;
    if last {
        out = acc + (1.0 - acc.a) * unpack4x8unorm(line.y);
    }
    if MODE == MODE_MIP {
        out = vec4f(vmax, select(0.0, 1.0, vmax > MISSING_BELOW), 0.0, 0.0);
    } else if MODE == MODE_PROJECTION {
        out = vec4f(column * select(1.0, P.t_scale, last), 0.0, 0.0, 0.0);
    }
    textureStore(target_image, vec2i(gid.xy + P.offset), out);
    atomicAdd(&counter[0], samples);
}
