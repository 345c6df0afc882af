//! AMReX (BoxLib) plotfiles: Castro, Nyx, WarpX, MAESTROeX, Quokka, PeleC and other AMReX
//! codes write them.

pub mod fab;
pub mod fab_array;
pub mod header;
pub mod text;
