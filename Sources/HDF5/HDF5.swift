// The HDF5 module; see ARCHITECTURE.md.
