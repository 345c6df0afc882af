//! The brick pool: a fixed number of equal slots in one 3D texture, and the page table that
//! says which brick is in which slot. Bricks are loaded into free slots, or into the slots of
//! the bricks used least recently; a render asks for the bricks of one pass at a time.
//!
//! GPU-free: src/gpu/raycaster.rs uploads the loads this plans and writes each leaf's texture
//! transform from [`SlotPool::origin`].

use crate::error::{Error, Result};

/// Slots, their placement in the pool texture, and the page table.
#[derive(Clone, Debug)]
pub struct SlotPool {
    /// Texels per slot along x, y, z (the largest stored brick).
    pub slot_dims: [u32; 3],
    /// Slots along x, y, z of the texture.
    pub slots: [u32; 3],
    /// Number of usable slots (at most `slots[0] * slots[1] * slots[2]`).
    pub capacity: usize,
    /// Per brick: its slot, if resident.
    slot_of: Vec<Option<u32>>,
    /// Per slot: its brick, if any.
    owner: Vec<Option<u32>>,
    /// Per slot: the clock of its last use.
    last_use: Vec<u64>,
    clock: u64,
}

impl SlotPool {
    /// A pool for `bricks` bricks of at most `slot_dims` texels, holding at most `max_slots`
    /// of them (fewer if all bricks fit) in a texture no side of which exceeds `max_dim`.
    pub fn new(slot_dims: [u32; 3], bricks: usize, max_slots: usize, max_dim: u32) -> Result<Self> {
        let per_axis = slot_dims.map(|d| (max_dim / d.max(1)) as usize);
        let most = per_axis.iter().product::<usize>();
        if most == 0 {
            return Err(Error::Gpu(format!(
                "3D textures of at most {max_dim} texels per side cannot hold a brick of {slot_dims:?}"
            )));
        }
        let capacity = bricks.min(max_slots).min(most).max(1);
        // A near-cubic block of slots: x first, then y, then z.
        let sx = (capacity as f64).cbrt().ceil() as usize;
        let sx = sx.clamp(1, per_axis[0]);
        let sy = (capacity.div_ceil(sx) as f64).sqrt().ceil() as usize;
        let sy = sy.clamp(1, per_axis[1]);
        let sz = capacity.div_ceil(sx * sy);
        if sz > per_axis[2] {
            return Err(Error::Gpu(format!(
                "{capacity} brick slots of {slot_dims:?} texels do not fit a 3D texture of {max_dim}^3"
            )));
        }
        Ok(SlotPool {
            slot_dims,
            slots: [sx as u32, sy as u32, sz as u32],
            capacity,
            slot_of: vec![None; bricks],
            owner: vec![None; capacity],
            last_use: vec![0; capacity],
            clock: 0,
        })
    }

    /// The pool texture's size in texels.
    pub fn texture_dims(&self) -> [u32; 3] {
        [0, 1, 2].map(|a| self.slots[a] * self.slot_dims[a])
    }

    /// The first texel of `slot` in the pool texture.
    pub fn origin(&self, slot: u32) -> [u32; 3] {
        let s = slot as usize;
        let [sx, sy, _] = self.slots.map(|v| v as usize);
        let cell = [s % sx, (s / sx) % sy, s / (sx * sy)];
        [0, 1, 2].map(|a| cell[a] as u32 * self.slot_dims[a])
    }

    /// The slot of `brick`, if it is resident.
    pub fn slot(&self, brick: usize) -> Option<u32> {
        self.slot_of[brick]
    }

    /// Whether every brick is resident.
    pub fn all_resident(&self) -> bool {
        self.slot_of.iter().all(Option::is_some)
    }

    /// Bricks resident now.
    pub fn resident(&self) -> usize {
        self.owner.iter().filter(|o| o.is_some()).count()
    }

