"""The notebooks' questions, as tables: `explore` (layouts, compression, dumps, theme
similarity), `listings` (what the dumps are: the words that mark each, chance, the listing
rank), `speedups` (claimed speed-up factors), `reports` (what other settings or a truncating
embedding would change)."""
