// Raw trilinear sampling throughput: each invocation marches straight through the atlas along
// z with hardware filtering (or 8 loads, as the ray caster does without FLOAT32_FILTERABLE),
// with none of the ray caster's tree walk. `amrcast bench` compares the ray caster with it.

override HW_FILTER: bool = true;

// Keep in sync with `Params` in src/gpu/sampling_bench.rs (same members, offsets and size; the
// tests of src/gpu/shader_contract.rs compare them).
struct Params {
    size: vec2u,
    steps: u32,
    _pad: u32,
    atlas_size: vec3f,
    _pad2: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var atlas: texture_3d<f32>;
@group(0) @binding(2) var atlas_sampler: sampler;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

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

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
    if gid.x >= P.size.x || gid.y >= P.size.y {
        return;
    }
    let xy = (vec2f(gid.xy) + 0.5) / vec2f(P.size);
    let dz = 1.0 / f32(P.steps);
    var acc = -3.0e38;
    for (var k = 0u; k < P.steps; k++) {
        acc = max(acc, sample_atlas(vec3f(xy, (f32(k) + 0.5) * dz)));
    }
    out[gid.y * P.size.x + gid.x] = acc;
}
