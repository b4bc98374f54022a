// internal
