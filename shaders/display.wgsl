// Display pass, in two steps:
// 1. fs_convert, at the image region's own size: converts every texel of the ray caster's
//    Rgba32Float image exactly as FloatImage::to_rgba8 does on the CPU (src/render.rs) into an
//    RGBA8 colour texture.
// 2. fs_upscale, at the viewport's size: one hardware-filtered (bilinear) sample of that
//    colour texture per pixel.
// Converting once per texel rather than four times per screen pixel matters on CPU adapters,
// where the viewer shows a small interactive image on a large window.
//
// composite: the premultiplied colour over black; mip: the colormap at the encoded maximum
// (black without data); projection: the colormap at the encoded line-of-sight average
// (integral / depth). Values below the lower bound or missing are black.
//
// Anaglyph (red-cyan, left eye red): the region at src_offset is the left eye, the one at
// src2_offset (same size) the right eye; each texel is converted as above, then the pair
// is combined exactly as crate::stereo::compose does on the CPU (src/stereo/layout.rs): plain
// takes red from the left and green and blue from the right; Dubois applies its least-squares
// matrices in linear light and clamps.

// Keep in sync with `Params` in src/gpu/display/mod.rs (same members, offsets and size; the tests
// of src/gpu/shader_contract.rs compare them).
struct Params {
    // Region of the image texture to show, in texels.
    src_offset: vec2f,
    src_size: vec2f,
    // Viewport on the colour target, in pixels (fs_upscale).
    dst_offset: vec2f,
    dst_size: vec2f,
    // The right eye's region (anaglyph).
    src2_offset: vec2f,
    // Transfer-function bounds in the transfer function's encoding.
    lo: f32,
    hi: f32,
    // 1 / (extent of the domain along the view direction), for the projection.
    inv_depth: f32,
    // 0 composite, 1 mip, 2 projection.
    mode: u32,
    // Projection values are encoded with log10 (1) or kept linear (0).
    log_scale: u32,
    // The target stores sRGB: write linear values that it encodes back to the wanted bytes.
    srgb_target: u32,
    // 0 one image, 1 plain anaglyph, 2 Dubois anaglyph.
    anaglyph: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var image: texture_2d<f32>;
// The colormap sampled at N evenly spaced points of [0, 1], one row of N texels.
@group(0) @binding(2) var colormap: texture_2d<f32>;
// Step 2: the converted colours of the region, and a bilinear sampler.
@group(0) @binding(3) var colours: texture_2d<f32>;
@group(0) @binding(4) var colour_sampler: sampler;

// Constants shared with the Rust side: keep them in sync with it (the tests of
// src/gpu/shader_contract.rs compare them).
// The encoded value of cells without data, and the bound below which a value counts as
// missing (crate::transfer::{MISSING, MISSING_BELOW}).
const MISSING: f32 = -1.0e38;
const MISSING_BELOW: f32 = -1.0e30;
// The values of P.mode (crate::render::Mode::index).
const MODE_COMPOSITE: u32 = 0u;
const MODE_MIP: u32 = 1u;
const MODE_PROJECTION: u32 = 2u;

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
    // One triangle covering the viewport.
    let uv = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
    return vec4f(uv * 2.0 - 1.0, 0.0, 1.0);
}

fn colormap_at(t: f32) -> vec3f {
    let n = textureDimensions(colormap).x;
    let x = clamp(t, 0.0, 1.0) * f32(n - 1u);
    let i = min(u32(x), n - 2u);
    let a = textureLoad(colormap, vec2u(i, 0u), 0).rgb;
    let b = textureLoad(colormap, vec2u(i + 1u, 0u), 0).rgb;
    return mix(a, b, x - f32(i));
}

fn value_colour(e: f32) -> vec3f {
    if e > MISSING_BELOW && e >= P.lo {
        return colormap_at((e - P.lo) / (P.hi - P.lo));
    }
    return vec3f(0.0);
}

fn is_finite(v: f32) -> bool {
    // NaN fails both comparisons; infinities fail the bound.
    return abs(v) <= 3.4028235e38;
}

fn texel_colour(p: vec4f) -> vec3f {
    switch P.mode {
        case MODE_MIP: {
            if p.y > 0.5 {
                return value_colour(p.x);
            }
            return vec3f(0.0);
        }
        case MODE_PROJECTION: {
            let v = p.x * P.inv_depth;
            var e = MISSING;
            if P.log_scale == 1u {
                if is_finite(v) && v > 0.0 {
                    e = log2(v) * 0.30102999566398120;
                }
            } else if is_finite(v) && v > MISSING_BELOW {
                e = v;
            }
            return value_colour(e);
        }
        case MODE_COMPOSITE, default: {
            return clamp(p.rgb, vec3f(0.0), vec3f(1.0));
        }
    }
}

fn load_colour(i: vec2i, offset: vec2f) -> vec3f {
    let hi = vec2i(P.src_size) - vec2i(1);
    let c = clamp(i, vec2i(0), hi) + vec2i(offset);
    return texel_colour(textureLoad(image, c, 0));
}

fn srgb_to_linear(c: vec3f) -> vec3f {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3f(2.4));
    return select(hi, lo, c <= vec3f(0.04045));
}

fn linear_to_srgb(c: vec3f) -> vec3f {
    let lo = c * 12.92;
    let hi = 1.055 * pow(c, vec3f(1.0 / 2.4)) - 0.055;
    return select(hi, lo, c <= vec3f(0.0031308));
}

// Dubois' red-cyan matrices (src/stereo/layout.rs), as columns: out = L * left + R * right.
const DUBOIS_LEFT = mat3x3f(
    vec3f(0.456100, -0.0400822, -0.0152161),
    vec3f(0.500484, -0.0378246, -0.0205971),
    vec3f(0.176381, -0.0157589, -0.00546856),
);
const DUBOIS_RIGHT = mat3x3f(
    vec3f(-0.0434706, 0.378476, -0.0721527),
    vec3f(-0.0879388, 0.733640, -0.112961),
    vec3f(-0.00155529, -0.0184503, 1.2264),
);

// Step 1: one texel of the region per fragment; the target is the region's size.
@fragment
fn fs_convert(@builtin(position) pos: vec4f) -> @location(0) vec4f {
    let i = vec2i(pos.xy);
    var c = load_colour(i, P.src_offset);
    if P.anaglyph == 2u {
        // Dubois: in linear light, clamped; the result is linear.
        let l = srgb_to_linear(c);
        let r = srgb_to_linear(load_colour(i, P.src2_offset));
        let lin = clamp(DUBOIS_LEFT * l + DUBOIS_RIGHT * r, vec3f(0.0), vec3f(1.0));
        if P.srgb_target == 1u {
            return vec4f(lin, 1.0);
        }
        return vec4f(linear_to_srgb(lin), 1.0);
    }
    if P.anaglyph == 1u {
        c = vec3f(c.r, load_colour(i, P.src2_offset).gb);
    }
    if P.srgb_target == 1u {
        c = srgb_to_linear(c);
    }
    return vec4f(c, 1.0);
}

// Step 2: the colour texture stretched over the viewport. Pixel centres map to texel centres
// when the two have the same size, where the bilinear sample is the texel itself.
@fragment
fn fs_upscale(@builtin(position) pos: vec4f) -> @location(0) vec4f {
    let uv = (pos.xy - P.dst_offset) / P.dst_size;
    return textureSampleLevel(colours, colour_sampler, uv, 0.0);
}
