// The Catalog module; see ARCHITECTURE.md.
