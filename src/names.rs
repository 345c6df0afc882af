//! The names of the settings' enums, written once per enum: the command line (through
//! `clap::ValueEnum`, see `cli::args`), the path and wall files, the viewer's panel and the
//! logged render commands all take them from `named_enum!`'s table.

/// `a`, `a or b`, `a, b or c`: a list of names for error messages.
pub fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// An enum with a names table (`named_enum!`).
pub trait Named: Copy + Send + Sync + 'static {
    /// Every value, in the order of the table.
    fn all() -> &'static [Self];
    /// The value's name on the command line and in files.
    fn name(self) -> &'static str;
}

/// Gives an enum its one table of names: `ALL`, `name()`, `aliases()`, `FromStr` (case-
/// insensitive; an error naming `what` and listing the names) and `Display`.
///
/// ```ignore
/// named_enum!(Scale, "scale", { Log => "log", Linear => "linear" });
/// ```
macro_rules! named_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal $(| $alias:literal)*),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order of its names table.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The value's name on the command line and in files.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// Other spellings that parse to this value.
            pub fn aliases(self) -> &'static [&'static str] {
                match self {
                    $($ty::$variant => &[$($alias),*]),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::error::Error;
            fn from_str(s: &str) -> $crate::error::Result<Self> {
                let lower = s.to_ascii_lowercase();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == lower || v.aliases().contains(&lower.as_str()))
                    .ok_or_else(|| {
                        $crate::error::Error::Settings(format!(
                            "unknown {} '{s}' (expected {})",
                            $what,
                            $crate::names::list(Self::ALL.iter().map(|v| v.name()))
                        ))
                    })
            }
        }

        impl $crate::names::Named for $ty {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn name(self) -> &'static str {
                $ty::name(self)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
pub(crate) use named_enum;

#[cfg(test)]
mod tests {
    use crate::camera::{Lens, View};
    use crate::render::{Interpolation, Mode};
    use crate::stereo::{Anaglyph, Layout, Projection};
    use crate::transfer::{Colormap, Scale};

    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for &v in all {
            assert_eq!(v.to_string().parse::<T>().unwrap(), v);
        }
    }

    #[test]
    fn every_name_parses_back_to_its_value() {
        round_trips(Mode::ALL);
        round_trips(Interpolation::ALL);
        round_trips(Lens::ALL);
        round_trips(View::ALL);
        round_trips(Scale::ALL);
        round_trips(Colormap::ALL);
        round_trips(Anaglyph::ALL);
        round_trips(Layout::ALL);
        round_trips(Projection::ALL);
    }

    #[test]
    fn aliases_and_case_parse_and_unknown_names_list_the_table() {
        assert_eq!("Greys".parse::<Colormap>().unwrap(), Colormap::Gray);
        assert_eq!("-Z".parse::<View>().unwrap(), View::NegZ);
        let e = "fisheye".parse::<Lens>().unwrap_err().to_string();
        assert!(
            e.contains("unknown lens 'fisheye' (expected plane or perspective)"),
            "{e}"
        );
        let e = "sideways".parse::<Layout>().unwrap_err().to_string();
        assert!(
            e.contains("(expected separate, side-by-side, top-bottom, anaglyph or interleaved)"),
            "{e}"
        );
    }
}
