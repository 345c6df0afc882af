// AMR ray caster: one invocation per pixel walks the kd-tree of leaves front to back and
// samples each leaf's brick in the atlas with a step tied to that leaf's cell size.
//
// Coordinates are in the normalised frame (domain from 0 to `domain`, largest side 1).
// Atlas values are encoded (log10 or linear); values below MISSING_BELOW are missing.

// 0 composite, 1 mip, 2 projection (see src/render.rs for the output convention).
override MODE: u32 = 0u;
// Hardware trilinear filtering of the R32Float atlas (FLOAT32_FILTERABLE); else 8 loads.
override HW_FILTER: bool = true;

struct Params {
    o0: vec3f, width: u32,
    ox: vec3f, height: u32,
    oy: vec3f, samples_per_cell: f32,
    d0: vec3f, inv_ds0: f32,
    ddx: vec3f, lo: f32,
    ddy: vec3f, inv_range: f32,
    domain: vec3f, t_scale: f32,
    atlas_size: vec3f, opaque: f32,
    offset: vec2u, opaque_from: f32, _pad: u32,
}

struct Node {
    split: f32,
    kind: u32, // 0..2 split axis, 3 leaf, 4 empty
    a: u32,
    b: u32,
}

struct Leaf {
    s: vec3f, cell: f32,
    o: vec3f, _pad: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> nodes: array<Node>;
@group(0) @binding(2) var<storage, read> leaves: array<Leaf>;
@group(0) @binding(3) var<storage, read> visible: array<u32>;
@group(0) @binding(4) var<storage, read> table: array<vec4f>;
@group(0) @binding(5) var atlas: texture_3d<f32>;
@group(0) @binding(6) var atlas_sampler: sampler;
@group(0) @binding(7) var target_image: texture_storage_2d<rgba32float, write>;
@group(0) @binding(8) var<storage, read_write> counter: array<atomic<u32>, 1>;

const MISSING: f32 = -1.0e38;
const MISSING_BELOW: f32 = -1.0e30;
// Replaced at pipeline creation by the tree depth + 1 (see raycaster.rs).
const STACK: u32 = 64u;

fn sample_atlas(tc: vec3f) -> f32 {
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

fn tf_lookup(t: f32) -> vec4f {
    let n = arrayLength(&table);
    let x = clamp(t, 0.0, 1.0) * f32(n - 1u);
    let i = min(u32(x), n - 2u);
    return mix(table[i], table[i + 1u], x - f32(i));
}

@compute @workgroup_size(4, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
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

    let ta = -o * inv;
    let tb = (P.domain - o) * inv;
    let tmin = min(ta, tb);
    let tmax = max(ta, tb);
    var t0 = max(max(max(tmin.x, tmin.y), tmin.z), 0.0);
    var t1 = min(min(tmax.x, tmax.y), tmax.z);

    var acc = vec4f(0.0);
    var vmax = MISSING;
    var column = 0.0;
    var samples = 0u;

    // "While-while" traversal: all rays of a SIMD group (or warp) first walk the tree to their
    // next leaf, then sample their leaves together, so that sampling runs with most lanes busy.
    var stack_node: array<u32, STACK>;
    var stack_t0: array<f32, STACK>;
    var stack_t1: array<f32, STACK>;
    var sp = 0u;
    var node = 0u;
    var more = t0 < t1;
    loop {
        if !more {
            break;
        }
        // Walk to the next visible leaf; [t0, t1] is the ray's interval inside `node`.
        var found = false;
        var leaf_index = 0u;
        var seg0 = 0.0;
        var seg1 = 0.0;
        loop {
            let n = nodes[node];
            let shown = visible[node] != 0u;
            if shown && n.kind < 3u {
                let oa = o[n.kind];
                let ts = (n.split - oa) * inv[n.kind];
                var near = n.a;
                var far = n.b;
                if oa > n.split || (oa == n.split && d[n.kind] > 0.0) {
                    near = n.b;
                    far = n.a;
                }
                if ts >= t1 || ts <= 0.0 {
                    node = near;
                } else if ts <= t0 {
                    node = far;
                } else {
                    if sp < STACK {
                        stack_node[sp] = far;
                        stack_t0[sp] = ts;
                        stack_t1[sp] = t1;
                        sp += 1u;
                    }
                    node = near;
                    t1 = ts;
                }
                continue;
            }
            if shown && n.kind == 3u && t1 > t0 {
                found = true;
                leaf_index = n.a;
                seg0 = t0;
                seg1 = t1;
            }
            if sp == 0u {
                more = false;
            } else {
                sp -= 1u;
                node = stack_node[sp];
                t0 = stack_t0[sp];
                t1 = stack_t1[sp];
            }
            if found || !more {
                break;
            }
        }
        if !found {
            break;
        }
        let leaf = leaves[leaf_index];
        let cnt = max(1u, u32(ceil((seg1 - seg0) * P.samples_per_cell / leaf.cell)));
        let ds = (seg1 - seg0) / f32(cnt);
        // Texture coordinates of the first sample and their step: the loop keeps few values
        // live (on CPU adapters every live value is a SIMD register).
        var tc = (o + (seg0 + 0.5 * ds) * d) * leaf.s + leaf.o;
        let dtc = d * ds * leaf.s;
        var done = false;
        var k = 0u;
        loop {
            if k >= cnt {
                break;
            }
            let v = sample_atlas(tc);
            tc += dtc;
            k += 1u;
            if MODE == 0u {
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
            } else if MODE == 1u {
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
        if done {
            break;
        }
    }

    var out = acc;
    if MODE == 1u {
        out = vec4f(vmax, select(0.0, 1.0, vmax > MISSING_BELOW), 0.0, 0.0);
    } else if MODE == 2u {
        out = vec4f(column * P.t_scale, 0.0, 0.0, 0.0);
    }
    textureStore(target_image, vec2i(gid.xy + P.offset), out);
    atomicAdd(&counter[0], samples);
}
