//! What the Rust side and the WGSL shaders must agree on, checked: the constants both define
//! (read from the shaders with naga; among them the jitter hash's) and the layout of the uniform
//! blocks of the ray caster, the display pass and the sampling benchmark (naga's offsets and
//! sizes against the `#[repr(C)]` structs'). A change on either side alone fails here.

use crate::gpu::display::{self, DISPLAY_WGSL};
use crate::gpu::frame::Params;
use crate::gpu::lists::LIST_ROW;
use crate::gpu::raycaster::{LINES_BINDING, RAYCAST_WGSL};
use crate::gpu::sampling_bench::{self, SAMPLING_BENCH_WGSL};
use crate::jitter;
use crate::render::Mode;
use crate::tiles::TILE;
use crate::transfer::{MISSING, MISSING_BELOW};
use naga::{Expression, Literal, Module, Scalar, ScalarKind, TypeInner};

fn parse(src: &str) -> Module {
    naga::front::wgsl::parse_str(src).unwrap_or_else(|e| panic!("{}", e.emit_to_string(src)))
}

/// The value of the shader's `const name`.
fn constant(module: &Module, name: &str) -> Literal {
    let (_, c) = module
        .constants
        .iter()
        .find(|(_, c)| c.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("the shader has no const {name}"));
    match module.global_expressions[c.init] {
        Expression::Literal(l) => l,
        ref e => panic!("const {name} is not a literal: {e:?}"),
    }
}

/// One member of a struct: name, offset, size and WGSL type.
#[derive(Debug, PartialEq)]
struct Member {
    name: String,
    offset: usize,
    size: usize,
    ty: String,
}

fn scalar_name(s: Scalar) -> String {
    let kind = match s.kind {
        ScalarKind::Float => "f",
        ScalarKind::Uint => "u",
        ScalarKind::Sint => "i",
        ScalarKind::Bool => "bool",
        ScalarKind::AbstractInt | ScalarKind::AbstractFloat => "abstract",
    };
    format!("{kind}{}", s.width * 8)
}

/// The members of the shader's `struct name`, and its size.
fn wgsl_struct(module: &Module, name: &str) -> (Vec<Member>, usize) {
    let ty = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("the shader has no struct {name}"))
        .1;
    let TypeInner::Struct { members, span } = &ty.inner else {
        panic!("{name} is not a struct");
    };
    let members = members
        .iter()
        .map(|m| {
            let inner = &module.types[m.ty].inner;
            Member {
                name: m.name.clone().unwrap_or_default(),
                offset: m.offset as usize,
                size: inner.size(module.to_ctx()) as usize,
                ty: match *inner {
                    TypeInner::Scalar(s) => scalar_name(s),
                    TypeInner::Vector { size, scalar } => {
                        format!("vec{}<{}>", size as u8, scalar_name(scalar))
                    }
                    ref other => format!("{other:?}"),
                },
            }
        })
        .collect();
    (members, *span as usize)
}

/// The WGSL type a field of a uniform block stands for.
trait WgslType {
    const NAME: &'static str;
}

macro_rules! wgsl_types {
    ($($t:ty => $name:literal),* $(,)?) => {
        $(impl WgslType for $t {
            const NAME: &'static str = $name;
        })*
    };
}

wgsl_types! {
    f32 => "f32",
    u32 => "u32",
    [f32; 2] => "vec2<f32>",
    [f32; 3] => "vec3<f32>",
    [f32; 4] => "vec4<f32>",
    [u32; 2] => "vec2<u32>",
}

fn wgsl_name<T: WgslType>(_: &T) -> &'static str {
    T::NAME
}

/// The members of the Rust struct `$t`, listed in order.
macro_rules! rust_struct {
    ($t:ty { $($field:ident),* $(,)? }) => {{
        let value = <$t as bytemuck::Zeroable>::zeroed();
        let members = vec![$(Member {
            name: stringify!($field).to_string(),
            offset: std::mem::offset_of!($t, $field),
            size: std::mem::size_of_val(&value.$field),
            ty: wgsl_name(&value.$field).to_string(),
        }),*];
        (members, std::mem::size_of::<$t>())
    }};
}

