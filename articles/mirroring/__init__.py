"""Image mirroring: pictures copied into the archive's own storage, served from there."""
