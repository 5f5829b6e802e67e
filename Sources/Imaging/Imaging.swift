// The Imaging module; see ARCHITECTURE.md.