    /// Makes `bricks` resident, all of them at once: marks them used now and returns those to
    /// load with the slot each gets (a free slot, else that of the brick used least recently
    /// that is not among `bricks`). An error when they are more than the pool holds.
    pub fn make_resident(&mut self, bricks: &[usize]) -> Result<Vec<(usize, u32)>> {
        let mut wanted: Vec<usize> = bricks.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.len() > self.capacity {
            return Err(Error::Settings(format!(
                "one pass needs {} bricks but the GPU memory budget holds {}",
                wanted.len(),
                self.capacity
            )));
        }
        self.clock += 1;
        let now = self.clock;
        let mut missing = Vec::new();
        for &b in &wanted {
            match self.slot_of[b] {
                Some(s) => self.last_use[s as usize] = now,
                None => missing.push(b),
            }
        }
        // Free slots first, then the least recently used (never one used by this request,
        // whose clock is `now`).
        let mut candidates: Vec<u32> = (0..self.capacity as u32)
            .filter(|&s| self.owner[s as usize].is_none() || self.last_use[s as usize] < now)
            .collect();
        candidates.sort_by_key(|&s| (self.owner[s as usize].is_some(), self.last_use[s as usize]));
        let mut loads = Vec::with_capacity(missing.len());
        for (b, s) in missing.into_iter().zip(candidates) {
            if let Some(old) = self.owner[s as usize] {
                self.slot_of[old as usize] = None;
            }
            self.owner[s as usize] = Some(b as u32);
            self.slot_of[b] = Some(s);
            self.last_use[s as usize] = now;
            loads.push((b, s));
        }
        Ok(loads)
    }

    /// Forgets every brick (their values must be loaded again, e.g. in another encoding).
    pub fn clear(&mut self) {
        self.slot_of.iter_mut().for_each(|s| *s = None);
        self.owner.iter_mut().for_each(|o| *o = None);
        self.last_use.iter_mut().for_each(|t| *t = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_tile_the_texture_without_overlap() {
        let p = SlotPool::new([34, 34, 18], 1000, 100, 2048).unwrap();
        assert_eq!(p.capacity, 100);
        let dims = p.texture_dims();
        let mut seen = std::collections::HashSet::new();
        for s in 0..p.capacity as u32 {
            let o = p.origin(s);
            assert!(
                (0..3).all(|a| o[a] + p.slot_dims[a] <= dims[a]),
                "{o:?} {dims:?}"
            );
            assert!((0..3).all(|a| o[a].is_multiple_of(p.slot_dims[a])));
            assert!(seen.insert(o));
        }
        // No more slots than bricks, and the texture is not much larger than the slots.
        let small = SlotPool::new([10, 10, 10], 7, 100, 2048).unwrap();
        assert_eq!(small.capacity, 7);
        let d = small.texture_dims();
        assert!(d.iter().map(|&v| v as u64).product::<u64>() <= 12 * 1000);
    }

    #[test]
    fn the_page_table_maps_resident_bricks_and_evicts_the_least_recently_used() {
        let mut p = SlotPool::new([4, 4, 4], 10, 3, 64).unwrap();
        let loads = p.make_resident(&[5, 1]).unwrap();
        assert_eq!(loads.len(), 2);
        assert!(p.slot(1).is_some() && p.slot(5).is_some() && p.slot(1) != p.slot(5));
        // Brick 7 takes the free slot; nothing evicted.
        assert_eq!(p.make_resident(&[7]).unwrap().len(), 1);
        assert_eq!(p.resident(), 3);
        // Use 5 again, then ask for 2: brick 1 (used longest ago) is evicted.
        let five = p.slot(5);
        assert!(p.make_resident(&[5]).unwrap().is_empty());
        let one = p.slot(1);
        let loads = p.make_resident(&[2]).unwrap();
        assert_eq!(loads, vec![(2, one.unwrap())]);
        assert_eq!(p.slot(1), None);
        assert_eq!(p.slot(5), five);
        // A request never evicts its own bricks.
        let loads = p.make_resident(&[1, 2, 5]).unwrap();
        assert_eq!(loads.len(), 1);
        assert_eq!(loads[0].0, 1);
        assert!([1, 2, 5].iter().all(|&b| p.slot(b).is_some()));
        assert_eq!(p.slot(7), None);
    }

    #[test]
    fn a_request_larger_than_the_pool_is_refused() {
        let mut p = SlotPool::new([4, 4, 4], 10, 3, 64).unwrap();
        let e = p.make_resident(&[0, 1, 2, 3]).unwrap_err();
        assert!(e.to_string().contains("needs 4 bricks"), "{e}");
        assert!(p.make_resident(&[0, 1, 2, 2, 1]).is_ok());
    }
}
