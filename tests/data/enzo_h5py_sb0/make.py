"""Writes a small Enzo-like dataset with h5py's default (earliest) file format: superblock 0,
version-1 object headers, symbol-table groups, version-3 layout messages, which is what Enzo
2.x with HDF5 1.8+ writes. Same geometry as the fixtures in tests/enzo_reader.rs; field
value 1 + x + 2y + 3z at cell centres (Temperature: twice that). Density is big-endian f64,
Temperature little-endian f32; grid 4's Density is chunked and gzip-compressed (read through
hdf5-reader, not the old-format reader). Run: python make.py (needs numpy and h5py)."""
import numpy as np, h5py

GRIDS = [
    (1, [0.0] * 3, [1.0] * 3, [8, 8, 8]),
    (2, [0.25] * 3, [0.75] * 3, [8, 8, 8]),
    (3, [0.0] * 3, [0.25, 0.25, 0.125], [4, 4, 2]),
    (4, [0.375] * 3, [0.625, 0.625, 0.5], [8, 8, 4]),
]
POINTERS = {
    1: "Pointer: Grid[1]->NextGridThisLevel = 0\nPointer: Grid[1]->NextGridNextLevel = 2\n",
    2: "Pointer: Grid[2]->NextGridThisLevel = 3\n",
    3: "Pointer: Grid[3]->NextGridThisLevel = 0\nPointer: Grid[3]->NextGridNextLevel = 0\n"
       "Pointer: Grid[2]->NextGridNextLevel = 4\n",
    4: "Pointer: Grid[4]->NextGridThisLevel = 0\nPointer: Grid[4]->NextGridNextLevel = 0\n",
}

with open("DD0003", "w") as f:
    f.write("InitialTime = 2.5\nTopGridRank = 3\nTopGridDimensions = 8 8 8\n"
            "DomainLeftEdge = 0 0 0\nDomainRightEdge = 1 1 1\nRefineBy = 2\n"
            "LeftFaceBoundaryCondition = 3 3 3\nRightFaceBoundaryCondition = 3 3 3\n"
            "Gamma = 1.6667\nComovingCoordinates = 0\nNumberOfParticles = 12\nVersionNumber = 2.0\nHydroMethod = 0\nDualEnergyFormalism = 0\nMultiSpecies = 0\n")
hier = ""
with h5py.File("DD0003.cpu0000", "w") as h5:
    for gid, l, r, d in GRIDS:
        l, r, d = np.array(l), np.array(r), np.array(d)
        dx = (r - l) / d
        x = l[0] + (np.arange(d[0]) + 0.5) * dx[0]
        y = l[1] + (np.arange(d[1]) + 0.5) * dx[1]
        z = l[2] + (np.arange(d[2]) + 0.5) * dx[2]
        Z, Y, X = np.meshgrid(z, y, x, indexing="ij")  # shape (nz, ny, nx)
        v = 1 + X + 2 * Y + 3 * Z
        g = h5.create_group("Grid%08d" % gid)
        if gid == 4:
            g.create_dataset("Density", data=v.astype(">f8"), chunks=(2, 4, 4), compression="gzip")
        else:
            g.create_dataset("Density", data=v.astype(">f8"))
        g.create_dataset("Temperature", data=(2 * v).astype("<f4"))
        g.create_dataset("particle_position_x", data=np.full(3, 0.5))
        hier += (f"\nGrid = {gid}\nGridRank = 3\nGridDimension = {d[0]+6} {d[1]+6} {d[2]+6}\n"
                 f"GridStartIndex = 3 3 3\nGridEndIndex = {d[0]+2} {d[1]+2} {d[2]+2}\n"
                 f"GridLeftEdge = {l[0]} {l[1]} {l[2]}\nGridRightEdge = {r[0]} {r[1]} {r[2]}\n"
                 f"NumberOfBaryonFields = 2\nBaryonFileName = ./DD0003.cpu0000\n"
                 f"NumberOfParticles = 3\n" + POINTERS[gid])
with open("DD0003.hierarchy", "w") as f:
    f.write(hier)
