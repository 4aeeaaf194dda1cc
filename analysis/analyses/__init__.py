"""The notebooks' questions, as tables: `explore` (layouts, compression, dumps, theme
similarity), `speedups` (claimed speed-up factors), `reports` (what other settings or a
truncating embedding would change)."""
