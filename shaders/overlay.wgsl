// Overlay: a window-sized layer of premultiplied colours (the viewer's panel, drawn by egui
// into its own texture) copied texel for texel over the window. The vertex stage covers the
// whole target with one triangle; a scissor rectangle limits it to the layer's content, and
// the pipeline blends premultiplied "over" (one, one minus source alpha), as egui does.

@group(0) @binding(0) var layer: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
    let uv = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
    return vec4f(uv * 2.0 - 1.0, 0.0, 1.0);
}

@fragment
fn fs_main(@builtin(position) pos: vec4f) -> @location(0) vec4f {
    return textureLoad(layer, vec2i(pos.xy), 0);
}
