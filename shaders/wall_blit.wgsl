// The wall's display blit: draws a ray caster image (Rgba32Float, same size as the colour
// target) onto a window surface, converting values to colours as FloatImage::to_rgba8 does.

struct Params {
    lo: f32,
    hi: f32,
    inv_depth: f32,
    mode: u32,        // 0 composite, 1 mip, 2 projection
    log_scale: u32,   // projection: encode the average with log10
    srgb_target: u32, // the target re-encodes to sRGB: hand it linear values
    _pad0: u32,
    _pad1: u32,
};

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var image: texture_2d<f32>;
@group(0) @binding(2) var cmap: texture_2d<f32>;

const MISSING_BELOW: f32 = -1.0e30;

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
    // One triangle covering the viewport.
    let x = f32((i << 1u) & 2u);
    let y = f32(i & 2u);
    return vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
}

fn colour(e: f32) -> vec3<f32> {
    if (e > MISSING_BELOW && e >= P.lo) {
        let n = textureDimensions(cmap).x;
        let x = clamp((e - P.lo) / (P.hi - P.lo), 0.0, 1.0) * f32(n - 1u);
        let i = u32(floor(x));
        let j = min(i + 1u, n - 1u);
        let a = textureLoad(cmap, vec2<u32>(i, 0u), 0).rgb;
        let b = textureLoad(cmap, vec2<u32>(j, 0u), 0).rgb;
        return mix(a, b, x - floor(x));
    }
    return vec3<f32>(0.0);
}

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

@fragment
fn fs_main(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
    let p = textureLoad(image, vec2<i32>(floor(pos.xy)), 0);
    var rgb = vec3<f32>(0.0);
    if (P.mode == 0u) {
        rgb = p.rgb;
    } else if (P.mode == 1u) {
        if (p.y > 0.5) {
            rgb = colour(p.x);
        }
    } else {
        let a = p.x * P.inv_depth;
        var e = a;
        if (P.log_scale == 1u) {
            e = select(-3.0e38, log2(a) * 0.30102999566398120, a > 0.0);
        }
        rgb = colour(e);
    }
    rgb = clamp(rgb, vec3<f32>(0.0), vec3<f32>(1.0));
    if (P.srgb_target == 1u) {
        rgb = srgb_to_linear(rgb);
    }
    return vec4<f32>(rgb, 1.0);
}
