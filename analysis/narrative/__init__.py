"""Every sentence the notebooks and the README state, worded from the data: a module per
notebook (`corpus`, `themes`, `speedups`, `layouts`, `dumps`, `trust`, `explore`), `readme`
(the README's generated blocks) and `wording` (the shared phrasing: counts, shares, hedges)."""
