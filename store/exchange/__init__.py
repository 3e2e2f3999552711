"""Exchange formats: JSON (lossless). Each format exports a board and imports into one safely."""
