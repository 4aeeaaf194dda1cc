"""The notebooks' questions, as tables: `explore` (layouts, compression, dumps, theme
similarity), `listings` (what the dumps are: the words that mark each, against chance),
`listing_rank` (what a listing's order and its over-represented themes say), `speedups`
(claimed speed-up factors), `reports` (what other settings, a truncating embedding or BERTopic
would change), `reading_lists` (every theme's papers); and their wording: `findings` (each
notebook's "What we found" and the README's headline), with `analysis.wording` (counts, lists
and shares in prose)."""