#[test]
fn raycast_params_have_the_same_layout_in_rust_and_wgsl() {
    let rust = rust_struct!(Params {
        o0,
        width,
        ox,
        height,
        oy,
        samples_per_cell,
        d0,
        inv_ds0,
        ddx,
        lo,
        ddy,
        inv_range,
        atlas_size,
        opaque,
        offset,
        opaque_from,
        t_scale,
        first_pixel,
        flags,
        _pad,
    });
    assert_eq!(wgsl_struct(&parse(RAYCAST_WGSL), "Params"), rust);
}

#[test]
fn display_params_have_the_same_layout_in_rust_and_wgsl() {
    let rust = rust_struct!(display::Params {
        src_offset,
        src_size,
        dst_offset,
        dst_size,
        src2_offset,
        lo,
        hi,
        inv_depth,
        mode,
        log_scale,
        srgb_target,
        anaglyph,
        _pad0,
        _pad1,
        _pad2,
    });
    assert_eq!(wgsl_struct(&parse(DISPLAY_WGSL), "Params"), rust);
}

#[test]
fn sampling_bench_params_have_the_same_layout_in_rust_and_wgsl() {
    let rust = rust_struct!(sampling_bench::Params {
        size,
        steps,
        _pad,
        atlas_size,
        _pad2,
    });
    assert_eq!(wgsl_struct(&parse(SAMPLING_BENCH_WGSL), "Params"), rust);
}

#[test]
fn raycast_constants_match_the_rust_ones() {
    let m = parse(RAYCAST_WGSL);
    assert_eq!(constant(&m, "TILE"), Literal::U32(TILE));
    let main = m.entry_points.iter().find(|e| e.name == "main").unwrap();
    assert_eq!(main.workgroup_size, [TILE, TILE, 1]);
    assert_eq!(constant(&m, "LIST_ROW"), Literal::U32(LIST_ROW));
    assert_eq!(
        constant(&m, "LIST_ROW_LOG2"),
        Literal::U32(LIST_ROW.trailing_zeros())
    );
    for (name, value) in [
        ("PCG_MUL", jitter::PCG_MUL),
        ("PCG_INC", jitter::PCG_INC),
        ("PCG_OUT", jitter::PCG_OUT),
        ("JITTER_BITS", jitter::JITTER_BITS),
    ] {
        assert_eq!(constant(&m, name), Literal::U32(value), "{name}");
    }
    check_missing_and_modes(&m);
}

#[test]
fn raycast_line_texture_is_where_the_rust_side_binds_it() {
    // A 2-D texture of u32 texels (Rg32Uint: depth bits, packed colour) at LINES_BINDING.
    let m = parse(RAYCAST_WGSL);
    let (_, g) = m
        .global_variables
        .iter()
        .find(|(_, g)| g.name.as_deref() == Some("geometry"))
        .expect("the shader has the annotation-line texture `geometry`");
    let binding = g.binding.as_ref().expect("bound");
    assert_eq!((binding.group, binding.binding), (0, LINES_BINDING));
    match m.types[g.ty].inner {
        TypeInner::Image {
            dim: naga::ImageDimension::D2,
            arrayed: false,
            class:
                naga::ImageClass::Sampled {
                    kind: ScalarKind::Uint,
                    multi: false,
                },
        } => {}
        ref t => panic!("geometry is {t:?}, not texture_2d<u32>"),
    }
}

#[test]
fn display_constants_match_the_rust_ones() {
    check_missing_and_modes(&parse(DISPLAY_WGSL));
}

fn check_missing_and_modes(m: &Module) {
    assert_eq!(constant(m, "MISSING"), Literal::F32(MISSING));
    assert_eq!(constant(m, "MISSING_BELOW"), Literal::F32(MISSING_BELOW));
    for (name, mode) in [
        ("MODE_COMPOSITE", Mode::Composite),
        ("MODE_MIP", Mode::Mip),
        ("MODE_PROJECTION", Mode::Projection),
    ] {
        assert_eq!(constant(m, name), Literal::U32(mode.index()), "{name}");
    }
}
